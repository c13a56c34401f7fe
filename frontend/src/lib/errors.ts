import type { CombinedError } from '@urql/core';
import type { AuthErrorCode } from '../gql/graphql';
import type { FieldErrors } from './validation';

/** The `AuthError` fields every operation selects (see AuthErrorFields in src/graphql/operations.ts). */
export interface AuthErrorData {
  code: AuthErrorCode;
  message: string;
  field: string | null;
  retryAfterSeconds: number | null;
}

/** What a form shows: messages next to fields, and at most one message for the whole form. */
export interface FormFeedback<F extends string> {
  fields: FieldErrors<F>;
  form?: string;
}

export const UNREACHABLE_MESSAGE =
  'We can’t reach the server right now. Check your connection and try again in a moment.';
export const SERVER_ERROR_MESSAGE = 'Something went wrong on our side. Please try again in a moment.';
export const UNEXPECTED_MESSAGE = 'Something unexpected happened. Please reload the page and try again.';

/** "in 1 second", "in 45 seconds", "in 2 minutes", "in 1 hour and 5 minutes". */
export function formatRetryAfter(seconds: number): string {
  const total = Math.max(1, Math.ceil(seconds));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (total < 60) return `in ${plural(total, 'second')}`;
  const minutes = Math.ceil(total / 60);
  if (minutes < 60) return `in ${plural(minutes, 'minute')}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `in ${plural(hours, 'hour')}` : `in ${plural(hours, 'hour')} and ${plural(rest, 'minute')}`;
}

/** The text to show for an AuthError. Clients branch on `code`, never on the message. */
export function authErrorMessage(error: AuthErrorData): string {
  switch (error.code) {
    case 'RATE_LIMITED':
      return error.retryAfterSeconds != null
        ? `Too many attempts. Try again ${formatRetryAfter(error.retryAfterSeconds)}.`
        : 'Too many attempts. Please wait a little and try again.';
    case 'INTERNAL':
      return SERVER_ERROR_MESSAGE;
    case 'NOT_AUTHENTICATED':
      return 'Your session has ended. Please sign in again.';
    default:
      return error.message || SERVER_ERROR_MESSAGE;
  }
}

/**
 * Puts an AuthError next to the field it names when the form has that field (`aliases` maps a server field name
 * to the form's own, e.g. `password` → `newPassword`), otherwise at form level.
 */
export function mapAuthError<F extends string>(
  error: AuthErrorData,
  formFields: readonly F[],
  aliases: Partial<Record<string, F>> = {},
): FormFeedback<F> {
  const message = authErrorMessage(error);
  const field = error.field == null ? undefined : (aliases[error.field] ?? error.field);
  if (error.code !== 'RATE_LIMITED' && field !== undefined && (formFields as readonly string[]).includes(field)) {
    const fields: FieldErrors<F> = {};
    fields[field as F] = message;
    return { fields };
  }
  return { fields: {}, form: message };
}

/** True when the request never produced a GraphQL answer: offline, refused, timed out, non-JSON, 5xx. */
export function isUnreachable(error: CombinedError): boolean {
  const status = error.response?.status as number | undefined;
  if (status !== undefined && status >= 500) return true;
  return error.networkError !== undefined;
}

/** The message for a transport-level or GraphQL-level failure (anything that is not an AuthError in the data). */
export function requestErrorMessage(error: CombinedError): string {
  if (isUnreachable(error)) return UNREACHABLE_MESSAGE;
  const status = error.response?.status as number | undefined;
  if (status === 403) return 'This request was refused. Reload the page and try again.';
  if (status === 413) return 'What you entered is too long.';
  return UNEXPECTED_MESSAGE;
}
