import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { useClient } from 'urql';
import { FormAlert, SubmitButton } from '../components/Feedback';
import { TextField } from '../components/Fields';
import { AuthCard } from '../components/Layout';
import { RequestPasswordResetMutation } from '../graphql/operations';
import { runMutation } from '../graphql/run';
import { useForm } from '../hooks/useForm';
import { usePageTitle } from '../hooks/usePageTitle';
import { mapAuthError } from '../lib/errors';
import { EMAIL_MAX_LENGTH, validateForgotPassword } from '../lib/validation';

const FIELDS = ['email'] as const;
type Field = (typeof FIELDS)[number];

export function ForgotPasswordPage() {
  const client = useClient();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const email = values.email.trim();
      const outcome = await runMutation(client, RequestPasswordResetMutation, { input: { email } });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.requestPasswordReset;
      if (result.__typename === 'AuthError') return mapAuthError<Field>(result, FIELDS);
      setSentTo(email);
    },
    [client],
  );
  const form = useForm<Field>({ initial: { email: '' }, validate: validateForgotPassword, submit });

  return sentTo === null ? (
    <RequestForm form={form} />
  ) : (
    <CheckYourEmail email={sentTo} onRetry={() => setSentTo(null)} />
  );
}

function RequestForm({ form }: { form: ReturnType<typeof useForm<Field>> }) {
  const headingRef = usePageTitle('Reset your password');
  return (
    <AuthCard
      title="Reset your password"
      subtitle="Enter the email address of your account and we’ll send you a link to choose a new password."
      headingRef={headingRef}
      footer={
        <p>
          Remembered it? <Link to="/sign-in">Back to sign in</Link>
        </p>
      }
    >
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <TextField label="Email" type="email" inputMode="email" autoComplete="email" maxLength={EMAIL_MAX_LENGTH} {...form.field('email')} />
        <SubmitButton pending={form.pending} pendingLabel="Sending…">
          Send reset link
        </SubmitButton>
      </form>
    </AuthCard>
  );
}

function CheckYourEmail({ email, onRetry }: { email: string; onRetry: () => void }) {
  const headingRef = usePageTitle('Check your email');
  return (
    <AuthCard
      title="Check your email"
      headingRef={headingRef}
      icon={
        <div className="result-icon result-icon-mail" aria-hidden="true">
          <svg viewBox="0 0 24 24" focusable="false">
            <path d="M3 6.5A2.5 2.5 0 0 1 5.5 4h13A2.5 2.5 0 0 1 21 6.5v11a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5zm2.2-.5 6.8 5.3L18.8 6zM19 7.9l-6.4 5a1 1 0 0 1-1.2 0L5 7.9v9.6c0 .3.2.5.5.5h13c.3 0 .5-.2.5-.5z" />
          </svg>
        </div>
      }
      footer={
        <p>
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      }
    >
      <p role="status" className="lead">
        If an account exists for <strong className="break">{email}</strong>, we’ve sent it a link to reset the password.
      </p>
      <p className="muted">
        The link works once and expires soon. Didn’t get an email? Check your spam folder, or{' '}
        <button type="button" className="link-button" onClick={onRetry}>
          try another address
        </button>
        .
      </p>
    </AuthCard>
  );
}
