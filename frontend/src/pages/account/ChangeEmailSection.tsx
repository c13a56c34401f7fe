import { useCallback, useState } from 'react';
import { useClient } from 'urql';
import type { User } from '../../auth/AuthContext';
import { FormAlert, Notice, SubmitButton } from '../../components/Feedback';
import { PasswordField, TextField } from '../../components/Fields';
import { ChangeEmailMutation } from '../../graphql/accountOperations';
import { runMutation } from '../../graphql/run';
import { useForm } from '../../hooks/useForm';
import { mapAuthError, type AuthErrorData } from '../../lib/errors';
import { EMAIL_MAX_LENGTH, validateChangeEmail, type ChangeEmailValues } from '../../lib/validation';

const FIELDS = ['newEmail', 'password'] as const;
type Field = (typeof FIELDS)[number];

/** New address + password; the server mails a confirmation link to the new address and a notice to the old. */
export function ChangeEmailSection({ user, onAuthError }: { user: User; onAuthError: (error: AuthErrorData) => void }) {
  const client = useClient();
  const [done, setDone] = useState<string>();

  const validate = useCallback((values: ChangeEmailValues) => validateChangeEmail(values, user.email), [user.email]);
  const submit = useCallback(
    async (values: Record<Field, string>) => {
      setDone(undefined);
      const outcome = await runMutation(client, ChangeEmailMutation, {
        input: { newEmail: values.newEmail.trim(), password: values.password },
      });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.changeEmail;
      if (result.__typename === 'AuthError') {
        onAuthError(result);
        return mapAuthError<Field>(result, FIELDS, { email: 'newEmail', currentPassword: 'password' });
      }
      setDone(result.message);
    },
    [client, onAuthError],
  );
  const form = useForm<Field>({ initial: { newEmail: '', password: '' }, validate, submit, resetOnSuccess: true });

  return (
    <section className="card section" aria-labelledby="email-title">
      <div>
        <h2 id="email-title" className="section-title">
          Change email address
        </h2>
        <p className="muted">
          We’ll send a confirmation link to the new address. Your email stays{' '}
          <strong className="break">{user.email}</strong> until you open that link, and we’ll let your current address know.
        </p>
      </div>
      <div aria-live="polite" className="live-region">{done ? <Notice kind="success" inLiveRegion>{done}</Notice> : null}</div>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form form-narrow">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <TextField label="New email" type="email" inputMode="email" autoComplete="email" maxLength={EMAIL_MAX_LENGTH} {...form.field('newEmail')} />
        <PasswordField label="Password" autoComplete="current-password" {...form.field('password')} />
        <SubmitButton pending={form.pending} pendingLabel="Sending…" variant="secondary">
          Send confirmation link
        </SubmitButton>
      </form>
    </section>
  );
}
