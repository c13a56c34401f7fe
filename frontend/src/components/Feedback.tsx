import { forwardRef, type ReactNode } from 'react';

/**
 * The form-level error. The live region is always in the page so screen readers announce a message as soon as
 * it appears; it can take focus (tabIndex -1) so keyboard users land on it after a failed submit.
 */
export const FormAlert = forwardRef<HTMLDivElement, { message?: string | undefined; summary?: string | undefined }>(
  function FormAlert({ message, summary }, ref) {
    return (
      <>
        <div ref={ref} role="alert" tabIndex={-1} className="form-alert-region">
          {message ? (
            <div className="alert alert-error">
              <span aria-hidden="true" className="alert-icon">!</span>
              <span>{message}</span>
            </div>
          ) : null}
        </div>
        <div aria-live="polite" className="visually-hidden">
          {summary}
        </div>
      </>
    );
  },
);

/** An info or success message; a live region itself unless `inLiveRegion` (no nested live regions). */
export function Notice({
  kind = 'info',
  inLiveRegion = false,
  children,
}: {
  kind?: 'info' | 'success';
  inLiveRegion?: boolean;
  children: ReactNode;
}) {
  return (
    <div role={inLiveRegion ? undefined : 'status'} className={`alert alert-${kind}`}>
      <span aria-hidden="true" className="alert-icon">
        {kind === 'success' ? '✓' : 'i'}
      </span>
      <span>{children}</span>
    </div>
  );
}

export function SubmitButton({
  pending,
  children,
  pendingLabel,
  variant = 'primary',
}: {
  pending: boolean;
  children: ReactNode;
  pendingLabel: string;
  variant?: 'primary' | 'secondary' | 'danger';
}) {
  return (
    <button type="submit" className={`button button-${variant} button-block`} disabled={pending} aria-busy={pending}>
      {pending ? (
        <>
          <span className="spinner" aria-hidden="true" />
          {pendingLabel}
        </>
      ) : (
        children
      )}
    </button>
  );
}
