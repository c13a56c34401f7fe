import { WebAuthnError } from '@simplewebauthn/browser';
import { describe, expect, it } from 'vitest';
import {
  createPasskey,
  defaultPasskeyName,
  PASSKEY_CANCELLED_MESSAGE,
  PASSKEYS_UNSUPPORTED_MESSAGE,
  passkeyErrorMessage,
  validatePasskeyName,
} from './passkeys';

const webAuthnError = (code: ConstructorParameters<typeof WebAuthnError>[0]['code'], name = 'Error') =>
  new WebAuthnError({ message: code, code, cause: new Error(code), name });

describe('passkey errors', () => {
  it('says when a device already holds a passkey for the account', () => {
    expect(passkeyErrorMessage(webAuthnError('ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED', 'InvalidStateError'))).toEqual({
      message: 'This device already has a passkey for your account.',
      cancelled: false,
    });
  });

  it('treats a closed prompt or a timeout as cancelled', () => {
    expect(passkeyErrorMessage(webAuthnError('ERROR_CEREMONY_ABORTED', 'AbortError'))).toEqual({
      message: PASSKEY_CANCELLED_MESSAGE,
      cancelled: true,
    });
    expect(passkeyErrorMessage(new DOMException('timed out or not allowed', 'NotAllowedError')).cancelled).toBe(true);
  });

  it('names a wrong web address and anything else generically', () => {
    expect(passkeyErrorMessage(webAuthnError('ERROR_INVALID_DOMAIN', 'SecurityError')).message).toMatch(/web address/);
    expect(passkeyErrorMessage(new Error('boom'))).toEqual({
      message: 'Your device couldn’t complete the passkey request. Please try again.',
      cancelled: false,
    });
  });

  it('says so when the browser has no WebAuthn (jsdom has none)', async () => {
    expect(await createPasskey({})).toEqual({ ok: false, message: PASSKEYS_UNSUPPORTED_MESSAGE, cancelled: false });
  });
});

describe('passkey names', () => {
  it('starts from the browser and system', () => {
    const chromeMac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
    expect(defaultPasskeyName(chromeMac)).toBe('Chrome on macOS');
    expect(defaultPasskeyName('')).toBe('Passkey');
  });

  it('needs some text and at most 64 characters', () => {
    expect(validatePasskeyName('  ')).toBe('Enter a name for the passkey.');
    expect(validatePasskeyName('x'.repeat(65))).toBe('Use at most 64 characters.');
    expect(validatePasskeyName(' Work laptop ')).toBeUndefined();
  });
});
