import { useEffect, useId, useRef, type ReactNode } from 'react';
import './Dialog.css';

/**
 * A modal dialog on the native <dialog> element: the browser makes the rest of the page inert, keeps Tab inside
 * and turns Escape into a `cancel` event (which asks the owner to close). Focus goes to the first field or button
 * when it opens and back to whatever had it (the button that opened it) when it closes. The content is rendered
 * only while open, so a form in it starts empty each time.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      // showModal is missing from old browsers (Safari < 15.4) and jsdom: then it is a plain open dialog.
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      dialog.querySelector<HTMLElement>('input, textarea, select, button')?.focus();
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
      opener.current?.focus();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault(); // the owner decides (it may be busy); `open` drives the element
        onClose();
      }}
    >
      {open ? (
        <div className="dialog-body">
          <h2 id={titleId} className="section-title">
            {title}
          </h2>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}
