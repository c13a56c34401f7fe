import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { useAuth, type User } from '../../auth/AuthContext';
import { FormAlert, Notice, SubmitButton } from '../../components/Feedback';
import { TextField } from '../../components/Fields';
import { UpdateProfileMutation } from '../../graphql/accountOperations';
import { runMutation } from '../../graphql/run';
import { useForm } from '../../hooks/useForm';
import { mapAuthError, type AuthErrorData } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { NAME_MAX_LENGTH, validateProfile } from '../../lib/validation';

const FIELDS = ['firstName', 'lastName'] as const;
type Field = (typeof FIELDS)[number];

/** Name, email (with its verification state) and join date; "Edit name" turns the names into a form. */
export function ProfileSection({ user, onAuthError }: { user: User; onAuthError: (error: AuthErrorData) => void }) {
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState<string>();
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  const close = (message?: string) => {
    returnFocus.current = true;
    setDone(message);
    setEditing(false);
  };

  return (
    <section className="card section" aria-labelledby="profile-title">
      <div className="section-head">
        <h2 id="profile-title" className="section-title">
          Profile
        </h2>
        {editing ? null : (
          <button
            ref={editButton}
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              setDone(undefined);
              setEditing(true);
            }}
          >
            Edit name
          </button>
        )}
      </div>
      <div aria-live="polite" className="live-region">
        {done ? <Notice kind="success" inLiveRegion>{done}</Notice> : null}
      </div>
      {editing ? <NameForm user={user} onAuthError={onAuthError} onDone={close} /> : null}
      <dl className="details">
        {editing ? null : (
          <>
            <div>
              <dt>First name</dt>
              <dd>{user.firstName}</dd>
            </div>
            <div>
              <dt>Last name</dt>
              <dd>{user.lastName}</dd>
            </div>
          </>
        )}
        <div>
          <dt>Email</dt>
          <dd className="break">
            {user.email}{' '}
            {user.emailVerified ? <span className="badge">Verified</span> : <span className="badge badge-warning">Not verified</span>}
          </dd>
        </div>
        <div>
          <dt>Member since</dt>
          <dd>{formatDate(user.createdAt)}</dd>
        </div>
      </dl>
    </section>
  );
}

function NameForm({
  user,
  onAuthError,
  onDone,
}: {
  user: User;
  onAuthError: (error: AuthErrorData) => void;
  onDone: (message?: string) => void;
}) {
  const client = useClient();
  const { setUser } = useAuth();

  const submit = useCallback(
    async (values: Record<Field, string>) => {
      const outcome = await runMutation(client, UpdateProfileMutation, {
        input: { firstName: values.firstName.trim(), lastName: values.lastName.trim() },
      });
      if (!outcome.ok) return { fields: {}, form: outcome.message };
      const result = outcome.data.updateProfile;
      if (result.__typename === 'AuthError') {
        onAuthError(result);
        return mapAuthError<Field>(result, FIELDS);
      }
      setUser(result.user);
      onDone('Your name has been saved.');
    },
    [client, onAuthError, onDone, setUser],
  );
  const form = useForm<Field>({
    initial: { firstName: user.firstName, lastName: user.lastName },
    validate: validateProfile,
    submit,
  });

  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-busy={form.pending} className="form form-narrow">
      <FormAlert ref={form.alertRef} message={form.formError} summary={form.summary} />
      <div className="form-row">
        <TextField label="First name" autoComplete="given-name" maxLength={NAME_MAX_LENGTH} autoFocus {...form.field('firstName')} />
        <TextField label="Last name" autoComplete="family-name" maxLength={NAME_MAX_LENGTH} {...form.field('lastName')} />
      </div>
      <div className="form-row">
        <SubmitButton pending={form.pending} pendingLabel="Saving…">
          Save name
        </SubmitButton>
        <button type="button" className="button button-secondary button-block" disabled={form.pending} onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
