import { describe, expect, it } from 'vitest';
import { oauthErrorMessage } from './oauthErrors';

const providers = [
  { id: 'github', name: 'GitHub' },
  { id: 'acme', name: 'Acme ID' },
];

describe('oauthErrorMessage', () => {
  it('says nothing without an error', () => {
    expect(oauthErrorMessage(null, 'github', providers)).toBeUndefined();
  });

  it('names the provider the server listed', () => {
    expect(oauthErrorMessage('access_denied', 'github', providers)).toBe(
      'Signing in with GitHub was cancelled. You can try again, or use another way to sign in.',
    );
    expect(oauthErrorMessage('provider_unavailable', 'acme', providers)).toBe(
      'Acme ID could not be reached. Please try again in a moment.',
    );
  });

  it('never echoes words from the URL', () => {
    const message = oauthErrorMessage('call 555-0100 now', '<b>Evil</b>', providers);
    expect(message).toBe('Signing in did not work. Please try again.');
    expect(oauthErrorMessage('invalid_token', '<b>Evil</b>', providers)).toBe(
      'The answer from the provider could not be verified. Please start again.',
    );
  });

  it('explains why an unverified email is not linked to an existing account', () => {
    expect(oauthErrorMessage('email_in_use_unverified', 'acme', providers)).toContain('Acme ID has not verified the address');
  });
});
