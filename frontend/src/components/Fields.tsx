import { useId, useState, type ChangeEvent, type ReactNode } from 'react';

interface BaseFieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
  error?: string | undefined;
  hint?: ReactNode;
  autoComplete?: string;
  maxLength?: number;
  autoFocus?: boolean;
}

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter(Boolean).join(' ');
  return list || undefined;
}

function FieldMessages({ hintId, hint, errorId, error }: { hintId: string; hint?: ReactNode; errorId: string; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          <span aria-hidden="true" className="field-error-icon">!</span>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({
  type = 'text',
  inputMode,
  ...props
}: BaseFieldProps & { type?: 'text' | 'email'; inputMode?: 'text' | 'email' }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <input
        id={id}
        className="input"
        name={props.name}
        type={type}
        inputMode={inputMode}
        value={props.value}
        onChange={props.onChange}
        autoComplete={props.autoComplete}
        maxLength={props.maxLength}
        autoFocus={props.autoFocus}
        spellCheck={false}
        autoCapitalize={type === 'email' ? 'none' : 'words'}
        required
        aria-required="true"
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(props.hint ? hintId : false, props.error ? errorId : false)}
      />
      <FieldMessages hintId={hintId} hint={props.hint} errorId={errorId} error={props.error} />
    </div>
  );
}

export function PasswordField(props: BaseFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const [visible, setVisible] = useState(false);
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <div className="input-group">
        <input
          id={id}
          className="input input-with-button"
          name={props.name}
          type={visible ? 'text' : 'password'}
          value={props.value}
          onChange={props.onChange}
          autoComplete={props.autoComplete}
          autoFocus={props.autoFocus}
          spellCheck={false}
          autoCapitalize="none"
          autoCorrect="off"
          required
          aria-required="true"
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy(props.hint ? hintId : false, props.error ? errorId : false)}
        />
        <button
          type="button"
          className="input-button"
          aria-controls={id}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? 'Hide' : 'Show'}
          <span className="visually-hidden"> {props.label.toLowerCase()}</span>
        </button>
      </div>
      <FieldMessages hintId={hintId} hint={props.hint} errorId={errorId} error={props.error} />
    </div>
  );
}
