import { useCallback, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { FormAlert, LiveMessage, LoadError, Notice, SubmitButton } from '../components/Feedback';
import { PasswordField } from '../components/Fields';
import { AppShell } from '../components/Layout';
import { PasswordRules } from '../components/PasswordRules';
import { TwoFactorSection } from './account/TwoFactorSection';
import { LinkedAccountsSection } from './account/LinkedAccountsSection';
import {
  ChangePasswordMutation,
  MySessionsQuery,
  RevokeOtherSessionsMutation,
  RevokeSessionMutation,
  SignOutMutation,
} from '../graphql/operations';
import { runMutation } from '../graphql/run';
import { useForm } from '../hooks/useForm';
import { usePageTitle } from '../hooks/usePageTitle';
import { usePasswordPolicy } from '../hooks/usePasswordPolicy';
import { authErrorMessage, mapAuthError, type AuthErrorData } from '../lib/errors';
import { describeUserAgent, formatDateTime, initials } from '../lib/format';
import { validateChangePassword, type ChangePasswordValues } from '../lib/validation';
import { ChangeEmailSection } from './account/ChangeEmailSection';
import { DeleteAccountSection } from './account/DeleteAccountSection';
import { EmailVerificationNotice } from './account/EmailVerificationNotice';
import { PasskeysSection } from './account/PasskeysSection';
import { ProfileSection } from './account/ProfileSection';
import { SecurityActivity } from './account/SecurityActivity';

export function AccountPage() {
  const { user, setUser, refresh } = useAuth();
  const client = useClient();
  const headingRef = usePageTitle('Your account');
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string>();

  // A revoked or expired session shows up as NOT_AUTHENTICATED: ask who we are, and the guard takes over.
  const onAuthError = useCallback(
    (error: AuthErrorData) => {
      if (error.code === 'NOT_AUTHENTICATED') void refresh();
    },
    [refresh],
  );

  const signOut = async () => {
    setSigningOut(true);
    setSignOutError(undefined);
    const outcome = await runMutation(client, SignOutMutation, {});
    if (!outcome.ok) {
      setSigningOut(false);
      setSignOutError(outcome.message);
      return;
    }
    setUser(null, { signedOut: true }); // <RequireAuth> takes us to sign-in with a notice
  };

  if (!user) return null; // <RequireAuth> guarantees a user; this keeps the types honest

  const signOutButton = (
    <button type="button" className="button button-secondary button-small" onClick={signOut} disabled={signingOut}>
      {signingOut ? 'Signing out…' : 'Sign out'}
    </button>
  );

  return (
    <AppShell headerEnd={signOutButton}>
      <div className="page">
        <div className="account-header">
          <div className="avatar" aria-hidden="true">
            {initials(user.firstName, user.lastName)}
          </div>
          <div className="account-heading">
            <h1 className="page-title" ref={headingRef} tabIndex={-1} id="page-title">
              {user.firstName} {user.lastName}
            </h1>
            <p className="muted break">{user.email}</p>
          </div>
        </div>
        <div role="alert" className="form-alert-region">
          {signOutError ? (
            <div className="alert alert-error">
              <span aria-hidden="true" className="alert-icon">!</span>
              <span>{signOutError}</span>
            </div>
          ) : null}
        </div>
        <EmailVerificationNotice user={user} onAuthError={onAuthError} />
        <ProfileSection user={user} onAuthError={onAuthError} />
        <SessionsSection onAuthError={onAuthError} />
        <TwoFactorSection user={user} onAuthError={onAuthError} />
        <LinkedAccountsSection onAuthError={onAuthError} />
        <ChangePasswordSection onAuthError={onAuthError} />
        <PasskeysSection onAuthError={onAuthError} />
        <ChangeEmailSection user={user} onAuthError={onAuthError} />
        <SecurityActivity />
        <DeleteAccountSection onAuthError={onAuthError} />
      </div>
    </AppShell>
  );
}

function SessionsSection({ onAuthError }: { onAuthError: (error: AuthErrorData) => void }) {
  const client = useClient();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MySessionsQuery });
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const reload = () => reexecute({ requestPolicy: 'network-only' });
  // This device first, then the others newest first (the server's order).
  const sessions = [...(data?.mySessions ?? [])].sort((a, b) => Number(b.current) - Number(a.current));
  const others = sessions.filter((s) => !s.current).length;

  const revoke = async (id: string | null) => {
    setBusy(id ?? 'others');
    setMessage(undefined);
    const outcome =
      id === null
        ? await runMutation(client, RevokeOtherSessionsMutation, {})
        : await runMutation(client, RevokeSessionMutation, { id });
    setBusy(null);
    if (!outcome.ok) {
      setMessage({ kind: 'error', text: outcome.message });
      return;
    }
    const result = 'revokeOtherSessions' in outcome.data ? outcome.data.revokeOtherSessions : outcome.data.revokeSession;
    if (result.__typename === 'AuthError') {
      onAuthError(result);
      setMessage({ kind: 'error', text: authErrorMessage(result) });
      return;
    }
    const n = result.revokedSessions;
    setMessage({
      kind: 'success',
      text: n === 0 ? 'No other sessions were active.' : n === 1 ? 'Signed out of 1 session.' : `Signed out of ${n} sessions.`,
    });
    reload();
  };

  return (
    <section className="card section" aria-labelledby="sessions-title">
      <div className="section-head">
        <div>
          <h2 id="sessions-title" className="section-title">
            Where you’re signed in
          </h2>
          <p className="muted">Sign out of any device you don’t recognise.</p>
        </div>
        {others > 0 ? (
          <button type="button" className="button button-secondary button-small" disabled={busy !== null} onClick={() => revoke(null)}>
            {busy === 'others' ? 'Signing out…' : 'Sign out other sessions'}
          </button>
        ) : null}
      </div>
      <LiveMessage message={message} />
      {error ? (
        <LoadError error={error} reload={reload} />
      ) : fetching && !data ? (
        <p className="muted">Loading sessions…</p>
      ) : (
        <ul className="sessions">
          {sessions.map((s) => (
            <li key={s.id} className="session">
              <div className="session-main">
                <p className="session-device">
                  {describeUserAgent(s.userAgent)}
                  {s.current ? <span className="badge">This device</span> : null}
                </p>
                <p className="muted session-meta">
                  Signed in {formatDateTime(s.createdAt)}
                  {s.ipAddress ? <> · {s.ipAddress}</> : null}
                </p>
              </div>
              {s.current ? null : (
                <button
                  type="button"
                  className="button button-ghost button-small"
                  disabled={busy !== null}
                  onClick={() => revoke(s.id)}
                  aria-label={`Sign out ${describeUserAgent(s.userAgent)}, signed in ${formatDateTime(s.createdAt)}`}
                >
                  {busy === s.id ? 'Signing out…' : 'Sign out'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const CHANGE_FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const;
type ChangeField = (typeof CHANGE_FIELDS)[number];

function ChangePasswordSection({ onAuthError }: { onAuthError: (error: AuthErrorData) => void }) {
  const client = useClient();
  const policy = usePasswordPolicy();
  const [done, setDone] = useState<string>();

  const validate = useCallback((values: ChangePasswordValues) => validateChangePassword(values, policy), [policy]);
  const submit = useCallback(
    async (values: Record<ChangeField, string>) => {
      setDone(undefined);
      const outcome = await runMutation(client, ChangePasswordMutation, {
        input: { currentPassword: values.currentPassword, newPassword: values.newPassword },
      });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.changePassword;
      if (result.__typename === 'AuthError') {
        onAuthError(result);
        return mapAuthError<ChangeField>(result, CHANGE_FIELDS, { password: 'newPassword' });
      }
      const n = result.revokedSessions;
      setDone(n > 0 ? `${result.message} ${n === 1 ? '1 other session was' : `${n} other sessions were`} signed out.` : result.message);
    },
    [client, onAuthError],
  );
  const form = useForm<ChangeField>({
    initial: { currentPassword: '', newPassword: '', confirmPassword: '' },
    validate,
    submit,
    resetOnSuccess: true,
  });
  return (
    <section className="card section" aria-labelledby="password-title">
      <div>
        <h2 id="password-title" className="section-title">
          Change password
        </h2>
        <p className="muted">Your other sessions will be signed out.</p>
      </div>
      <div aria-live="polite" className="live-region">{done ? <Notice kind="success" inLiveRegion>{done}</Notice> : null}</div>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form form-narrow">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <PasswordField label="Current password" autoComplete="current-password" {...form.field('currentPassword')} />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          hint={<PasswordRules policy={policy} />}
          {...form.field('newPassword')}
        />
        <PasswordField label="Confirm new password" autoComplete="new-password" {...form.field('confirmPassword')} />
        <SubmitButton pending={form.pending} pendingLabel="Saving…" variant="secondary">
          Change password
        </SubmitButton>
      </form>
    </section>
  );
}
