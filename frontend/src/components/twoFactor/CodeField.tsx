import { useId, type ChangeEvent, type ReactNode } from 'react';

/**
 * The input for a one-time code: the authenticator app's six digits (numeric keypad, the browser's one-time-code
 * autofill) or a backup code (letters and digits, no autocorrection).
 */
export function CodeField({
  kind,
  label,
  name,
  value,
  onChange,
  error,
  hint,
  autoFocus,
}: {
  kind: 'totp' | 'backup';
  label: string;
  name: string;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
  error?: string | undefined;
  hint?: ReactNode;
  autoFocus?: boolean;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        id={id}
        className="input input-code"
        name={name}
        type="text"
        value={value}
        onChange={onChange}
        inputMode={kind === 'totp' ? 'numeric' : 'text'}
        autoComplete={kind === 'totp' ? 'one-time-code' : 'off'}
        maxLength={kind === 'totp' ? 9 : 64}
        autoFocus={autoFocus}
        spellCheck={false}
        autoCapitalize="none"
        autoCorrect="off"
        required
        aria-required="true"
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
      />
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
    </div>
  );
}
