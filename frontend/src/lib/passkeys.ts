import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { describeUserAgent } from './format';

/**
 * The browser half of the passkey ceremonies, on @simplewebauthn/browser: the server's options (JSON, as the API
 * sends them) go to `navigator.credentials`, and what comes back is JSON again for the server to verify. Failures
 * become one sentence for the user; `cancelled` marks the ones the user chose (closing the prompt), which a page
 * may show more quietly.
 */
export type Ceremony<R> = { ok: true; response: R } | { ok: false; message: string; cancelled: boolean };

export const PASSKEYS_UNSUPPORTED_MESSAGE = 'This browser can’t use passkeys. Try an up-to-date browser.';
export const PASSKEY_CANCELLED_MESSAGE = 'The passkey request was cancelled or timed out. Please try again.';

export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/** A sentence for a failed `navigator.credentials` call. */
export function passkeyErrorMessage(error: unknown): { message: string; cancelled: boolean } {
  const code = error instanceof WebAuthnError ? error.code : undefined;
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  switch (code) {
    case 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED':
      return { message: 'This device already has a passkey for your account.', cancelled: false };
    case 'ERROR_INVALID_DOMAIN':
    case 'ERROR_INVALID_RP_ID':
      return { message: 'Passkeys don’t work on this web address. Open the app at its usual address.', cancelled: false };
    case 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT':
    case 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT':
    case 'ERROR_AUTHENTICATOR_NO_SUPPORTED_PUBKEYCREDPARAMS_ALG':
      return { message: 'This security key can’t hold a passkey. Try your device’s own passkeys or another key.', cancelled: false };
    case 'ERROR_CEREMONY_ABORTED':
      return { message: PASSKEY_CANCELLED_MESSAGE, cancelled: true };
    default:
      break;
  }
  if (name === 'NotAllowedError' || name === 'AbortError') return { message: PASSKEY_CANCELLED_MESSAGE, cancelled: true };
  return { message: 'Your device couldn’t complete the passkey request. Please try again.', cancelled: false };
}

async function run<R>(call: () => Promise<R>): Promise<Ceremony<R>> {
  if (!passkeysSupported()) return { ok: false, message: PASSKEYS_UNSUPPORTED_MESSAGE, cancelled: false };
  try {
    return { ok: true, response: await call() };
  } catch (error) {
    return { ok: false, ...passkeyErrorMessage(error) };
  }
}

/** Creates a passkey from the server's `PublicKeyCredentialCreationOptionsJSON`. */
export function createPasskey(options: unknown): Promise<Ceremony<RegistrationResponseJSON>> {
  return run(() => startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON }));
}

/** Signs the server's challenge (`PublicKeyCredentialRequestOptionsJSON`) with a passkey the user picks. */
export function signWithPasskey(options: unknown): Promise<Ceremony<AuthenticationResponseJSON>> {
  return run(() => startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON }));
}

export const PASSKEY_NAME_MAX_LENGTH = 64;

/** "Chrome on macOS": a first name for a new passkey, which the user may change. */
export function defaultPasskeyName(userAgent: string | undefined = globalThis.navigator?.userAgent): string {
  const device = describeUserAgent(userAgent);
  return device === 'Unknown device' ? 'Passkey' : device;
}

/** The name as it will be saved; an error sentence when it can't be. */
export function validatePasskeyName(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter a name for the passkey.';
  if ([...trimmed].length > PASSKEY_NAME_MAX_LENGTH) return `Use at most ${PASSKEY_NAME_MAX_LENGTH} characters.`;
  return undefined;
}
