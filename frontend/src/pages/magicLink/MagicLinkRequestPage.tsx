import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { safeNext } from '../../auth/redirect';
import { FormAlert, SubmitButton } from '../../components/Feedback';
import { TextField } from '../../components/Fields';
import { AuthCard } from '../../components/Layout';
import { RequestMagicLinkMutation } from '../../graphql/magicLinkOperations';
import { runMutation } from '../../graphql/run';
import { useForm } from '../../hooks/useForm';
import { usePageTitle } from '../../hooks/usePageTitle';
import { mapAuthError } from '../../lib/errors';
import { EMAIL_MAX_LENGTH, validateForgotPassword } from '../../lib/validation';

const FIELDS = ['email'] as const;
type Field = (typeof FIELDS)[number];

/** "Email me a sign-in link": the same answer whether or not the address has an account. */
export function MagicLinkRequestPage() {
  const client = useClient();
  const [params] = useSearchParams();
  const next = params.get('next');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const headingRef = usePageTitle(sentTo === null ? 'Sign in with a link' : 'Check your email');

  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const email = values.email.trim();
      const redirectTo = safeNext(next);
      const outcome = await runMutation(client, RequestMagicLinkMutation, { input: { email, redirectTo } });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.requestMagicLink;
      if (result.__typename === 'AuthError') return mapAuthError<Field>(result, FIELDS);
      setSentTo(email);
    },
    [client, next],
  );
  const form = useForm<Field>({ initial: { email: '' }, validate: validateForgotPassword, submit });
  const back = (
    <p>
      <Link to={next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'}>Sign in with your password</Link>
    </p>
  );

  if (sentTo !== null) {
    return (
      <AuthCard title="Check your email" headingRef={headingRef} footer={back}>
        <p role="status" className="lead">
          If an account exists for <strong className="break">{sentTo}</strong>, we’ve sent it a link to sign in.
        </p>
        <p className="muted">
          The link works once, for 15 minutes. Didn’t get an email? Check your spam folder, or{' '}
          <button type="button" className="link-button" onClick={() => setSentTo(null)}>
            try another address
          </button>
          .
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Sign in with a link"
      subtitle="Enter the email address of your account and we’ll send you a link that signs you in, no password needed."
      headingRef={headingRef}
      footer={back}
    >
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
        <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
        <TextField label="Email" type="email" inputMode="email" autoComplete="email" maxLength={EMAIL_MAX_LENGTH} {...form.field('email')} />
        <SubmitButton pending={form.pending} pendingLabel="Sending…">
          Email me a link
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
