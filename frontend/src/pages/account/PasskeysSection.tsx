import { useId, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { LiveMessage, LoadError } from '../../components/Feedback';
import type { PasskeyFieldsFragment } from '../../gql/graphql';
import {
  DeletePasskeyMutation,
  MyPasskeysQuery,
  PasskeyRegistrationOptionsMutation,
  RegisterPasskeyMutation,
  RenamePasskeyMutation,
} from '../../graphql/passkeyOperations';
import { runMutation } from '../../graphql/run';
import { authErrorMessage, type AuthErrorData } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { createPasskey, defaultPasskeyName, PASSKEY_NAME_MAX_LENGTH, validatePasskeyName } from '../../lib/passkeys';

type Message = { kind: 'success' | 'error'; text: string };
type Busy = { id: string; action: 'rename' | 'delete' } | { id: null; action: 'add' } | null;

const label = (p: PasskeyFieldsFragment) => p.name || 'Passkey';

/** Account page: the user's passkeys (list, rename, delete) and adding one from this device. */
export function PasskeysSection({ onAuthError }: { onAuthError: (error: AuthErrorData) => void }) {
  const client = useClient();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MyPasskeysQuery });
  const [busy, setBusy] = useState<Busy>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>();
  const [added, setAdded] = useState(0); // a new key for the add form: it starts afresh after each passkey
  const passkeys = data?.myPasskeys ?? [];
  const reload = () => reexecute({ requestPolicy: 'network-only' });

  const failed = (err: AuthErrorData | string) => {
    if (typeof err !== 'string') onAuthError(err);
    setMessage({ kind: 'error', text: typeof err === 'string' ? err : authErrorMessage(err) });
    setBusy(null);
  };

  const add = async (name: string) => {
    setBusy({ id: null, action: 'add' });
    setMessage(undefined);
    const options = await runMutation(client, PasskeyRegistrationOptionsMutation, {});
    if (!options.ok) return failed(options.message);
    const offered = options.data.passkeyRegistrationOptions;
    if (offered.__typename === 'AuthError') return failed(offered);
    const ceremony = await createPasskey(offered.options);
    if (!ceremony.ok) return failed(ceremony.message);
    const outcome = await runMutation(client, RegisterPasskeyMutation, { input: { response: ceremony.response, name } });
    if (!outcome.ok) return failed(outcome.message);
    const result = outcome.data.registerPasskey;
    if (result.__typename === 'AuthError') return failed(result);
    setBusy(null);
    setAdded((n) => n + 1);
    setMessage({ kind: 'success', text: `Passkey “${label(result.passkey)}” added. You can now sign in with it.` });
    reload();
  };

  const rename = async (id: string, name: string) => {
    setBusy({ id, action: 'rename' });
    setMessage(undefined);
    const outcome = await runMutation(client, RenamePasskeyMutation, { input: { id, name } });
    if (!outcome.ok) return failed(outcome.message);
    const result = outcome.data.renamePasskey;
    if (result.__typename === 'AuthError') return failed(result);
    setBusy(null);
    setEditing(null);
    setMessage({ kind: 'success', text: `Passkey renamed to “${label(result.passkey)}”.` });
    reload();
  };

  const remove = async (passkey: PasskeyFieldsFragment) => {
    setBusy({ id: passkey.id, action: 'delete' });
    setMessage(undefined);
    const outcome = await runMutation(client, DeletePasskeyMutation, { id: passkey.id });
    if (!outcome.ok) return failed(outcome.message);
    const result = outcome.data.deletePasskey;
    if (result.__typename === 'AuthError') return failed(result);
    setBusy(null);
    setConfirming(null);
    setMessage({ kind: 'success', text: `Passkey “${label(passkey)}” deleted.` });
    reload();
  };

  return (
    <section className="card section" aria-labelledby="passkeys-title">
      <div>
        <h2 id="passkeys-title" className="section-title">
          Passkeys
        </h2>
        <p className="muted">Sign in with your fingerprint, face or screen lock instead of your password.</p>
      </div>
      <LiveMessage message={message} />
      {error ? (
        <LoadError error={error} reload={reload} />
      ) : fetching && !data ? (
        <p className="muted">Loading passkeys…</p>
      ) : passkeys.length === 0 ? (
        <p className="muted">You have no passkeys yet.</p>
      ) : (
        <ul className="sessions" aria-label="Your passkeys">
          {passkeys.map((p) => (
            <li key={p.id} className="session">
              {editing === p.id ? (
                <NameForm
                  initial={p.name ?? ''}
                  label={`New name for ${label(p)}`}
                  submitLabel="Save"
                  pending={busy?.id === p.id && busy.action === 'rename'}
                  pendingLabel="Saving…"
                  onSubmit={(name) => rename(p.id, name)}
                  onCancel={() => setEditing(null)}
                />
              ) : confirming === p.id ? (
                <div className="session-main">
                  <p className="session-device">Delete “{label(p)}”?</p>
                  <p className="muted session-meta">You won’t be able to sign in with it any more.</p>
                  <div className="passkey-actions">
                    <button type="button" className="button button-secondary button-small" disabled={busy !== null} onClick={() => remove(p)}>
                      {busy?.id === p.id ? 'Deleting…' : 'Delete passkey'}
                    </button>
                    <button type="button" className="button button-ghost button-small" disabled={busy !== null} onClick={() => setConfirming(null)}>
                      Keep it
                    </button>
                  </div>
                </div>
              ) : (
                <>
                  <div className="session-main">
                    <p className="session-device">
                      {label(p)}
                      {p.backedUp ? <span className="badge">Synced</span> : null}
                    </p>
                    <p className="muted session-meta">{p.createdAt ? `Added ${formatDate(p.createdAt)}` : 'Added earlier'}</p>
                  </div>
                  <div className="passkey-actions">
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      disabled={busy !== null}
                      onClick={() => {
                        setConfirming(null);
                        setEditing(p.id);
                      }}
                      aria-label={`Rename ${label(p)}`}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      disabled={busy !== null}
                      onClick={() => {
                        setEditing(null);
                        setConfirming(p.id);
                      }}
                      aria-label={`Delete ${label(p)}`}
                    >
                      Delete
                    </button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <NameForm
        key={added}
        initial={defaultPasskeyName()}
        label="Name for a new passkey"
        submitLabel="Add a passkey"
        pending={busy?.action === 'add'}
        pendingLabel="Waiting for your device…"
        onSubmit={add}
        disabled={busy !== null}
      />
    </section>
  );
}

function NameForm(props: {
  initial: string;
  label: string;
  submitLabel: string;
  pending: boolean;
  pendingLabel: string;
  onSubmit: (name: string) => void;
  onCancel?: () => void;
  disabled?: boolean;
}) {
  const id = useId();
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = validatePasskeyName(name);
    setError(problem);
    if (!problem) props.onSubmit(name.trim());
  };
  return (
    <form onSubmit={submit} noValidate aria-busy={props.pending} className="form passkey-name-form">
      <div className={error ? 'field field-invalid' : 'field'}>
        <label htmlFor={id} className="field-label">
          {props.label}
        </label>
        <input
          id={id}
          className="input"
          name="passkeyName"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={PASSKEY_NAME_MAX_LENGTH * 2}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error ? (
          <p id={`${id}-error`} className="field-error">
            <span aria-hidden="true" className="field-error-icon">!</span>
            {error}
          </p>
        ) : null}
      </div>
      <div className="passkey-actions">
        <button type="submit" className="button button-secondary button-small" disabled={props.pending || props.disabled} aria-busy={props.pending}>
          {props.pending ? (
            <>
              <span className="spinner" aria-hidden="true" />
              {props.pendingLabel}
            </>
          ) : (
            props.submitLabel
          )}
        </button>
        {props.onCancel ? (
          <button type="button" className="button button-ghost button-small" onClick={props.onCancel} disabled={props.pending}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
