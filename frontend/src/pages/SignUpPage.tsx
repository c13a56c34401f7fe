import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { FormAlert, SubmitButton } from '../components/Feedback';
import { PasswordField, TextField } from '../components/Fields';
import { AuthCard } from '../components/Layout';
import { SocialSignIn } from '../components/SocialSignIn';
import { PasswordRules } from '../components/PasswordRules';
import { SignUpMutation } from '../graphql/operations';
import { runMutation } from '../graphql/run';
import { useForm } from '../hooks/useForm';
import { usePageTitle } from '../hooks/usePageTitle';
import { usePasswordPolicy } from '../hooks/usePasswordPolicy';
import { mapAuthError } from '../lib/errors';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, validateSignUp, type SignUpValues } from '../lib/validation';
import { VerifyEmailSent } from './VerifyEmailSent';

const FIELDS = ['firstName', 'lastName', 'email', 'password', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

export function SignUpPage() {
  const client = useClient();
  const { setUser } = useAuth();
  const policy = usePasswordPolicy();
  const [params] = useSearchParams();
  const next = params.get('next');
  const headingRef = usePageTitle('Create your account');
  const [verifyFirst, setVerifyFirst] = useState<string>(); // EMAIL_VERIFICATION=required: the account waits for the link

  const validate = useCallback((values: SignUpValues) => validateSignUp(values, policy), [policy]);
  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const outcome = await runMutation(client, SignUpMutation, {
        input: {
          firstName: values.firstName.trim(),
          lastName: values.lastName.trim(),
          email: values.email.trim(),
          password: values.password,
        },
      });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.signUp;
      if (result.__typename === 'AuthError' && result.code === 'EMAIL_NOT_VERIFIED') return setVerifyFirst(result.message);
      if (result.__typename === 'AuthError') return mapAuthError<Field>(result, FIELDS);
      if (result.__typename !== 'AuthSuccess') return { fields: {}, form: 'Please sign in to continue.' };
      setUser(result.user);
    },
    [client, setUser],
  );

  const form = useForm<Field>({
    initial: { firstName: '', lastName: '', email: '', password: '', confirmPassword: '' },
    validate,
    submit,
  });

  if (verifyFirst) return <VerifyEmailSent message={verifyFirst} />;
  return (
    <AuthCard
      title="Create your account"
      subtitle="It takes less than a minute."
      headingRef={headingRef}
      footer={
        <p>
          Already have an account? <Link to={next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'}>Sign in</Link>
        </p>
      }
    >
      <SocialSignIn next={next} />
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <div className="form-row">
          <TextField label="First name" autoComplete="given-name" maxLength={NAME_MAX_LENGTH} {...form.field('firstName')} />
          <TextField label="Last name" autoComplete="family-name" maxLength={NAME_MAX_LENGTH} {...form.field('lastName')} />
        </div>
        <TextField label="Email" type="email" inputMode="email" autoComplete="email" maxLength={EMAIL_MAX_LENGTH} {...form.field('email')} />
        <PasswordField
          label="Password"
          autoComplete="new-password"
          hint={<PasswordRules policy={policy} />}
          {...form.field('password')}
        />
        <PasswordField label="Confirm password" autoComplete="new-password" {...form.field('confirmPassword')} />
        <SubmitButton pending={form.pending} pendingLabel="Creating your account…">
          Create account
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
