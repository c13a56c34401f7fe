import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../App';
import { createClient } from '../../graphql/client';
import { ADA, authError, fakeServer, type Handler } from '../../test/fakeServer';

// The browser's WebAuthn calls, as @simplewebauthn/browser makes them; the ceremony itself runs in the real
// browser tests (tests/e2e/test_passkey_flow.py).
const webauthn = vi.hoisted(() => ({
  startRegistration: vi.fn(),
  startAuthentication: vi.fn(),
}));
vi.mock('@simplewebauthn/browser', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@simplewebauthn/browser')>()),
  browserSupportsWebAuthn: () => true,
  startRegistration: webauthn.startRegistration,
  startAuthentication: webauthn.startAuthentication,
}));

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

function renderApp(path: string, handlers: Record<string, Handler>) {
  const server = fakeServer({ PasswordPolicy: () => ({ passwordPolicy: { minLength: 8, maxLength: 128 } }), ...handlers });
  const client = createClient({ url: 'http://app.test/graphql', fetch: server.fetch });
  render(
    <MemoryRouter initialEntries={[path]}>
      <App client={client} />
      <LocationProbe />
    </MemoryRouter>,
  );
  return { server, user: userEvent.setup() };
}

const PASSKEY = {
  __typename: 'Passkey',
  id: 'pk1',
  name: 'Work laptop',
  createdAt: '2025-03-04T10:00:00+00:00',
  deviceType: 'multiDevice',
  backedUp: true,
  transports: ['internal', 'hybrid'],
};
const OPTIONS = { __typename: 'PasskeyOptions', options: { challenge: 'Y2hhbGxlbmdl', rp: { id: 'app.test', name: 'x' } } };
const REGISTRATION = { id: 'cred', rawId: 'cred', type: 'public-key', response: {}, clientExtensionResults: {} };

beforeEach(() => {
  webauthn.startRegistration.mockReset();
  webauthn.startAuthentication.mockReset();
});

describe('passkeys on the account page', () => {
  it('lists passkeys and adds one with the name given', async () => {
    let passkeys = [PASSKEY];
    webauthn.startRegistration.mockResolvedValue(REGISTRATION);
    const { server, user } = renderApp('/account', {
      Me: () => ({ me: ADA }),
      MySessions: () => ({ mySessions: [] }),
      MyPasskeys: () => ({ myPasskeys: passkeys }),
      PasskeyRegistrationOptions: () => ({ passkeyRegistrationOptions: OPTIONS }),
      RegisterPasskey: ({ input }) => {
        const added = { ...PASSKEY, id: 'pk2', name: (input as { name: string }).name, backedUp: false };
        passkeys = [added, ...passkeys];
        return { registerPasskey: { __typename: 'PasskeySuccess', passkey: added } };
      },
    });
    const section = await screen.findByRole('region', { name: 'Passkeys' });
    const list = await within(section).findByRole('list', { name: 'Your passkeys' });
    expect(within(list).getByText('Work laptop')).toBeTruthy();
    expect(within(list).getByText('Synced')).toBeTruthy();

    const name = within(section).getByLabelText('Name for a new passkey');
    await user.clear(name);
    await user.type(name, 'Phone');
    await user.click(within(section).getByRole('button', { name: 'Add a passkey' }));
    await within(section).findByText('Passkey “Phone” added. You can now sign in with it.');
    expect(webauthn.startRegistration).toHaveBeenCalledWith({ optionsJSON: OPTIONS.options });
    expect(server.calls.find((c) => c.operationName === 'RegisterPasskey')?.variables).toEqual({
      input: { response: REGISTRATION, name: 'Phone' },
    });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2));
  });

  it('says when the device already has a passkey, and sends nothing to the server', async () => {
    const { WebAuthnError } = await vi.importActual<typeof import('@simplewebauthn/browser')>('@simplewebauthn/browser');
    webauthn.startRegistration.mockRejectedValue(
      new WebAuthnError({ message: 'x', code: 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED', cause: new Error('x'), name: 'InvalidStateError' }),
    );
    const { server, user } = renderApp('/account', {
      Me: () => ({ me: ADA }),
      MySessions: () => ({ mySessions: [] }),
      MyPasskeys: () => ({ myPasskeys: [] }),
      PasskeyRegistrationOptions: () => ({ passkeyRegistrationOptions: OPTIONS }),
    });
    const section = await screen.findByRole('region', { name: 'Passkeys' });
    await within(section).findByText('You have no passkeys yet.');
    await user.click(within(section).getByRole('button', { name: 'Add a passkey' }));
    await within(section).findByText('This device already has a passkey for your account.');
    expect(server.calls.some((c) => c.operationName === 'RegisterPasskey')).toBe(false);
  });

  it('renames and deletes after confirming', async () => {
    let passkeys = [PASSKEY];
    const { server, user } = renderApp('/account', {
      Me: () => ({ me: ADA }),
      MySessions: () => ({ mySessions: [] }),
      MyPasskeys: () => ({ myPasskeys: passkeys }),
      RenamePasskey: ({ input }) => {
        passkeys = [{ ...PASSKEY, name: (input as { name: string }).name }];
        return { renamePasskey: { __typename: 'PasskeySuccess', passkey: passkeys[0] } };
      },
      DeletePasskey: ({ id }) => {
        passkeys = [];
        return { deletePasskey: { __typename: 'DeletePasskeySuccess', id } };
      },
    });
    const section = await screen.findByRole('region', { name: 'Passkeys' });
    await user.click(await within(section).findByRole('button', { name: 'Rename Work laptop' }));
    const field = within(section).getByLabelText('New name for Work laptop');
    await user.clear(field);
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    expect(within(section).getByText('Enter a name for the passkey.')).toBeTruthy();
    await user.type(field, 'Desk');
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    await within(section).findByText('Passkey renamed to “Desk”.');
    expect(server.calls.find((c) => c.operationName === 'RenamePasskey')?.variables).toEqual({ input: { id: 'pk1', name: 'Desk' } });

    await user.click(await within(section).findByRole('button', { name: 'Delete Desk' }));
    expect(server.calls.some((c) => c.operationName === 'DeletePasskey')).toBe(false);
    await user.click(within(section).getByRole('button', { name: 'Delete passkey' }));
    await within(section).findByText('Passkey “Desk” deleted.');
    await within(section).findByText('You have no passkeys yet.');
  });

  it('shows a server refusal', async () => {
    const { user } = renderApp('/account', {
      Me: () => ({ me: ADA }),
      MySessions: () => ({ mySessions: [] }),
      MyPasskeys: () => ({ myPasskeys: [] }),
      PasskeyRegistrationOptions: () => ({
        passkeyRegistrationOptions: authError('RATE_LIMITED', 'Too many attempts.', null, 42),
      }),
    });
    const section = await screen.findByRole('region', { name: 'Passkeys' });
    await user.click(await within(section).findByRole('button', { name: 'Add a passkey' }));
    await within(section).findByText('Too many attempts. Try again in 42 seconds.');
    expect(webauthn.startRegistration).not.toHaveBeenCalled();
  });
});

describe('sign in with a passkey', () => {
  const ASSERTION = { id: 'cred', rawId: 'cred', type: 'public-key', response: {}, clientExtensionResults: {} };
  const signedOutThen = () => {
    let me: typeof ADA | null = null;
    return {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }),
      MyPasskeys: () => ({ myPasskeys: [] }),
      PasskeySignInOptions: () => ({ passkeySignInOptions: OPTIONS }),
      SignInWithPasskey: () => {
        me = ADA;
        return { signInWithPasskey: { __typename: 'AuthSuccess', user: ADA } };
      },
    };
  };

  it('signs in with no email or password and goes where the user was going', async () => {
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    const { server, user } = renderApp('/account', signedOutThen());
    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(screen.getByTestId('location').textContent).toBe('/account');
    expect(webauthn.startAuthentication).toHaveBeenCalledWith({ optionsJSON: OPTIONS.options });
    expect(server.calls.find((c) => c.operationName === 'SignInWithPasskey')?.variables).toEqual({ input: { response: ASSERTION } });
  });

  it('goes to the second step when the server asks for one', async () => {
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    const { user } = renderApp('/sign-in?next=%2Fsettings', {
      ...signedOutThen(),
      SignInWithPasskey: () => ({ signInWithPasskey: { __typename: 'TwoFactorRequired', methods: ['totp'] } }),
    });
    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/two-factor?next=%2Fsettings'));
  });

  it('shows a cancelled prompt and a refused passkey, and stays', async () => {
    webauthn.startAuthentication.mockRejectedValueOnce(new DOMException('no', 'NotAllowedError'));
    const { user } = renderApp('/sign-in', {
      ...signedOutThen(),
      SignInWithPasskey: () => ({ signInWithPasskey: authError('INVALID_CREDENTIALS', 'We couldn’t sign you in with this passkey.') }),
    });
    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    const cancelled = await screen.findByText('The passkey request was cancelled or timed out. Please try again.');
    expect(cancelled.closest('[role="alert"]')).not.toBeNull();
    webauthn.startAuthentication.mockResolvedValueOnce(ASSERTION);
    await user.click(screen.getByRole('button', { name: 'Sign in with a passkey' }));
    await screen.findByText('We couldn’t sign you in with this passkey.');
    expect(screen.getByTestId('location').textContent).toBe('/sign-in');
  });
});
