import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { safeNext } from '../auth/redirect';
import './SocialSignIn.css';
import { SocialProvidersQuery, SocialSignInMutation } from '../graphql/oauthOperations';
import { runMutation } from '../graphql/run';
import { authErrorMessage } from '../lib/errors';
import { OAUTH_ERROR_PARAM, OAUTH_PROVIDER_PARAM, oauthErrorMessage } from '../lib/oauthErrors';

/** Leaves the app for the provider's sign-in page. A prop so tests can watch it instead of navigating. */
export type Go = (url: string) => void;
const leave: Go = (url) => window.location.assign(url);

/**
 * "Continue with …" buttons for the providers the server is configured for (none: nothing is shown), and the
 * message of a social sign-in that came back with `?oauth_error=`. Above the email form of the sign-in and sign-up
 * pages.
 */
export function SocialSignIn({ next, go = leave }: { next?: string | null; go?: Go }) {
  const client = useClient();
  const [params] = useSearchParams();
  const [{ data }] = useQuery({ query: SocialProvidersQuery });
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const providers = data?.socialProviders ?? [];
  const returned = oauthErrorMessage(params.get(OAUTH_ERROR_PARAM), params.get(OAUTH_PROVIDER_PARAM), providers);
  const message = error ?? returned;

  const start = async (provider: string) => {
    setPending(provider);
    setError(undefined);
    const outcome = await runMutation(client, SocialSignInMutation, {
      input: { provider, redirectTo: safeNext(next) },
    });
    if (!outcome.ok) {
      setPending(null);
      setError(outcome.message);
      return;
    }
    const result = outcome.data.socialSignIn;
    if (result.__typename === 'AuthError') {
      setPending(null);
      setError(authErrorMessage(result));
      return;
    }
    go(result.url); // the page unloads; the button stays busy meanwhile
  };

  return (
    <>
      <div role="alert" className="form-alert-region">
        {message ? (
          <div className="alert alert-error">
            <span aria-hidden="true" className="alert-icon">!</span>
            <span>{message}</span>
          </div>
        ) : null}
      </div>
      {providers.length > 0 ? (
        <div className="social">
          <ul className="social-buttons">
            {providers.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="button button-secondary button-block"
                  disabled={pending !== null}
                  aria-busy={pending === p.id}
                  onClick={() => void start(p.id)}
                >
                  {pending === p.id ? `Opening ${p.name}…` : `Continue with ${p.name}`}
                </button>
              </li>
            ))}
          </ul>
          <p className="social-divider">
            <span>or with your email</span>
          </p>
        </div>
      ) : null}
    </>
  );
}
