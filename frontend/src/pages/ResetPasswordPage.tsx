import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { FormAlert, SubmitButton } from '../components/Feedback';
import { PasswordField } from '../components/Fields';
import { AuthCard } from '../components/Layout';
import { PasswordRules } from '../components/PasswordRules';
import { ResetPasswordMutation } from '../graphql/operations';
import { runMutation } from '../graphql/run';
import { useForm } from '../hooks/useForm';
import { usePageTitle } from '../hooks/usePageTitle';
import { usePasswordPolicy } from '../hooks/usePasswordPolicy';
import { authErrorMessage, mapAuthError } from '../lib/errors';
import { validateResetPassword, type ResetPasswordValues } from '../lib/validation';

const FIELDS = ['newPassword', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

type Stage = { kind: 'form' } | { kind: 'done'; message: string } | { kind: 'bad-link'; message: string };

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const [stage, setStage] = useState<Stage>(
    token ? { kind: 'form' } : { kind: 'bad-link', message: 'This page needs the link from your reset email.' },
  );
  if (stage.kind === 'done') return <ResetDone message={stage.message} />;
  if (stage.kind === 'bad-link') return <BadLink message={stage.message} />;
  return <ResetForm token={token} onStage={setStage} />;
}

function ResetForm({ token, onStage }: { token: string; onStage: (stage: Stage) => void }) {
  const client = useClient();
  const { setUser } = useAuth();
  const policy = usePasswordPolicy();
  const headingRef = usePageTitle('Choose a new password');

  const validate = useCallback((values: ResetPasswordValues) => validateResetPassword(values, policy), [policy]);
  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const outcome = await runMutation(client, ResetPasswordMutation, {
        input: { token, newPassword: values.newPassword },
      });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.resetPassword;
      if (result.__typename === 'AuthError') {
        if (result.code === 'INVALID_OR_EXPIRED_TOKEN' || result.field === 'token') {
          onStage({ kind: 'bad-link', message: authErrorMessage(result) });
          return;
        }
        return mapAuthError<Field>(result, FIELDS, { password: 'newPassword' });
      }
      setUser(null); // the server signed this user out everywhere, this browser included
      onStage({ kind: 'done', message: result.message });
    },
    [client, token, setUser, onStage],
  );
  const form = useForm<Field>({ initial: { newPassword: '', confirmPassword: '' }, validate, submit });

  return (
    <AuthCard
      title="Choose a new password"
      subtitle="After this you’ll be signed out everywhere, and can sign in with the new password."
      headingRef={headingRef}
    >
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          hint={<PasswordRules policy={policy} />}
          {...form.field('newPassword')}
        />
        <PasswordField label="Confirm new password" autoComplete="new-password" {...form.field('confirmPassword')} />
        <SubmitButton pending={form.pending} pendingLabel="Saving…">
          Set new password
        </SubmitButton>
      </form>
    </AuthCard>
  );
}

function ResetDone({ message }: { message: string }) {
  const headingRef = usePageTitle('Password changed');
  return (
    <AuthCard
      title="Password changed"
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
      <Link to="/sign-in" className="button button-primary button-block">
        Sign in
      </Link>
    </AuthCard>
  );
}

function BadLink({ message }: { message: string }) {
  const headingRef = usePageTitle('This link can’t be used');
  return (
    <AuthCard
      title="This link can’t be used"
      headingRef={headingRef}
      footer={
        <p>
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      }
    >
      <div role="alert" className="alert alert-error">
        <span aria-hidden="true" className="alert-icon">!</span>
        <span>{message}</span>
      </div>
      <p className="muted">Reset links work once and expire after a while. You can ask for a new one.</p>
      <Link to="/forgot-password" className="button button-primary button-block">
        Request a new link
      </Link>
    </AuthCard>
  );
}
