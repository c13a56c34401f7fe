import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode } from 'react';
import { MemoryRouter, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { createClient } from '../../graphql/client';
import { ADA, authError, fakeServer, type Handler } from '../../test/fakeServer';

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

function renderApp(path: string, handlers: Record<string, Handler>) {
  const server = fakeServer({ PasswordPolicy: () => ({ passwordPolicy: { minLength: 8, maxLength: 128 } }), ...handlers });
  const client = createClient({ url: 'http://app.test/graphql', fetch: server.fetch });
  render(
    <StrictMode>
      <MemoryRouter initialEntries={[path]}>
        <App client={client} />
        <LocationProbe />
      </MemoryRouter>
    </StrictMode>,
  );
  return { server, user: userEvent.setup() };
}

const location = () => screen.getByTestId('location').textContent;
const calls = (server: ReturnType<typeof fakeServer>, name: string) => server.calls.filter((c) => c.operationName === name);
const SETUP = {
  __typename: 'TwoFactorSetup',
  totpUri: 'otpauth://totp/Chatbot%20Agent:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Chatbot%20Agent',
  secret: 'JBSWY3DPEHPK3PXP',
  backupCodes: ['abcde-fghjk', 'mnpqr-stvwx'],
};

describe('two-factor sign-in', () => {
  it('goes from the password to the code, trusting the device when asked, then on to `next`', async () => {
    let me: typeof ADA | null = null;
    const { server, user } = renderApp('/sign-in?next=%2Faccount', {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }),
      SignIn: () => ({ signIn: { __typename: 'TwoFactorRequired', methods: ['totp', 'backup-code'] } }),
      VerifyTwoFactor: () => {
        me = { ...ADA, twoFactorEnabled: true };
        return { verifyTwoFactor: { __typename: 'AuthSuccess', user: me } };
      },
    });
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Two-factor authentication' });
    expect(location()).toBe('/two-factor?next=%2Faccount');

    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('Enter the 6-digit code from your authenticator app.', { selector: 'p.field-error' })).toBeTruthy();
    expect(calls(server, 'VerifyTwoFactor')).toHaveLength(0);

    await user.type(screen.getByLabelText('Authentication code'), '123 456');
    await user.click(screen.getByLabelText('Trust this device for 30 days'));
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(location()).toBe('/account');
    expect(calls(server, 'VerifyTwoFactor')[0]?.variables).toEqual({ input: { code: '123456', trustDevice: true } });
  });

  it('takes a backup code instead, and says so next to the field when it is wrong', async () => {
    const { server, user } = renderApp('/two-factor', {
      Me: () => ({ me: null }),
      VerifyTwoFactor: () => ({ verifyTwoFactor: authError('INVALID_CREDENTIALS', 'That code didn’t work.', 'code') }),
    });
    await user.click(await screen.findByRole('button', { name: 'Use a backup code instead' }));
    const field = screen.getByLabelText('Backup code');
    expect(field.getAttribute('autocomplete')).toBe('off');
    await user.type(field, ' abcde-fghjk ');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('That code didn’t work.')).toBeTruthy();
    expect(screen.getByLabelText('Backup code').getAttribute('aria-invalid')).toBe('true');
    expect(calls(server, 'VerifyTwoFactor')[0]?.variables).toEqual({ input: { code: 'abcde-fghjk', trustDevice: false } });
  });

  it('sends an expired sign-in back to the password', async () => {
    const { user } = renderApp('/two-factor', {
      Me: () => ({ me: null }),
      VerifyTwoFactor: () => ({ verifyTwoFactor: authError('INVALID_OR_EXPIRED_TOKEN', 'This sign-in has expired. Sign in again.') }),
    });
    await user.type(await screen.findByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('This sign-in has expired. Sign in again.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/sign-in?next=%2Faccount');
  });
});

describe('magic links', () => {
  it('asks for a link with the page to come back to, and answers alike for any address', async () => {
    const { server, user } = renderApp('/sign-in?next=%2Faccount%3Ftab%3D2', {
      Me: () => ({ me: null }),
      RequestMagicLink: () => ({ requestMagicLink: { __typename: 'RequestMagicLinkSuccess', message: 'sent' } }),
    });
    await user.click(await screen.findByRole('link', { name: 'Email me a sign-in link' }));
    await screen.findByRole('heading', { name: 'Sign in with a link' });
    await user.type(screen.getByLabelText('Email'), ' ada@example.com ');
    await user.click(screen.getByRole('button', { name: 'Email me a link' }));
    await screen.findByRole('heading', { name: 'Check your email' });
    expect(screen.getByText('ada@example.com', { selector: 'strong' })).toBeTruthy();
    expect(calls(server, 'RequestMagicLink')[0]?.variables).toEqual({
      input: { email: 'ada@example.com', redirectTo: '/account?tab=2' },
    });
  });

  it('signs in once from the link (even under StrictMode) and goes on to `next`', async () => {
    let me: typeof ADA | null = null;
    const { server } = renderApp('/magic-link?token=tok123&next=%2Faccount', {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }),
      SignInWithMagicLink: () => {
        me = { ...ADA, emailVerified: true };
        return { signInWithMagicLink: { __typename: 'AuthSuccess', user: me } };
      },
    });
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(location()).toBe('/account');
    expect(calls(server, 'SignInWithMagicLink').map((c) => c.variables)).toEqual([{ input: { token: 'tok123' } }]);
  });

  it('continues to the second factor when two-factor is on', async () => {
    renderApp('/magic-link?token=tok123', {
      Me: () => ({ me: null }),
      SignInWithMagicLink: () => ({ signInWithMagicLink: { __typename: 'TwoFactorRequired', methods: ['totp'] } }),
    });
    await screen.findByRole('heading', { name: 'Two-factor authentication' });
    expect(location()).toBe('/two-factor?next=%2Faccount');
  });

  it('explains a used or expired link and offers a new one; an off-site `next` is ignored', async () => {
    renderApp('/magic-link?token=old&next=https%3A%2F%2Fevil.example', {
      Me: () => ({ me: null }),
      SignInWithMagicLink: () => ({
        signInWithMagicLink: authError('INVALID_OR_EXPIRED_TOKEN', 'This sign-in link is invalid or has expired.', 'token'),
      }),
    });
    await screen.findByRole('heading', { name: 'This link doesn’t work' });
    expect(screen.getByRole('alert').textContent).toContain('invalid or has expired');
    expect(screen.getByRole('link', { name: 'Send me a new link' }).getAttribute('href')).toBe('/sign-in/magic-link?next=%2Faccount');
  });
});

describe('account: two-factor section', () => {
  it('turns on with the password, the QR code and a first code, then shows the backup codes once', async () => {
    let me = { ...ADA };
    const { server, user } = renderApp('/account', {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }),
      EnableTwoFactor: ({ input }) =>
        (input as { password: string }).password === 'right password'
          ? { enableTwoFactor: SETUP }
          : { enableTwoFactor: authError('INVALID_CREDENTIALS', 'Password is incorrect.', 'password') },
      ConfirmTwoFactor: () => {
        me = { ...ADA, twoFactorEnabled: true };
        return { confirmTwoFactor: { __typename: 'TwoFactorStatus', message: 'Two-factor authentication is on.', user: me } };
      },
    });
    const section = within(await screen.findByRole('region', { name: 'Two-factor authentication' }));
    await user.click(section.getByRole('button', { name: 'Turn on two-factor' }));
    await user.type(section.getByLabelText('Your password'), 'wrong password');
    await user.click(section.getByRole('button', { name: 'Continue' }));
    expect(await section.findByText('Password is incorrect.')).toBeTruthy();
    await user.clear(section.getByLabelText('Your password'));
    await user.type(section.getByLabelText('Your password'), 'right password');
    await user.click(section.getByRole('button', { name: 'Continue' }));

    expect(await section.findByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeTruthy();
    expect(section.getByTestId('totp-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP');
    expect(section.queryByTestId('backup-codes')).toBeNull(); // not before the setup is confirmed
    await user.type(section.getByLabelText('Code from the app'), '654321');
    await user.click(section.getByRole('button', { name: 'Turn on' }));

    const codes = await section.findByTestId('backup-codes');
    expect(codes.textContent).toContain('abcde-fghjk');
    expect(section.getByText('On.')).toBeTruthy();
    expect(calls(server, 'ConfirmTwoFactor')[0]?.variables).toEqual({ input: { code: '654321' } });
    await user.click(section.getByRole('button', { name: 'I have saved them' }));
    await waitFor(() => expect(section.queryByTestId('backup-codes')).toBeNull());
    expect(section.getByRole('button', { name: 'Turn off two-factor' })).toBeTruthy();
  });

  it('turns off with the password', async () => {
    let me = { ...ADA, twoFactorEnabled: true };
    const { user } = renderApp('/account', {
      Me: () => ({ me }),
      MySessions: () => ({ mySessions: [] }),
      DisableTwoFactor: () => {
        me = { ...ADA, twoFactorEnabled: false };
        return { disableTwoFactor: { __typename: 'TwoFactorStatus', message: 'Two-factor authentication is off.', user: me } };
      },
    });
    const section = within(await screen.findByRole('region', { name: 'Two-factor authentication' }));
    await user.click(section.getByRole('button', { name: 'Turn off two-factor' }));
    await user.type(section.getByLabelText('Your password'), 'right password');
    await user.click(section.getByRole('button', { name: 'Turn off' }));
    expect(await section.findByText('Two-factor authentication is off.')).toBeTruthy();
    expect(section.getByRole('button', { name: 'Turn on two-factor' })).toBeTruthy();
  });
});
