import { useCallback, useState } from 'react';
import { useClient } from 'urql';
import { useAuth, type User } from '../../auth/AuthContext';
import { FormAlert, Notice, SubmitButton } from '../../components/Feedback';
import { PasswordField } from '../../components/Fields';
import { BackupCodes } from '../../components/twoFactor/BackupCodes';
import { CodeField } from '../../components/twoFactor/CodeField';
import { TotpSetup } from '../../components/twoFactor/TotpSetup';
import {
  ConfirmTwoFactorMutation,
  DisableTwoFactorMutation,
  EnableTwoFactorMutation,
  RegenerateBackupCodesMutation,
} from '../../graphql/twoFactorOperations';
import { runMutation } from '../../graphql/run';
import { useForm } from '../../hooks/useForm';
import { mapAuthError, type AuthErrorData } from '../../lib/errors';
import { checkTotpCode, normalizeTotpCode } from '../../lib/twoFactor';

type Stage =
  | { kind: 'idle' }
  | { kind: 'password'; action: 'enable' | 'disable' | 'regenerate' }
  | { kind: 'setup'; totpUri: string; secret: string; backupCodes: string[] }
  | { kind: 'codes'; backupCodes: string[] };

/** Account page: turn two-factor on (QR code → a code to confirm → backup codes), get new backup codes, turn it off. */
export function TwoFactorSection({ user, onAuthError }: { user: User; onAuthError: (error: AuthErrorData) => void }) {
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [notice, setNotice] = useState<string>();
  const enabled = user.twoFactorEnabled;

  const start = (action: 'enable' | 'disable' | 'regenerate') => {
    setNotice(undefined);
    setStage({ kind: 'password', action });
  };

  return (
    <section className="card section" aria-labelledby="two-factor-title">
      <div className="section-head">
        <div>
          <h2 id="two-factor-title" className="section-title">
            Two-factor authentication
          </h2>
          <p className="muted">
            {enabled ? (
              <>
                <span className="status-on">On.</span> Signing in asks for a code from your authenticator app.
              </>
            ) : (
              'Off. Add a code from an authenticator app to your password, so a stolen password is not enough.'
            )}
          </p>
        </div>
      </div>
      <div aria-live="polite" className="live-region">
        {notice ? <Notice kind="success" inLiveRegion>{notice}</Notice> : null}
      </div>
      {stage.kind === 'idle' ? (
        <div className="button-row">
          {enabled ? (
            <>
              <button type="button" className="button button-secondary button-small" onClick={() => start('regenerate')}>
                New backup codes
              </button>
              <button type="button" className="button button-ghost button-small" onClick={() => start('disable')}>
                Turn off two-factor
              </button>
            </>
          ) : (
            <button type="button" className="button button-primary button-small" onClick={() => start('enable')}>
              Turn on two-factor
            </button>
          )}
        </div>
      ) : null}
      {stage.kind === 'password' ? (
        <PasswordStep
          action={stage.action}
          onAuthError={onAuthError}
          onCancel={() => setStage({ kind: 'idle' })}
          onDone={(next, message) => {
            setStage(next);
            setNotice(message);
          }}
        />
      ) : null}
      {stage.kind === 'setup' ? (
        <ConfirmStep
          setup={stage}
          onAuthError={onAuthError}
          onCancel={() => setStage({ kind: 'idle' })}
          onConfirmed={(message) => {
            setStage({ kind: 'codes', backupCodes: stage.backupCodes });
            setNotice(message);
          }}
        />
      ) : null}
      {stage.kind === 'codes' ? (
        <BackupCodes
          codes={stage.backupCodes}
          account={user.email}
          onDone={() => {
            setStage({ kind: 'idle' });
            setNotice(undefined);
          }}
        />
      ) : null}
    </section>
  );
}

const PASSWORD_FIELDS = ['password'] as const;
type PasswordFieldName = (typeof PASSWORD_FIELDS)[number];

const ACTIONS = {
  enable: { intro: 'Enter your password to set up two-factor.', button: 'Continue', pending: 'Checking…' },
  regenerate: { intro: 'Enter your password to replace your backup codes. The old ones stop working.', button: 'Get new codes', pending: 'Creating…' },
  disable: { intro: 'Enter your password to turn two-factor off.', button: 'Turn off', pending: 'Turning off…' },
} as const;

function PasswordStep({
  action,
  onAuthError,
  onCancel,
  onDone,
}: {
  action: 'enable' | 'disable' | 'regenerate';
  onAuthError: (error: AuthErrorData) => void;
  onCancel: () => void;
  onDone: (next: Stage, message?: string) => void;
}) {
  const client = useClient();
  const { setUser } = useAuth();
  const submit = useCallback(
    async ({ password }: Record<PasswordFieldName, string>) => {
      const input = { password };
      if (action === 'enable') {
        const outcome = await runMutation(client, EnableTwoFactorMutation, { input });
        if (!outcome.ok) return { fields: {}, form: outcome.message };
        const result = outcome.data.enableTwoFactor;
        if (result.__typename === 'AuthError') return fail(result);
        onDone({ kind: 'setup', totpUri: result.totpUri, secret: result.secret, backupCodes: result.backupCodes });
      } else if (action === 'regenerate') {
        const outcome = await runMutation(client, RegenerateBackupCodesMutation, { input });
        if (!outcome.ok) return { fields: {}, form: outcome.message };
        const result = outcome.data.regenerateBackupCodes;
        if (result.__typename === 'AuthError') return fail(result);
        onDone({ kind: 'codes', backupCodes: result.backupCodes }, 'New backup codes are ready; the old ones no longer work.');
      } else {
        const outcome = await runMutation(client, DisableTwoFactorMutation, { input });
        if (!outcome.ok) return { fields: {}, form: outcome.message };
        const result = outcome.data.disableTwoFactor;
        if (result.__typename === 'AuthError') return fail(result);
        setUser(result.user);
        onDone({ kind: 'idle' }, result.message);
      }
      function fail(error: AuthErrorData) {
        onAuthError(error);
        return mapAuthError<PasswordFieldName>(error, PASSWORD_FIELDS, { currentPassword: 'password' });
      }
    },
    [action, client, onAuthError, onDone, setUser],
  );
  const form = useForm<PasswordFieldName>({
    initial: { password: '' },
    validate: (v) => (v.password === '' ? { password: 'Enter your password.' } : {}),
    submit,
  });
  const text = ACTIONS[action];
  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form form-narrow">
      <p>{text.intro}</p>
      <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
      <PasswordField label="Your password" autoComplete="current-password" autoFocus {...form.field('password')} />
      <div className="button-row">
        <SubmitButton pending={form.pending} pendingLabel={text.pending} variant={action === 'enable' ? 'primary' : 'secondary'}>
          {text.button}
        </SubmitButton>
        <button type="button" className="button button-secondary button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const CODE_FIELDS = ['code'] as const;
type CodeFieldName = (typeof CODE_FIELDS)[number];

function ConfirmStep({
  setup,
  onAuthError,
  onCancel,
  onConfirmed,
}: {
  setup: { totpUri: string; secret: string };
  onAuthError: (error: AuthErrorData) => void;
  onCancel: () => void;
  onConfirmed: (message: string) => void;
}) {
  const client = useClient();
  const { setUser } = useAuth();
  const submit = useCallback(
    async ({ code }: Record<CodeFieldName, string>) => {
      const outcome = await runMutation(client, ConfirmTwoFactorMutation, { input: { code: normalizeTotpCode(code) } });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.confirmTwoFactor;
      if (result.__typename === 'AuthError') {
        onAuthError(result);
        return mapAuthError<CodeFieldName>(result, CODE_FIELDS);
      }
      onConfirmed(result.message);
      setUser(result.user);
    },
    [client, onAuthError, onConfirmed, setUser],
  );
  const form = useForm<CodeFieldName>({
    initial: { code: '' },
    validate: (v) => {
      const error = checkTotpCode(v.code);
      return error ? { code: error } : {};
    },
    submit,
  });
  return (
    <div className="form">
      <TotpSetup totpUri={setup.totpUri} secret={setup.secret} />
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form form-narrow">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <CodeField kind="totp" label="Code from the app" hint="Two-factor turns on once this code checks out." {...form.field('code')} />
        <div className="button-row">
          <SubmitButton pending={form.pending} pendingLabel="Checking…">
            Turn on
          </SubmitButton>
          <button type="button" className="button button-secondary button-small" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
