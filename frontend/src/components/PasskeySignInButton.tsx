import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { safeNext } from '../auth/redirect';
import { PasskeySignInOptionsMutation, SignInWithPasskeyMutation } from '../graphql/passkeyOperations';
import { runMutation } from '../graphql/run';
import { authErrorMessage } from '../lib/errors';
import { signWithPasskey } from '../lib/passkeys';

/**
 * "Sign in with a passkey": the browser offers the passkeys it holds for this site, the user picks one, and the
 * server signs them in — no email or password. Signed in, <GuestOnly> takes them on to `next` (or the account
 * page); when the passkey did not verify the user and two-factor is on, the code step follows.
 */
export function PasskeySignInButton() {
  const client = useClient();
  const navigate = useNavigate();
  const { setUser } = useAuth();
  const [params] = useSearchParams();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  const signIn = async () => {
    setPending(true);
    setError(undefined);
    const fail = (message: string) => {
      setPending(false);
      setError(message);
    };
    const options = await runMutation(client, PasskeySignInOptionsMutation, {});
    if (!options.ok) return fail(options.message);
    const offered = options.data.passkeySignInOptions;
    if (offered.__typename === 'AuthError') return fail(authErrorMessage(offered));
    const ceremony = await signWithPasskey(offered.options);
    if (!ceremony.ok) return fail(ceremony.message);
    const outcome = await runMutation(client, SignInWithPasskeyMutation, { input: { response: ceremony.response } });
    if (!outcome.ok) return fail(outcome.message);
    const result = outcome.data.signInWithPasskey;
    if (result.__typename === 'AuthError') return fail(authErrorMessage(result));
    if (result.__typename === 'TwoFactorRequired') {
      navigate(`/two-factor?next=${encodeURIComponent(safeNext(params.get('next')))}`, { replace: true });
      return;
    }
    setUser(result.user); // <GuestOnly> sends the user on
  };

  return (
    <div className="passkey-sign-in">
      <div role="alert" className="form-alert-region">
        {error ? (
          <div className="alert alert-error">
            <span aria-hidden="true" className="alert-icon">!</span>
            <span>{error}</span>
          </div>
        ) : null}
      </div>
      <button type="button" className="button button-secondary button-block" onClick={signIn} disabled={pending} aria-busy={pending}>
        {pending ? (
          <>
            <span className="spinner" aria-hidden="true" />
            Waiting for your passkey…
          </>
        ) : (
          'Sign in with a passkey'
        )}
      </button>
    </div>
  );
}
