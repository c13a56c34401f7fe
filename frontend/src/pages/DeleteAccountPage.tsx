import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { FormAlert, SubmitButton } from '../components/Feedback';
import { AuthCard } from '../components/Layout';
import { DeleteAccountMutation } from '../graphql/accountOperations';
import { runMutation } from '../graphql/run';
import { usePageTitle } from '../hooks/usePageTitle';
import { authErrorMessage } from '../lib/errors';
import { ACCOUNT_DELETED_NOTICE } from './account/DeleteAccountSection';

/**
 * `/delete-account?token=…`: the mailed link that confirms deleting an account without a password. Signed-in only
 * (the token must belong to the signed-in user); nothing happens until the button is pressed.
 */
export function DeleteAccountPage() {
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const client = useClient();
  const { setUser } = useAuth();
  const headingRef = usePageTitle('Delete your account?');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>(token ? undefined : 'This page needs the link from your email.');

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    const outcome = await runMutation(client, DeleteAccountMutation, { input: { token } });
    setPending(false);
    if (!outcome.ok) return setError(outcome.message);
    const result = outcome.data.deleteAccount;
    if (result.__typename === 'AuthError') return setError(authErrorMessage(result));
    setUser(null, { signedOut: true, notice: ACCOUNT_DELETED_NOTICE }); // <RequireAuth> takes us to sign-in
  };

  return (
    <AuthCard
      title="Delete your account?"
      headingRef={headingRef}
      footer={
        <p>
          <Link to="/account">Keep my account</Link>
        </p>
      }
    >
      <p>This deletes your account, signs you out everywhere and can’t be undone.</p>
      <form onSubmit={confirm} className="form" aria-busy={pending}>
        <FormAlert message={error} />
        <SubmitButton pending={pending} pendingLabel="Deleting…" variant="danger">
          Delete my account
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
