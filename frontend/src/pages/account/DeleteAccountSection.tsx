import { useCallback, useState } from 'react';
import { useClient } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { Dialog } from '../../components/Dialog';
import { FormAlert, Notice, SubmitButton } from '../../components/Feedback';
import { PasswordField } from '../../components/Fields';
import { DeleteAccountMutation } from '../../graphql/accountOperations';
import { runMutation } from '../../graphql/run';
import { useForm } from '../../hooks/useForm';
import { mapAuthError, type AuthErrorData } from '../../lib/errors';
import { validateDeleteAccount } from '../../lib/validation';

export const ACCOUNT_DELETED_NOTICE = 'Your account has been deleted.';

/** "Delete account…" opens a dialog that asks for the password; the server then deletes everything of the user. */
export function DeleteAccountSection({ onAuthError }: { onAuthError: (error: AuthErrorData) => void }) {
  const [open, setOpen] = useState(false);
  const [mailed, setMailed] = useState<string>();
  return (
    <section className="card section" aria-labelledby="delete-title">
      <div className="section-head">
        <div>
          <h2 id="delete-title" className="section-title">
            Delete account
          </h2>
          <p className="muted">Your account, your sessions and everything stored with them are deleted for good.</p>
        </div>
        <button type="button" className="button button-ghost button-small" onClick={() => setOpen(true)}>
          Delete account…
        </button>
      </div>
      <div aria-live="polite" className="live-region">{mailed ? <Notice inLiveRegion>{mailed}</Notice> : null}</div>
      <Dialog open={open} title="Delete your account?" onClose={() => setOpen(false)}>
        <DeleteForm
          onAuthError={onAuthError}
          onCancel={() => setOpen(false)}
          onMailed={(message) => {
            setMailed(message);
            setOpen(false);
          }}
        />
      </Dialog>
    </section>
  );
}

function DeleteForm({
  onAuthError,
  onCancel,
  onMailed,
}: {
  onAuthError: (error: AuthErrorData) => void;
  onCancel: () => void;
  onMailed: (message: string) => void;
}) {
  const client = useClient();
  const { setUser } = useAuth();

  const submit = useCallback(
    async (values: { password: string }) => {
      const outcome = await runMutation(client, DeleteAccountMutation, { input: { password: values.password } });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.deleteAccount;
      if (result.__typename === 'AuthError') {
        onAuthError(result);
        return mapAuthError(result, ['password'] as const);
      }
      if (!result.deleted) {
        onMailed(result.message); // an account without a password confirms through a mailed link
        return;
      }
      setUser(null, { signedOut: true, notice: ACCOUNT_DELETED_NOTICE }); // <RequireAuth> takes us to sign-in
    },
    [client, onAuthError, onMailed, setUser],
  );
  const form = useForm<'password'>({ initial: { password: '' }, validate: validateDeleteAccount, submit });

  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form">
      <p>
        This deletes your account, signs you out everywhere and can’t be undone. Enter your password to confirm.
      </p>
      <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
      <PasswordField label="Password" autoComplete="current-password" {...form.field('password')} />
      <div className="dialog-actions">
        <SubmitButton pending={form.pending} pendingLabel="Deleting…" variant="danger">
          Delete my account
        </SubmitButton>
        <button type="button" className="button button-secondary button-block" onClick={onCancel} disabled={form.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
