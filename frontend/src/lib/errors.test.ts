import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { createClient } from '../graphql/client';
import { MeQuery } from '../graphql/operations';
import { runQuery } from '../graphql/run';
import { fakeServer, json } from '../test/fakeServer';
import {
  SERVER_ERROR_MESSAGE,
  UNEXPECTED_MESSAGE,
  UNREACHABLE_MESSAGE,
  authErrorMessage,
  formatRetryAfter,
  mapAuthError,
  requestErrorMessage,
  type AuthErrorData,
} from './errors';

function err(code: AuthErrorData['code'], message: string, field: string | null = null, retryAfterSeconds: number | null = null): AuthErrorData {
  return { code, message, field, retryAfterSeconds };
}

const SIGN_UP_FIELDS = ['firstName', 'lastName', 'email', 'password', 'confirmPassword'] as const;

describe('mapAuthError', () => {
  it('puts an error next to the field the server names', () => {
    expect(mapAuthError(err('EMAIL_TAKEN', 'An account already uses this email.', 'email'), SIGN_UP_FIELDS)).toEqual({
      fields: { email: 'An account already uses this email.' },
    });
    expect(mapAuthError(err('WEAK_PASSWORD', 'This password is too common.', 'password'), SIGN_UP_FIELDS)).toEqual({
      fields: { password: 'This password is too common.' },
    });
  });

  it('uses form level when there is no field, or the form does not have it', () => {
    expect(mapAuthError(err('INVALID_CREDENTIALS', 'Email or password is incorrect.'), ['email', 'password'])).toEqual({
      fields: {},
      form: 'Email or password is incorrect.',
    });
    expect(mapAuthError(err('INVALID_INPUT', 'Bad token.', 'token'), ['newPassword', 'confirmPassword'])).toEqual({
      fields: {},
      form: 'Bad token.',
    });
  });

  it('follows aliases from server field names to form field names', () => {
    expect(
      mapAuthError(err('WEAK_PASSWORD', 'Too common.', 'password'), ['newPassword', 'confirmPassword'], { password: 'newPassword' }),
    ).toEqual({ fields: { newPassword: 'Too common.' } });
    expect(mapAuthError(err('WEAK_PASSWORD', 'Too common.', 'newPassword'), ['newPassword', 'confirmPassword'])).toEqual({
      fields: { newPassword: 'Too common.' },
    });
  });

  it('shows RATE_LIMITED at form level with the retry time', () => {
    expect(
      mapAuthError(err('RATE_LIMITED', 'Too many attempts. Try again in 120 seconds.', 'email', 120), ['email', 'password']),
    ).toEqual({ fields: {}, form: 'Too many attempts. Try again in 2 minutes.' });
  });

  it('never shows internal details', () => {
    expect(authErrorMessage(err('INTERNAL', 'KeyError: users'))).toBe(SERVER_ERROR_MESSAGE);
  });
});

describe('formatRetryAfter', () => {
  it.each([
    [0, 'in 1 second'],
    [1, 'in 1 second'],
    [45, 'in 45 seconds'],
    [60, 'in 1 minute'],
    [61, 'in 2 minutes'],
    [899, 'in 15 minutes'],
    [3600, 'in 1 hour'],
    [3900, 'in 1 hour and 5 minutes'],
    [7200, 'in 2 hours'],
  ])('%i seconds → %s', (seconds, text) => {
    expect(formatRetryAfter(seconds)).toBe(text);
  });
});

describe('requestErrorMessage', () => {
  async function meWith(fetch: typeof globalThis.fetch) {
    return runQuery(createClient({ url: 'http://app.test/graphql', fetch }), MeQuery, {});
  }

  it('says the server is unreachable when fetch fails', async () => {
    const outcome = await meWith((async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch);
    expect(outcome).toEqual({ ok: false, message: UNREACHABLE_MESSAGE, unreachable: true });
  });

  it('says the server is unreachable on a non-JSON answer (a proxy error page)', async () => {
    const html = new Response('<html><body>502 Bad Gateway</body></html>', {
      status: 502,
      statusText: 'Bad Gateway',
      headers: { 'content-type': 'text/html' },
    });
    const outcome = await meWith((async () => html) as typeof fetch);
    expect(outcome).toMatchObject({ ok: false, message: UNREACHABLE_MESSAGE, unreachable: true });
  });

  it('says the server is unreachable on a 5xx even with a JSON body', async () => {
    const outcome = await meWith((async () => json({ errors: [{ message: 'boom' }] }, 503)) as typeof fetch);
    expect(outcome).toMatchObject({ ok: false, message: UNREACHABLE_MESSAGE, unreachable: true });
  });

  it('explains a refused (CSRF) request', async () => {
    const outcome = await meWith((async () => json({ errors: [{ message: 'Cross-origin request refused.' }] }, 403)) as typeof fetch);
    expect(outcome).toMatchObject({ ok: false, unreachable: false, message: 'This request was refused. Reload the page and try again.' });
  });

  it('treats GraphQL errors in a 200 answer as unexpected, not as unreachable', async () => {
    const outcome = await meWith((async () => json({ data: null, errors: [{ message: 'Cannot query field' }] })) as typeof fetch);
    expect(outcome).toEqual({ ok: false, message: UNEXPECTED_MESSAGE, unreachable: false });
    expect(requestErrorMessage(new CombinedError({ graphQLErrors: ['x'] }))).toBe(UNEXPECTED_MESSAGE);
  });

  it('returns the data of a good answer', async () => {
    const server = fakeServer({ Me: () => ({ me: null }) });
    const outcome = await meWith(server.fetch);
    expect(outcome).toEqual({ ok: true, data: { me: null } });
  });

  it('sends a same-origin JSON POST (never GET, never a token)', async () => {
    const server = fakeServer({ Me: () => ({ me: null }) });
    await meWith(server.fetch);
    const { init } = server.calls[0]!;
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    expect(new Headers(init.headers).has('authorization')).toBe(false);
  });
});
