import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { AuthCard } from '../components/Layout';
import { VerifyEmailMutation } from '../graphql/accountOperations';
import { runMutation, type Outcome } from '../graphql/run';
import { usePageTitle } from '../hooks/usePageTitle';
import { SendAnswerRegion, useSendVerificationEmail } from '../hooks/useSendVerificationEmail';
import { authErrorMessage } from '../lib/errors';
import type { VerifyEmailMutation as VerifyEmailData, VerifyEmailOutcome } from '../gql/graphql';

type Stage =
  | { kind: 'verifying' }
  | { kind: 'done'; message: string; outcome: VerifyEmailOutcome }
  | { kind: 'bad-link'; message: string };

const DONE_TITLE: Record<VerifyEmailOutcome, string> = {
  VERIFIED: 'Email verified',
  EMAIL_CHANGED: 'Email address changed',
  CHANGE_CONFIRMED: 'Check your new inbox',
};

/**
 * `/verify-email?token=…`, opened from the mailed link (after sign-up, or to confirm a new address). Sends the
 * token once, signed in or not, and says what happened.
 */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const client = useClient();
  const { state, refresh } = useAuth();
  const [stage, setStage] = useState<Stage>(
    token ? { kind: 'verifying' } : { kind: 'bad-link', message: 'This page needs the link from your email.' },
  );
  // The token is single use: one request per page, even when React runs effects twice (StrictMode).
  const request = useRef<Promise<Outcome<VerifyEmailData>> | null>(null);

  useEffect(() => {
    if (!token) return;
    request.current ??= runMutation(client, VerifyEmailMutation, { input: { token } });
    let active = true;
    void request.current.then((outcome) => {
      if (!active) return;
      if (!outcome.ok) {
        setStage({ kind: 'bad-link', message: outcome.message });
        return;
      }
      const result = outcome.data.verifyEmail;
      if (result.__typename === 'AuthError') {
        setStage({ kind: 'bad-link', message: authErrorMessage(result) });
        return;
      }
      setStage({ kind: 'done', message: result.message, outcome: result.outcome });
    });
    return () => {
      active = false;
    };
  }, [client, token]);

  // The signed-in user (if it is them) is now verified, or has a new address: ask who we are once more, after the
  // page's first `me` has answered (urql would share that request, and its answer may predate the change).
  const refreshed = useRef(false);
  useEffect(() => {
    if (stage.kind !== 'done' || state.status === 'loading' || refreshed.current) return;
    refreshed.current = true;
    void refresh();
  }, [stage.kind, state.status, refresh]);

  if (stage.kind === 'verifying') return <Verifying />;
  if (stage.kind === 'done') return <Verified message={stage.message} title={DONE_TITLE[stage.outcome]} />;
  return <BadLink message={stage.message} />;
}

function Verifying() {
  const headingRef = usePageTitle('Verifying your email');
  return (
    <AuthCard title="Verifying your email" headingRef={headingRef}>
      <p role="status" className="muted">
        <span className="spinner" aria-hidden="true" /> One moment…
      </p>
    </AuthCard>
  );
}

function Verified({ message, title }: { message: string; title: string }) {
  const headingRef = usePageTitle(title);
  const { user } = useAuth();
  return (
    <AuthCard
      title={title}
      headingRef={headingRef}
      icon={
        <div className="result-icon result-icon-success" aria-hidden="true">
          <svg viewBox="0 0 24 24" focusable="false">
            <path d="M9.5 16.2 5.3 12l-1.4 1.4 5.6 5.6 11-11-1.4-1.4z" />
          </svg>
        </div>
      }
    >
      <p role="status" className="lead">
        {message}
      </p>
      {user ? (
        <Link to="/account" className="button button-primary button-block">
          Go to your account
        </Link>
      ) : (
        <Link to="/sign-in" className="button button-primary button-block">
          Sign in
        </Link>
      )}
    </AuthCard>
  );
}

function BadLink({ message }: { message: string }) {
  const headingRef = usePageTitle('This link can’t be used');
  const { user } = useAuth();
  return (
    <AuthCard
      title="This link can’t be used"
      headingRef={headingRef}
      footer={<p>{user ? <Link to="/account">Go to your account</Link> : <Link to="/sign-in">Back to sign in</Link>}</p>}
    >
      <div role="alert" className="alert alert-error">
        <span aria-hidden="true" className="alert-icon">!</span>
        <span>{message}</span>
      </div>
      <p className="muted">Verification links work once and expire after a while.</p>
      {user && !user.emailVerified ? <Resend /> : null}
      {user ? null : <p className="muted">Sign in to get a new link.</p>}
    </AuthCard>
  );
}

function Resend() {
  const { send, sending, answer } = useSendVerificationEmail();
  return (
    <>
      <SendAnswerRegion answer={answer} />
      <button type="button" className="button button-primary button-block" onClick={send} disabled={sending}>
        {sending ? 'Sending…' : 'Send a new link'}
      </button>
    </>
  );
}
