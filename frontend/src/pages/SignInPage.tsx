import { useCallback } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { FormAlert, Notice, SubmitButton } from '../components/Feedback';
import { PasswordField, TextField } from '../components/Fields';
import { PasskeySignInButton } from '../components/PasskeySignInButton';
import { AuthCard } from '../components/Layout';
import { SocialSignIn } from '../components/SocialSignIn';
import { SignInMutation } from '../graphql/operations';
import { runMutation } from '../graphql/run';
import { useForm } from '../hooks/useForm';
import { usePageTitle } from '../hooks/usePageTitle';
import { mapAuthError } from '../lib/errors';
import { withNext } from '../auth/redirect';
import { EMAIL_MAX_LENGTH, validateSignIn } from '../lib/validation';

const FIELDS = ['email', 'password'] as const;
type Field = (typeof FIELDS)[number];

export function SignInPage() {
  const client = useClient();
  const { setUser } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const next = params.get('next');
  const headingRef = usePageTitle('Sign in');

  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const outcome = await runMutation(client, SignInMutation, {
        input: { email: values.email.trim(), password: values.password },
      });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.signIn;
      if (result.__typename === 'AuthError') return mapAuthError<Field>(result, FIELDS);
      if (result.__typename === 'TwoFactorRequired') {
        // The password was right; a second factor finishes the sign-in (its page reads the pending cookie).
        navigate(next ? `/two-factor?next=${encodeURIComponent(next)}` : '/two-factor');
        return;
      }
      setUser(result.user); // <GuestOnly> then sends the user on to `next` or /account
    },
    [client, setUser, navigate, next],
  );

  const form = useForm<Field>({ initial: { email: '', password: '' }, validate: validateSignIn, submit });
  const signUpLink = next ? `/sign-up?next=${encodeURIComponent(next)}` : '/sign-up';

  return (
    <AuthCard
      title="Sign in"
      subtitle="Welcome back. Sign in to continue to your account."
      headingRef={headingRef}
      footer={
        <p>
          New here? <Link to={signUpLink}>Create an account</Link>
        </p>
      }
    >
      {notice && !form.formError ? <Notice kind="success">{notice}</Notice> : null}
      {next && !notice && !form.formError ? <Notice>Please sign in to continue.</Notice> : null}
      <SocialSignIn next={next} />
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <TextField label="Email" type="email" inputMode="email" autoComplete="username" maxLength={EMAIL_MAX_LENGTH} {...form.field('email')} />
        <PasswordField label="Password" autoComplete="current-password" {...form.field('password')} />
        <div className="form-row-end">
          <Link to="/forgot-password" className="link-small">
            Forgot your password?
          </Link>
        </div>
        <SubmitButton pending={form.pending} pendingLabel="Signing in…">
          Sign in
        </SubmitButton>
      </form>
      <PasskeySignInButton />
      <p className="auth-alt">
        <Link to={withNext('/sign-in/magic-link', next)}>Email me a sign-in link</Link>
      </p>
    </AuthCard>
  );
}
