import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { safeNext } from '../../auth/redirect';
import { AuthCard } from '../../components/Layout';
import { SignInWithMagicLinkMutation } from '../../graphql/magicLinkOperations';
import { runMutation } from '../../graphql/run';
import { usePageTitle } from '../../hooks/usePageTitle';
import { authErrorMessage } from '../../lib/errors';

/**
 * Where the mailed link lands: `/magic-link?token=…[&next=/path]`. It signs in at once (the token works once, so
 * the request is sent once even when React runs effects twice), then goes on to `next`, or to the second step
 * when two-factor is on.
 */
export function MagicLinkPage() {
  const client = useClient();
  const navigate = useNavigate();
  const { setUser } = useAuth();
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const next = safeNext(params.get('next'));
  const [error, setError] = useState<string | null>(token ? null : 'This page needs the link from your sign-in email.');
  const sent = useRef(false);
  const headingRef = usePageTitle(error === null ? 'Signing you in' : 'This link doesn’t work', { focus: error !== null });

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    void (async () => {
      const outcome = await runMutation(client, SignInWithMagicLinkMutation, { input: { token } });
      if (!outcome.ok) return setError(outcome.message);
      const result = outcome.data.signInWithMagicLink;
      if (result.__typename === 'AuthError') return setError(authErrorMessage(result));
      if (result.__typename === 'TwoFactorRequired') {
        navigate(`/two-factor?next=${encodeURIComponent(next)}`, { replace: true });
        return;
      }
      setUser(result.user);
      navigate(next, { replace: true });
    })();
  }, [client, token, next, navigate, setUser]);

  if (error === null) {
    return (
      <AuthCard title="Signing you in" headingRef={headingRef}>
        <p role="status" className="lead">
          <span className="spinner" aria-hidden="true" /> One moment…
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="This link doesn’t work"
      headingRef={headingRef}
      footer={
        <p>
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      }
    >
      <div role="alert" className="alert alert-error">
        <span aria-hidden="true" className="alert-icon">!</span>
        <span>{error}</span>
      </div>
      <p>
        Sign-in links work once and expire after 15 minutes.{' '}
        <Link to={`/sign-in/magic-link?next=${encodeURIComponent(next)}`}>Send me a new link</Link>
      </p>
    </AuthCard>
  );
}
