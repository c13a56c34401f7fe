import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { ErrorAlert, LiveMessage } from '../../components/Feedback';
import '../../components/SocialSignIn.css';
import type { Go } from '../../components/SocialSignIn';
import { LinkSocialAccountMutation, MyAccountsQuery, SocialProvidersQuery, UnlinkAccountMutation } from '../../graphql/oauthOperations';
import { runMutation } from '../../graphql/run';
import { authErrorMessage, requestErrorMessage, type AuthErrorData } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { OAUTH_ERROR_PARAM, OAUTH_PROVIDER_PARAM, oauthErrorMessage } from '../../lib/oauthErrors';

const leave: Go = (url) => window.location.assign(url);

/**
 * The account's ways in: the password and the connected providers, with "Connect …" for the providers the server
 * offers and "Disconnect" for connected ones. The server refuses to remove the last way in; the page says so first.
 * Shown only where social sign-in is configured or an account is already connected.
 */
export function LinkedAccountsSection({
  onAuthError,
  go = leave,
}: {
  onAuthError: (error: AuthErrorData) => void;
  go?: Go;
}) {
  const client = useClient();
  const [params] = useSearchParams();
  const [accountsResult, reexecute] = useQuery({ query: MyAccountsQuery });
  const [{ data: providerData }] = useQuery({ query: SocialProvidersQuery });
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const providers = providerData?.socialProviders ?? [];
  const accounts = accountsResult.data?.myAccounts ?? [];
  const social = accounts.filter((a) => a.providerId !== 'credential');
  if (providers.length === 0 && social.length === 0) return null;

  const linkedName = providers.find((p) => p.id === params.get('linked'))?.name;
  const returned = oauthErrorMessage(params.get(OAUTH_ERROR_PARAM), params.get(OAUTH_PROVIDER_PARAM), providers);
  const shown =
    message ??
    (returned ? { kind: 'error' as const, text: returned } : linkedName ? { kind: 'success' as const, text: `${linkedName} is now connected.` } : undefined);
  const onlyOne = accounts.length <= 1;
  const connected = new Set(social.map((a) => a.providerId));

  const connect = async (provider: string) => {
    setBusy(provider);
    setMessage(undefined);
    const outcome = await runMutation(client, LinkSocialAccountMutation, { input: { provider, redirectTo: '/account' } });
    if (!outcome.ok) {
      setBusy(null);
      setMessage({ kind: 'error', text: outcome.message });
      return;
    }
    const result = outcome.data.linkSocialAccount;
    if (result.__typename === 'AuthError') {
      setBusy(null);
      onAuthError(result);
      setMessage({ kind: 'error', text: authErrorMessage(result) });
      return;
    }
    go(result.url);
  };

  const disconnect = async (id: string, name: string) => {
    setBusy(id);
    setMessage(undefined);
    const outcome = await runMutation(client, UnlinkAccountMutation, { id });
    setBusy(null);
    if (!outcome.ok) {
      setMessage({ kind: 'error', text: outcome.message });
      return;
    }
    const result = outcome.data.unlinkAccount;
    if (result.__typename === 'AuthError') {
      onAuthError(result);
      setMessage({ kind: 'error', text: authErrorMessage(result) });
      return;
    }
    setMessage({ kind: 'success', text: `${name} was disconnected.` });
    reexecute({ requestPolicy: 'network-only' });
  };

  return (
    <section className="card section" aria-labelledby="linked-title">
      <div>
        <h2 id="linked-title" className="section-title">
          Sign-in methods
        </h2>
        <p className="muted">Ways you can sign in to this account. You always keep at least one.</p>
      </div>
      <LiveMessage message={shown} />
      {accountsResult.error ? (
        <ErrorAlert>
          <span>{requestErrorMessage(accountsResult.error)}</span>
        </ErrorAlert>
      ) : (
        <ul className="sessions">
          {accounts.map((a) => (
            <li key={a.id} className="session">
              <div className="session-main">
                <p className="session-device">{a.providerId === 'credential' ? 'Password' : a.providerName}</p>
                <p className="muted session-meta">
                  {a.providerId === 'credential' ? 'Set' : 'Connected'} {formatDate(a.createdAt)}
                  {onlyOne ? <> · your only way to sign in</> : null}
                </p>
              </div>
              {a.providerId === 'credential' || onlyOne ? null : (
                <button
                  type="button"
                  className="button button-ghost button-small"
                  disabled={busy !== null}
                  onClick={() => void disconnect(a.id, a.providerName)}
                  aria-label={`Disconnect ${a.providerName}`}
                >
                  {busy === a.id ? 'Disconnecting…' : 'Disconnect'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {providers.some((p) => !connected.has(p.id)) ? (
        <div className="social-buttons social-buttons-inline">
          {providers
            .filter((p) => !connected.has(p.id))
            .map((p) => (
              <button
                key={p.id}
                type="button"
                className="button button-secondary button-small"
                disabled={busy !== null}
                aria-busy={busy === p.id}
                onClick={() => void connect(p.id)}
              >
                {busy === p.id ? `Opening ${p.name}…` : `Connect ${p.name}`}
              </button>
            ))}
        </div>
      ) : null}
    </section>
  );
}
