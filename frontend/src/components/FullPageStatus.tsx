import { useState } from 'react';
import { AppShell } from './Layout';
import { usePageTitle } from '../hooks/usePageTitle';

/** While we ask the server who is signed in, or when it cannot be reached at all. */
export function FullPageStatus({
  kind,
  message,
  onRetry,
}: {
  kind: 'loading' | 'unreachable';
  message?: string;
  onRetry?: () => Promise<void>;
}) {
  const [retrying, setRetrying] = useState(false);
  const headingRef = usePageTitle(kind === 'loading' ? 'Loading' : 'Can’t reach the server', {
    focus: kind !== 'loading',
  });
  if (kind === 'loading') {
    return (
      <AppShell>
        <div className="status-page" role="status" aria-live="polite">
          <span className="spinner spinner-large" aria-hidden="true" />
          <h1 className="visually-hidden" ref={headingRef} tabIndex={-1}>
            Loading
          </h1>
          <p className="muted">Loading…</p>
        </div>
      </AppShell>
    );
  }
  return (
    <AppShell>
      <div className="auth-wrap">
        <section className="card auth-card" aria-labelledby="page-title">
          <h1 id="page-title" className="page-title" ref={headingRef} tabIndex={-1}>
            Can’t reach the server
          </h1>
          <div role="alert" className="alert alert-error">
            <span aria-hidden="true" className="alert-icon">!</span>
            <span>{message}</span>
          </div>
          {onRetry ? (
            <button
              type="button"
              className="button button-primary button-block"
              disabled={retrying}
              onClick={async () => {
                setRetrying(true);
                try {
                  await onRetry();
                } finally {
                  setRetrying(false);
                }
              }}
            >
              {retrying ? 'Trying again…' : 'Try again'}
            </button>
          ) : null}
        </section>
      </div>
    </AppShell>
  );
}
