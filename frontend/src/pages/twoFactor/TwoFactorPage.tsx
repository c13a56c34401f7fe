import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { signInPath, safeNext } from '../../auth/redirect';
import { FormAlert, SubmitButton } from '../../components/Feedback';
import { AuthCard } from '../../components/Layout';
import { CodeField } from '../../components/twoFactor/CodeField';
import { VerifyTwoFactorMutation } from '../../graphql/twoFactorOperations';
import { runMutation } from '../../graphql/run';
import { useForm } from '../../hooks/useForm';
import { usePageTitle } from '../../hooks/usePageTitle';
import { mapAuthError } from '../../lib/errors';
import { checkBackupCode, checkTotpCode, normalizeTotpCode } from '../../lib/twoFactor';

const FIELDS = ['code'] as const;
type Field = (typeof FIELDS)[number];

/**
 * The second step of signing in when two-factor is on: the code from the authenticator app, or a backup code.
 * The pending sign-in lives in an HttpOnly cookie for five minutes; when it is gone, the user signs in again.
 */
export function TwoFactorPage() {
  const client = useClient();
  const { setUser } = useAuth();
  const [params] = useSearchParams();
  const next = params.get('next');
  const [mode, setMode] = useState<'totp' | 'backup'>('totp');
  const [trustDevice, setTrustDevice] = useState(false);
  const [expired, setExpired] = useState(false);
  const headingRef = usePageTitle('Two-factor authentication');

  const validate = useCallback(
    (values: Record<Field, string>) => {
      const error = mode === 'totp' ? checkTotpCode(values.code) : checkBackupCode(values.code);
      return error ? { code: error } : {};
    },
    [mode],
  );
  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const code = mode === 'totp' ? normalizeTotpCode(values.code) : values.code.trim();
      const outcome = await runMutation(client, VerifyTwoFactorMutation, { input: { code, trustDevice } });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.verifyTwoFactor;
      if (result.__typename === 'AuthError') {
        if (result.code === 'INVALID_OR_EXPIRED_TOKEN') setExpired(true);
        return mapAuthError<Field>(result, FIELDS);
      }
      if (result.__typename === 'AuthSuccess') setUser(result.user); // <GuestOnly> then goes on to `next`
    },
    [client, mode, trustDevice, setUser],
  );
  const form = useForm<Field>({ initial: { code: '' }, validate, submit });

  const switchMode = () => {
    form.setValues({ code: '' });
    setMode((m) => (m === 'totp' ? 'backup' : 'totp'));
  };
  const again = signInPath(safeNext(next));

  return (
    <AuthCard
      title="Two-factor authentication"
      subtitle={
        mode === 'totp'
          ? 'Enter the 6-digit code from your authenticator app.'
          : 'Enter one of the backup codes you saved when you turned on two-factor. Each code works once.'
      }
      headingRef={headingRef}
      footer={
        <p>
          Not you? <Link to={again}>Sign in with another account</Link>
        </p>
      }
    >
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        {expired ? (
          <p>
            <Link to={again}>Sign in again</Link>
          </p>
        ) : null}
        <CodeField
          key={mode}
          kind={mode}
          label={mode === 'totp' ? 'Authentication code' : 'Backup code'}
          autoFocus
          {...form.field('code')}
        />
        <label className="checkbox">
          <input type="checkbox" checked={trustDevice} onChange={(e) => setTrustDevice(e.target.checked)} />
          Trust this device for 30 days
        </label>
        <SubmitButton pending={form.pending} pendingLabel="Checking…">
          Verify
        </SubmitButton>
        <div className="form-row-end">
          <button type="button" className="link-button" onClick={switchMode}>
            {mode === 'totp' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
          </button>
        </div>
      </form>
    </AuthCard>
  );
}
