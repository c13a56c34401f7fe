// Client-side checks run before a form is sent. They catch only what is certain on the client (empty fields,
// password length, a mistyped confirmation); the server decides everything else and its answer is shown as is.

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

/** What the server enforces unless `passwordPolicy` says otherwise. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128 };

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** Length as the server counts it: Unicode code points after NFKC normalisation. */
export function passwordLength(password: string): number {
  return [...password.normalize('NFKC')].length;
}

export function passwordRules(policy: PasswordPolicy): string[] {
  return [
    `${policy.minLength} to ${policy.maxLength} characters`,
    'Not a commonly used password',
    'Not the same as your email address',
  ];
}

export function checkPasswordLength(password: string, policy: PasswordPolicy): string | undefined {
  if (password === '') return 'Enter a password.';
  const length = passwordLength(password);
  if (length < policy.minLength) return `Use at least ${policy.minLength} characters.`;
  if (length > policy.maxLength) return `Use at most ${policy.maxLength} characters.`;
  return undefined;
}

export function checkConfirmation(password: string, confirmation: string): string | undefined {
  if (confirmation === '') return 'Confirm your password.';
  if (password !== confirmation) return 'The passwords do not match.';
  return undefined;
}

export function checkEmail(email: string): string | undefined {
  const text = email.trim();
  if (text === '') return 'Enter your email address.';
  // Only the unmistakable shape: the server validates the address properly.
  if (!/^[^\s@]+@[^\s@]+$/.test(text) || text.length > EMAIL_MAX_LENGTH) return 'Enter a valid email address.';
  return undefined;
}

function checkName(value: string, label: string): string | undefined {
  const text = value.trim();
  if (text === '') return `Enter your ${label}.`;
  if ([...text].length > NAME_MAX_LENGTH) return `Use at most ${NAME_MAX_LENGTH} characters.`;
  return undefined;
}

/** Drops undefined entries, so `Object.keys(errors).length === 0` means "valid". */
function compact<F extends string>(errors: Record<F, string | undefined>): FieldErrors<F> {
  const out: FieldErrors<F> = {};
  for (const key of Object.keys(errors) as F[]) {
    const message = errors[key];
    if (message !== undefined) out[key] = message;
  }
  return out;
}

export function hasErrors(errors: object): boolean {
  return Object.keys(errors).length > 0;
}

export interface SignUpValues {
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  confirmPassword: string;
}

export function validateSignUp(values: SignUpValues, policy: PasswordPolicy): FieldErrors<keyof SignUpValues> {
  return compact({
    firstName: checkName(values.firstName, 'first name'),
    lastName: checkName(values.lastName, 'last name'),
    email: checkEmail(values.email),
    password: checkPasswordLength(values.password, policy),
    confirmPassword: checkConfirmation(values.password, values.confirmPassword),
  });
}

export interface SignInValues {
  email: string;
  password: string;
}

export function validateSignIn(values: SignInValues): FieldErrors<keyof SignInValues> {
  // No length rule here: an account may predate the current policy.
  return compact({
    email: checkEmail(values.email),
    password: values.password === '' ? 'Enter your password.' : undefined,
  });
}

export interface ForgotPasswordValues {
  email: string;
}

export function validateForgotPassword(values: ForgotPasswordValues): FieldErrors<keyof ForgotPasswordValues> {
  return compact({ email: checkEmail(values.email) });
}

export interface ResetPasswordValues {
  newPassword: string;
  confirmPassword: string;
}

export function validateResetPassword(
  values: ResetPasswordValues,
  policy: PasswordPolicy,
): FieldErrors<keyof ResetPasswordValues> {
  return compact({
    newPassword: checkPasswordLength(values.newPassword, policy),
    confirmPassword: checkConfirmation(values.newPassword, values.confirmPassword),
  });
}

export interface ChangePasswordValues {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

export function validateChangePassword(
  values: ChangePasswordValues,
  policy: PasswordPolicy,
): FieldErrors<keyof ChangePasswordValues> {
  return compact({
    currentPassword: values.currentPassword === '' ? 'Enter your current password.' : undefined,
    newPassword: checkPasswordLength(values.newPassword, policy),
    confirmPassword: checkConfirmation(values.newPassword, values.confirmPassword),
  });
}

export interface ProfileValues {
  firstName: string;
  lastName: string;
}

export function validateProfile(values: ProfileValues): FieldErrors<keyof ProfileValues> {
  return compact({
    firstName: checkName(values.firstName, 'first name'),
    lastName: checkName(values.lastName, 'last name'),
  });
}

export interface ChangeEmailValues {
  newEmail: string;
  password: string;
}

export function validateChangeEmail(values: ChangeEmailValues, currentEmail: string): FieldErrors<keyof ChangeEmailValues> {
  const emailError = checkEmail(values.newEmail);
  return compact({
    newEmail:
      emailError ??
      (values.newEmail.trim().toLowerCase() === currentEmail.toLowerCase() ? 'This is already your email address.' : undefined),
    password: values.password === '' ? 'Enter your password.' : undefined,
  });
}

export interface DeleteAccountValues {
  password: string;
}

export function validateDeleteAccount(values: DeleteAccountValues): FieldErrors<keyof DeleteAccountValues> {
  return compact({ password: values.password === '' ? 'Enter your password.' : undefined });
}
