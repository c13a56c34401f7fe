import { forwardRef, type ReactNode } from 'react';
import { requestErrorMessage } from '../lib/errors';

/** An error message in the alert style. */
export function ErrorAlert({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-error">
      <span aria-hidden="true" className="alert-icon">!</span>
      {children}
    </div>
  );
}

/** The outcome of a section's last action, in a live region that is always in the page. */
export function LiveMessage({ message }: { message: { kind: 'success' | 'error'; text: string } | undefined }) {
  return (
    <div aria-live="polite" className="live-region">
      {message ? (
        message.kind === 'success' ? (
          <Notice kind="success" inLiveRegion>{message.text}</Notice>
        ) : (
          <ErrorAlert>
            <span>{message.text}</span>
          </ErrorAlert>
        )
      ) : null}
    </div>
  );
}

/** A query that failed to load, with a button that asks again. */
export function LoadError({ error, reload }: { error: Parameters<typeof requestErrorMessage>[0]; reload: () => void }) {
  return (
    <ErrorAlert>
      <span>{requestErrorMessage(error)}</span>{' '}
      <button type="button" className="link-button" onClick={reload}>
        Try again
      </button>
    </ErrorAlert>
  );
}

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
            <ErrorAlert>
              <span>{message}</span>
            </ErrorAlert>
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
