import { passwordRules, type PasswordPolicy } from '../lib/validation';

export function PasswordRules({ policy }: { policy: PasswordPolicy }) {
  return (
    <ul className="rules" aria-label="Password rules">
      {passwordRules(policy).map((rule) => (
        <li key={rule}>{rule}</li>
      ))}
    </ul>
  );
}
