import { screen, waitFor, within } from '@testing-library/react';
import type userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ADA, authError } from '../test/fakeServer';
import { location, renderApp } from '../test/renderApp';

const signedOut = { Me: () => ({ me: null }) };
const signedIn = { Me: () => ({ me: ADA }), MySessions: () => ({ mySessions: [] }), MyPasskeys: () => ({ myPasskeys: [] }) };

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('route guards', () => {
  it('sends a signed-out visitor of /account to sign-in, and back after signing in', async () => {
    let me: typeof ADA | null = null;
    const { server, user } = renderApp('/account', {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }), MyPasskeys: () => ({ myPasskeys: [] }),
      SignIn: () => {
        me = ADA;
        return { signIn: { __typename: 'AuthSuccess', user: ADA } };
      },
    });
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location()).toBe('/sign-in?next=%2Faccount');
    expect(screen.getByText('Please sign in to continue.')).toBeTruthy();

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(location()).toBe('/account');
    expect(server.calls.find((c) => c.operationName === 'SignIn')?.variables).toEqual({
      input: { email: 'ada@example.com', password: 'analytical engine' },
    });
  });

  it('skips signed-in users from /sign-in and /sign-up to /account', async () => {
    renderApp('/sign-up', signedIn);
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(location()).toBe('/account');
  });

  it('sends / to sign-in or account by auth state', async () => {
    renderApp('/', signedOut);
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location()).toBe('/sign-in');
  });

  it('offers a retry when the server cannot be reached on load', async () => {
    let up = false;
    const { user } = renderApp('/account', {
      Me: () => (up ? { me: ADA } : new Response('Bad gateway', { status: 502, headers: { 'content-type': 'text/plain' } })),
      MySessions: () => ({ mySessions: [] }), MyPasskeys: () => ({ myPasskeys: [] }),
    });
    await screen.findByRole('heading', { name: 'Can’t reach the server' });
    expect(screen.getByRole('alert').textContent).toMatch(/can’t reach the server/i);
    up = true;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
  });
});

describe('sign in', () => {
  it('shows a wrong password at form level, announced, and keeps the user on the page', async () => {
    const { user } = renderApp('/sign-in', {
      ...signedOut,
      SignIn: () => ({ signIn: authError('INVALID_CREDENTIALS', 'Email or password is incorrect.') }),
    });
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByText('Email or password is incorrect.');
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    expect(location()).toBe('/sign-in');
  });

  it('checks empty fields without calling the server and focuses the first', async () => {
    const { server, user } = renderApp('/sign-in', signedOut);
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    const email = screen.getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter your email address.').id).toBe(email.getAttribute('aria-describedby'));
    expect(document.activeElement).toBe(email);
    expect(server.calls.some((c) => c.operationName === 'SignIn')).toBe(false);
  });

  it('disables submit while the request is pending', async () => {
    const answer = deferred<unknown>();
    const { server, user } = renderApp('/sign-in', { ...signedOut, SignIn: () => answer.promise });
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const button = await screen.findByRole('button', { name: /signing in/i });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await user.click(button);
    await user.keyboard('{Enter}');
    expect(server.calls.filter((c) => c.operationName === 'SignIn')).toHaveLength(1);
    answer.resolve({ signIn: authError('INVALID_CREDENTIALS', 'Email or password is incorrect.') });
    await screen.findByText('Email or password is incorrect.');
    expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says so when the server is unreachable', async () => {
    const { user } = renderApp('/sign-in', {
      ...signedOut,
      SignIn: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText(/can’t reach the server right now/i);
  });

  it('shows the retry time when rate limited', async () => {
    const { user } = renderApp('/sign-in', {
      ...signedOut,
      SignIn: () => ({ signIn: authError('RATE_LIMITED', 'Too many attempts. Try again in 300 seconds.', null, 300) }),
    });
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('Too many attempts. Try again in 5 minutes.');
  });
});

describe('sign up', () => {
  async function fill(user: ReturnType<typeof userEvent.setup>, password = 'analytical engine', confirm = password) {
    await user.type(await screen.findByLabelText('First name'), 'Ada');
    await user.type(screen.getByLabelText('Last name'), 'Lovelace');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), password);
    await user.type(screen.getByLabelText('Confirm password'), confirm);
    await user.click(screen.getByRole('button', { name: 'Create account' }));
  }

  it('shows the password rules from the server before submit', async () => {
    renderApp('/sign-up', { ...signedOut, PasswordPolicy: () => ({ passwordPolicy: { minLength: 12, maxLength: 64 } }) });
    const rules = await screen.findByRole('list', { name: 'Password rules' });
    await within(rules).findByText('12 to 64 characters');
    expect(screen.getByLabelText('Password').getAttribute('aria-describedby')).toBe(rules.parentElement?.id);
  });

  it('checks the confirmation on the client', async () => {
    const { server, user } = renderApp('/sign-up', signedOut);
    await fill(user, 'analytical engine', 'analytical engines');
    expect(screen.getByText('The passwords do not match.')).toBeTruthy();
    expect(server.calls.some((c) => c.operationName === 'SignUp')).toBe(false);
  });

  it('puts a server error next to the field it names', async () => {
    const { user } = renderApp('/sign-up', {
      ...signedOut,
      SignUp: () => ({ signUp: authError('EMAIL_TAKEN', 'An account with this email already exists.', 'email') }),
    });
    await fill(user);
    const message = await screen.findByText('An account with this email already exists.');
    const email = screen.getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(email.getAttribute('aria-describedby')).toContain(message.id);
    expect(document.activeElement).toBe(email);
    expect(screen.getByText('1 field needs your attention.')).toBeTruthy();
  });

  it('signs up and lands on the account page', async () => {
    let me: typeof ADA | null = null;
    const { server, user } = renderApp('/sign-up', {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }), MyPasskeys: () => ({ myPasskeys: [] }),
      SignUp: () => {
        me = ADA;
        return { signUp: { __typename: 'AuthSuccess', user: ADA } };
      },
    });
    await fill(user);
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(location()).toBe('/account');
    expect(server.calls.find((c) => c.operationName === 'SignUp')?.variables).toEqual({
      input: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', password: 'analytical engine' },
    });
  });
});

describe('password reset', () => {
  it('says "check your email" whatever the email', async () => {
    const { user } = renderApp('/forgot-password', {
      ...signedOut,
      RequestPasswordReset: () => ({
        requestPasswordReset: { __typename: 'RequestPasswordResetSuccess', message: 'If an account exists…' },
      }),
    });
    await user.type(await screen.findByLabelText('Email'), 'nobody@example.com');
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));
    await screen.findByRole('heading', { name: 'Check your email' });
    expect(screen.getByText('nobody@example.com')).toBeTruthy();
  });

  it('sets a new password with the token from the link, then offers sign-in', async () => {
    const { server, user } = renderApp('/reset-password?token=abc123', {
      ...signedOut,
      ResetPassword: () => ({
        resetPassword: { __typename: 'ResetPasswordSuccess', message: 'Your password has been reset. Sign in with your new password.' },
      }),
    });
    await user.type(await screen.findByLabelText('New password'), 'a brand new secret');
    await user.type(screen.getByLabelText('Confirm new password'), 'a brand new secret');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    await screen.findByRole('heading', { name: 'Password changed' });
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
    expect(server.calls.find((c) => c.operationName === 'ResetPassword')?.variables).toEqual({
      input: { token: 'abc123', newPassword: 'a brand new secret' },
    });
  });

  it('maps a weak new password to the new-password field', async () => {
    const { user } = renderApp('/reset-password?token=abc123', {
      ...signedOut,
      ResetPassword: () => ({ resetPassword: authError('WEAK_PASSWORD', 'This password is too common. Choose another.', 'newPassword') }),
    });
    await user.type(await screen.findByLabelText('New password'), 'password123');
    await user.type(screen.getByLabelText('Confirm new password'), 'password123');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    const message = await screen.findByText('This password is too common. Choose another.');
    expect(screen.getByLabelText('New password').getAttribute('aria-describedby')).toContain(message.id);
  });

  it('explains an expired link and offers a new one', async () => {
    const { user } = renderApp('/reset-password?token=old', {
      ...signedOut,
      ResetPassword: () => ({
        resetPassword: authError('INVALID_OR_EXPIRED_TOKEN', 'This reset link is invalid or has expired. Request a new one.', 'token'),
      }),
    });
    await user.type(await screen.findByLabelText('New password'), 'a brand new secret');
    await user.type(screen.getByLabelText('Confirm new password'), 'a brand new secret');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    await screen.findByRole('heading', { name: 'This link can’t be used' });
    expect(screen.getByRole('link', { name: 'Request a new link' }).getAttribute('href')).toBe('/forgot-password');
  });

  it('needs a token', async () => {
    renderApp('/reset-password', signedOut);
    await screen.findByRole('heading', { name: 'This link can’t be used' });
  });
});

describe('account', () => {
  it('shows the user and signs out', async () => {
    let me: typeof ADA | null = ADA;
    const { user } = renderApp('/account', {
      Me: () => ({ me }),
      MySessions: () => ({
        mySessions: [
          { __typename: 'Session', id: 's1', createdAt: ADA.createdAt, expiresAt: ADA.createdAt, ipAddress: '127.0.0.1', userAgent: 'curl/8', current: true },
        ],
      }),
      SignOut: () => {
        me = null;
        return { signOut: true };
      },
    });
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(screen.getAllByText('ada@example.com').length).toBeGreaterThan(0);
    await screen.findByText('This device');
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location()).toBe('/sign-in');
    expect(screen.getByText('You have signed out.')).toBeTruthy();
  });

  it('signs out the other sessions', async () => {
    let sessions = [
      { __typename: 'Session', id: 's1', createdAt: ADA.createdAt, expiresAt: ADA.createdAt, ipAddress: null, userAgent: null, current: true },
      { __typename: 'Session', id: 's2', createdAt: ADA.createdAt, expiresAt: ADA.createdAt, ipAddress: null, userAgent: 'Firefox/1 (Windows)', current: false },
    ];
    const { user } = renderApp('/account', {
      Me: () => ({ me: ADA }),
      MySessions: () => ({ mySessions: sessions }),
      RevokeOtherSessions: () => {
        sessions = sessions.filter((s) => s.current);
        return { revokeOtherSessions: { __typename: 'RevokeSessionsSuccess', revokedSessions: 1 } };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Sign out other sessions' }));
    await screen.findByText('Signed out of 1 session.');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Sign out other sessions' })).toBeNull());
  });
});

describe('change password', () => {
  it('maps a wrong current password to its field, then empties the form on success', async () => {
    let calls = 0;
    const { user } = renderApp('/account', {
      ...signedIn,
      ChangePassword: () =>
        ++calls === 1
          ? { changePassword: authError('INVALID_CREDENTIALS', 'Current password is incorrect.', 'currentPassword') }
          : { changePassword: { __typename: 'ChangePasswordSuccess', message: 'Your password has been changed.', revokedSessions: 2 } },
    });
    const current = await screen.findByLabelText('Current password');
    await user.type(current, 'wrong one');
    await user.type(screen.getByLabelText('New password'), 'a brand new secret');
    await user.type(screen.getByLabelText('Confirm new password'), 'a brand new secret');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await screen.findByText('Current password is incorrect.');
    expect(current.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(current);
    await user.clear(current);
    await user.type(current, 'right one');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await screen.findByText('Your password has been changed. 2 other sessions were signed out.');
    expect((current as HTMLInputElement).value).toBe('');
  });
});
