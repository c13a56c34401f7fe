import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { createClient } from '../graphql/client';
import { LinkedAccountsSection } from '../pages/account/LinkedAccountsSection';
import { authError, fakeServer, type Handler } from '../test/fakeServer';
import { SocialSignIn } from './SocialSignIn';

const PROVIDERS = [
  { id: 'google', name: 'Google' },
  { id: 'github', name: 'GitHub' },
];

function renderWith(path: string, ui: React.ReactElement, handlers: Record<string, Handler>) {
  const server = fakeServer(handlers);
  const client = createClient({ url: 'http://app.test/graphql', fetch: server.fetch });
  render(
    <Provider value={client}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </Provider>,
  );
  return { server, user: userEvent.setup() };
}

describe('SocialSignIn', () => {
  it('shows nothing when no provider is configured', async () => {
    const { server } = renderWith('/sign-in', <SocialSignIn />, { SocialProviders: () => ({ socialProviders: [] }) });
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByText('or with your email')).toBeNull();
  });

  it('starts the sign-in with the page to come back to, then leaves for the provider', async () => {
    const go = vi.fn();
    const { server, user } = renderWith('/sign-in?next=%2Fsettings', <SocialSignIn next="/settings" go={go} />, {
      SocialProviders: () => ({ socialProviders: PROVIDERS }),
      SocialSignIn: () => ({ socialSignIn: { __typename: 'SocialSignInRedirect', url: 'https://accounts.example/auth?x=1' } }),
    });
    await user.click(await screen.findByRole('button', { name: 'Continue with GitHub' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://accounts.example/auth?x=1'));
    expect(server.calls.find((c) => c.operationName === 'SocialSignIn')?.variables).toEqual({
      input: { provider: 'github', redirectTo: '/settings' },
    });
    expect(screen.getByRole('button', { name: 'Opening GitHub…' })).toHaveProperty('disabled', true);
  });

  it('never sends an outside `next` as the place to come back to', async () => {
    const go = vi.fn();
    const { server, user } = renderWith('/sign-in', <SocialSignIn next="//evil.example" go={go} />, {
      SocialProviders: () => ({ socialProviders: PROVIDERS }),
      SocialSignIn: () => ({ socialSignIn: { __typename: 'SocialSignInRedirect', url: 'https://accounts.example/' } }),
    });
    await user.click(await screen.findByRole('button', { name: 'Continue with Google' }));
    await waitFor(() => expect(go).toHaveBeenCalled());
    expect(server.calls.find((c) => c.operationName === 'SocialSignIn')?.variables).toEqual({
      input: { provider: 'google', redirectTo: '/account' },
    });
  });

  it('says why the provider could not be used', async () => {
    const go = vi.fn();
    const { user } = renderWith('/sign-in', <SocialSignIn go={go} />, {
      SocialProviders: () => ({ socialProviders: PROVIDERS }),
      SocialSignIn: () => ({ socialSignIn: authError('PROVIDER_UNAVAILABLE', 'Google could not be reached. Please try again in a moment.', 'provider') }),
    });
    await user.click(await screen.findByRole('button', { name: 'Continue with Google' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Google could not be reached');
    expect(go).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Continue with Google' })).toHaveProperty('disabled', false);
  });

  it('shows the error the callback came back with, by its code', async () => {
    renderWith('/sign-in?oauth_error=access_denied&provider=github', <SocialSignIn />, {
      SocialProviders: () => ({ socialProviders: PROVIDERS }),
    });
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Signing in with GitHub was cancelled.'),
    );
  });
});

describe('LinkedAccountsSection', () => {
  const accounts = [
    { id: 'a1', providerId: 'credential', providerName: 'Password', accountId: 'u1', createdAt: '2025-01-02T10:00:00+00:00' },
    { id: 'a2', providerId: 'github', providerName: 'GitHub', accountId: '583231', createdAt: '2025-02-03T10:00:00+00:00' },
  ];

  it('lists the ways in, connects another provider and disconnects one', async () => {
    const go = vi.fn();
    let current = accounts;
    const { server, user } = renderWith('/account', <LinkedAccountsSection onAuthError={() => {}} go={go} />, {
      SocialProviders: () => ({ socialProviders: PROVIDERS }),
      MyAccounts: () => ({ myAccounts: current }),
      LinkSocialAccount: () => ({ linkSocialAccount: { __typename: 'SocialSignInRedirect', url: 'https://accounts.google.test/' } }),
      UnlinkAccount: () => {
        current = accounts.slice(0, 1);
        return { unlinkAccount: { __typename: 'UnlinkAccountSuccess', message: 'The account was disconnected.' } };
      },
    });
    expect(await screen.findByRole('heading', { name: 'Sign-in methods' })).toBeTruthy();
    expect(await screen.findByText('Password')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Connect GitHub' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Disconnect GitHub' }));
    expect(await screen.findByText('GitHub was disconnected.')).toBeTruthy();
    expect(server.calls.find((c) => c.operationName === 'UnlinkAccount')?.variables).toEqual({ id: 'a2' });
    await waitFor(() => expect(screen.getByText(/your only way to sign in/)).toBeTruthy());

    await user.click(await screen.findByRole('button', { name: 'Connect GitHub' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://accounts.google.test/'));
    expect(server.calls.find((c) => c.operationName === 'LinkSocialAccount')?.variables).toEqual({
      input: { provider: 'github', redirectTo: '/account' },
    });
    expect(screen.getByRole('button', { name: 'Connect Google' })).toHaveProperty('disabled', true);
  });

  it('offers no way to remove the only way in, and reports the server refusing it', async () => {
    const { user } = renderWith('/account?linked=github', <LinkedAccountsSection onAuthError={() => {}} />, {
      SocialProviders: () => ({ socialProviders: PROVIDERS }),
      MyAccounts: () => ({ myAccounts: [accounts[1]] }),
      UnlinkAccount: () => ({ unlinkAccount: authError('LAST_SIGN_IN_METHOD', 'This is your only way to sign in.') }),
    });
    expect(await screen.findByText('GitHub is now connected.')).toBeTruthy();
    expect(await screen.findByText(/your only way to sign in/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Disconnect GitHub' })).toBeNull();
    expect(user).toBeTruthy();
  });

  it('is not shown where social sign-in is not configured', async () => {
    const { server } = renderWith('/account', <LinkedAccountsSection onAuthError={() => {}} />, {
      SocialProviders: () => ({ socialProviders: [] }),
      MyAccounts: () => ({ myAccounts: accounts.slice(0, 1) }),
    });
    await waitFor(() => expect(server.calls.length).toBe(2));
    expect(screen.queryByRole('heading', { name: 'Sign-in methods' })).toBeNull();
  });
});
