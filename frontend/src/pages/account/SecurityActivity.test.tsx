import { render, screen, within } from '@testing-library/react';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../graphql/client';
import { fakeServer } from '../../test/fakeServer';
import { describeSecurityEvent, SecurityActivity } from './SecurityActivity';

const base = { code: null, method: null, revokedSessions: null };

describe('describeSecurityEvent', () => {
  it('says what happened in words', () => {
    expect(describeSecurityEvent({ ...base, event: 'session.signed_in', method: 'password' })).toBe('Signed in');
    expect(describeSecurityEvent({ ...base, event: 'session.signed_in', method: 'passkey' })).toBe('Signed in with a passkey');
    expect(describeSecurityEvent({ ...base, event: 'session.signed_in', method: 'oauth:github' })).toBe('Signed in with Github');
    expect(describeSecurityEvent({ ...base, event: 'session.sign_in_failed', code: 'INVALID_CREDENTIALS', method: 'password' })).toBe(
      'Sign-in failed: wrong password',
    );
    expect(describeSecurityEvent({ ...base, event: 'session.sign_in_failed', code: 'INVALID_CREDENTIALS', method: 'two-factor' })).toBe(
      'Sign-in failed: wrong code',
    );
    expect(describeSecurityEvent({ ...base, event: 'session.sign_in_failed', code: 'EMAIL_NOT_VERIFIED' })).toBe('Sign-in refused');
    expect(describeSecurityEvent({ ...base, event: 'session.revoked', revokedSessions: 3 })).toBe('Signed out of 3 sessions');
    expect(describeSecurityEvent({ ...base, event: 'password.changed' })).toBe('Password changed');
    expect(describeSecurityEvent({ ...base, event: 'passkey.renamed' })).toBe('Passkey renamed'); // not known here yet
  });
});

describe('SecurityActivity', () => {
  it('lists the last 20 events with time, device and address', async () => {
    const server = fakeServer({
      MySecurityEvents: () => ({
        mySecurityEvents: [
          { __typename: 'SecurityEvent', id: '2', event: 'session.sign_in_failed', createdAt: '2026-11-25T10:00:00+00:00', code: 'INVALID_CREDENTIALS', method: 'password', ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Firefox/140.0', revokedSessions: null },
          { __typename: 'SecurityEvent', id: '1', event: 'user.signed_up', createdAt: '2026-11-24T10:00:00+00:00', code: null, method: 'password', ipAddress: null, userAgent: null, revokedSessions: null },
        ],
      }),
    });
    render(
      <Provider value={createClient({ url: 'http://app.test/graphql', fetch: server.fetch })}>
        <SecurityActivity />
      </Provider>,
    );
    const region = screen.getByRole('region', { name: 'Recent security activity' });
    const items = await within(region).findAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.session-device')?.textContent)).toEqual(['Sign-in failed: wrong password', 'Account created']);
    expect(items[0]?.textContent).toContain('Firefox on Windows');
    expect(items[0]?.textContent).toContain('203.0.113.7');
    expect(server.calls[0]?.variables).toEqual({ limit: 20 });
  });

  it('says so when there is nothing yet', async () => {
    const server = fakeServer({ MySecurityEvents: () => ({ mySecurityEvents: [] }) });
    render(
      <Provider value={createClient({ url: 'http://app.test/graphql', fetch: server.fetch })}>
        <SecurityActivity />
      </Provider>,
    );
    expect(await screen.findByText('Nothing yet.')).toBeTruthy();
  });
});
