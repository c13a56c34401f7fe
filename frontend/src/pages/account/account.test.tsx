import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADA, authError } from '../../test/fakeServer';
import { location, renderApp } from '../../test/renderApp';

const signedIn = { Me: () => ({ me: ADA }), MySessions: () => ({ mySessions: [] }) };
const VERIFIED = { ...ADA, emailVerified: true };

describe('verify-your-email notice', () => {
  it('shows for an unverified address and mails a new link, or says when to retry', async () => {
    let calls = 0;
    const { user } = renderApp('/account', {
      ...signedIn,
      SendVerificationEmail: () =>
        ++calls === 1
          ? { sendVerificationEmail: { __typename: 'SendVerificationEmailSuccess', message: 'We sent a new link to ada@example.com.' } }
          : { sendVerificationEmail: authError('RATE_LIMITED', 'Too many attempts.', null, 120) },
    });
    const notice = await screen.findByRole('region', { name: 'Verify your email address' });
    expect(within(notice).getByText('ada@example.com')).toBeTruthy();
    expect(screen.getByText('Not verified')).toBeTruthy();
    await user.click(within(notice).getByRole('button', { name: 'Send a new link' }));
    await within(notice).findByText('We sent a new link to ada@example.com.');
    await user.click(within(notice).getByRole('button', { name: 'Send a new link' }));
    await within(notice).findByText('Too many attempts. Try again in 2 minutes.');
  });

  it('is absent for a verified address, and when the server does not verify addresses', async () => {
    renderApp('/account', { ...signedIn, Me: () => ({ me: VERIFIED }) });
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(screen.getByText('Verified')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Verify your email address' })).toBeNull();
  });

  it('is absent with EMAIL_VERIFICATION=off', async () => {
    const { server } = renderApp('/account', { ...signedIn, EmailVerificationMode: () => ({ emailVerificationMode: 'OFF' }) });
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    await waitFor(() => expect(server.calls.some((c) => c.operationName === 'EmailVerificationMode')).toBe(true));
    expect(screen.queryByRole('region', { name: 'Verify your email address' })).toBeNull();
  });
});

describe('edit name', () => {
  it('saves the new name, shows it everywhere and returns focus to the button', async () => {
    const { server, user } = renderApp('/account', {
      ...signedIn,
      UpdateProfile: ({ input }) => {
        const { firstName, lastName } = input as { firstName: string; lastName: string };
        return { updateProfile: { __typename: 'UpdateProfileSuccess', user: { ...ADA, firstName, lastName } } };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Edit name' }));
    const first = screen.getByLabelText('First name');
    expect((first as HTMLInputElement).value).toBe('Ada');
    expect(document.activeElement).toBe(first);
    await user.clear(first);
    await user.type(first, ' Augusta Ada ');
    await user.clear(screen.getByLabelText('Last name'));
    await user.type(screen.getByLabelText('Last name'), 'King');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    await screen.findByRole('heading', { name: 'Augusta Ada King' });
    await screen.findByText('Your name has been saved.');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit name' }));
    expect(server.calls.find((c) => c.operationName === 'UpdateProfile')?.variables).toEqual({
      input: { firstName: 'Augusta Ada', lastName: 'King' },
    });
  });

  it('checks empty names on the client and shows the server’s verdict next to its field', async () => {
    const { server, user } = renderApp('/account', {
      ...signedIn,
      UpdateProfile: () => ({ updateProfile: authError('INVALID_INPUT', 'The last name contains characters we can’t accept.', 'lastName') }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit name' }));
    await user.clear(screen.getByLabelText('First name'));
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    expect(screen.getByText('Enter your first name.')).toBeTruthy();
    expect(server.calls.some((c) => c.operationName === 'UpdateProfile')).toBe(false);

    await user.type(screen.getByLabelText('First name'), 'Ada');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    const message = await screen.findByText('The last name contains characters we can’t accept.');
    expect(screen.getByLabelText('Last name').getAttribute('aria-describedby')).toContain(message.id);
  });

  it('cancels without a request', async () => {
    const { server, user } = renderApp('/account', signedIn);
    await user.click(await screen.findByRole('button', { name: 'Edit name' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByLabelText('First name')).toBeNull();
    expect(server.calls.some((c) => c.operationName === 'UpdateProfile')).toBe(false);
  });
});

describe('change email', () => {
  function section() {
    return screen.findByRole('region', { name: 'Change email address' });
  }

  it('explains the link, refuses the current address on the client and shows a taken address at its field', async () => {
    const { server, user } = renderApp('/account', {
      ...signedIn,
      ChangeEmail: () => ({ changeEmail: authError('EMAIL_TAKEN', 'An account with this email already exists.', 'newEmail') }),
    });
    const card = await section();
    expect(card.textContent).toContain('We’ll send a confirmation link to the new address');
    await user.type(within(card).getByLabelText('New email'), 'ADA@example.com');
    await user.type(within(card).getByLabelText('Password'), 'analytical engine');
    await user.click(within(card).getByRole('button', { name: 'Send confirmation link' }));
    expect(within(card).getByText('This is already your email address.')).toBeTruthy();
    expect(server.calls.some((c) => c.operationName === 'ChangeEmail')).toBe(false);

    await user.clear(within(card).getByLabelText('New email'));
    await user.type(within(card).getByLabelText('New email'), 'taken@example.com');
    await user.click(within(card).getByRole('button', { name: 'Send confirmation link' }));
    const message = await within(card).findByText('An account with this email already exists.');
    expect(within(card).getByLabelText('New email').getAttribute('aria-describedby')).toContain(message.id);
  });

  it('maps a wrong password to the password field, then confirms the mail and empties the form', async () => {
    let calls = 0;
    const { server, user } = renderApp('/account', {
      ...signedIn,
      ChangeEmail: () =>
        ++calls === 1
          ? { changeEmail: authError('INVALID_CREDENTIALS', 'The password is incorrect.', 'password') }
          : { changeEmail: { __typename: 'ChangeEmailSuccess', message: 'We sent a confirmation link to ada@new.example.' } },
    });
    const card = await section();
    await user.type(within(card).getByLabelText('New email'), ' ada@new.example ');
    await user.type(within(card).getByLabelText('Password'), 'wrong one');
    await user.click(within(card).getByRole('button', { name: 'Send confirmation link' }));
    await within(card).findByText('The password is incorrect.');
    expect(document.activeElement).toBe(within(card).getByLabelText('Password'));
    await user.clear(within(card).getByLabelText('Password'));
    await user.type(within(card).getByLabelText('Password'), 'analytical engine');
    await user.click(within(card).getByRole('button', { name: 'Send confirmation link' }));
    await within(card).findByText('We sent a confirmation link to ada@new.example.');
    expect((within(card).getByLabelText('New email') as HTMLInputElement).value).toBe('');
    expect(server.calls.filter((c) => c.operationName === 'ChangeEmail')[1]?.variables).toEqual({
      input: { newEmail: 'ada@new.example', password: 'analytical engine' },
    });
    expect(screen.getByRole('heading', { name: 'Ada Lovelace' })).toBeTruthy(); // nothing changes until the link
  });
});

describe('delete account', () => {
  it('asks in a dialog; cancel closes it and sends nothing', async () => {
    const { server, user } = renderApp('/account', signedIn);
    const open = await screen.findByRole('button', { name: 'Delete account…' });
    await user.click(open);
    const dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Password'));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(open);
    expect(server.calls.some((c) => c.operationName === 'DeleteAccount')).toBe(false);
  });

  it('needs the right password, then signs out to the sign-in page with a notice', async () => {
    let me: typeof ADA | null = ADA;
    const { server, user } = renderApp('/account', {
      ...signedIn,
      Me: () => ({ me }),
      DeleteAccount: ({ input }) => {
        if ((input as { password: string }).password !== 'analytical engine') {
          return { deleteAccount: authError('INVALID_CREDENTIALS', 'The password is incorrect.', 'password') };
        }
        me = null;
        return { deleteAccount: { __typename: 'DeleteAccountSuccess', deleted: true, message: 'Your account has been deleted.' } };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Delete account…' }));
    let dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
    expect(within(dialog).getByText('Enter your password.')).toBeTruthy();

    await user.type(within(dialog).getByLabelText('Password'), 'wrong one');
    await user.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
    await within(dialog).findByText('The password is incorrect.');

    dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    await user.clear(within(dialog).getByLabelText('Password'));
    await user.type(within(dialog).getByLabelText('Password'), 'analytical engine');
    await user.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location()).toBe('/sign-in');
    expect(screen.getByText('Your account has been deleted.')).toBeTruthy();
    expect(server.calls.filter((c) => c.operationName === 'DeleteAccount').map((c) => c.variables)).toEqual([
      { input: { password: 'wrong one' } },
      { input: { password: 'analytical engine' } },
    ]);
  });

  it('confirms through the mailed link for an account without a password', async () => {
    let me: typeof ADA | null = ADA;
    const { server, user } = renderApp('/delete-account?token=del123', {
      ...signedIn,
      Me: () => ({ me }),
      DeleteAccount: () => {
        me = null;
        return { deleteAccount: { __typename: 'DeleteAccountSuccess', deleted: true, message: 'Your account has been deleted.' } };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Delete my account' }));
    await screen.findByText('Your account has been deleted.');
    expect(location()).toBe('/sign-in');
    expect(server.calls.find((c) => c.operationName === 'DeleteAccount')?.variables).toEqual({ input: { token: 'del123' } });
  });
});

describe('EMAIL_VERIFICATION=required', () => {
  it('sign-up without a session says to open the mailed link', async () => {
    const { server, user } = renderApp('/sign-up', {
      Me: () => ({ me: null }),
      SignUp: () => ({
        signUp: authError('EMAIL_NOT_VERIFIED', 'We sent a link to ada@example.com. Open it to verify your address, then sign in.'),
      }),
    });
    await user.type(await screen.findByLabelText('First name'), 'Ada');
    await user.type(screen.getByLabelText('Last name'), 'Lovelace');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.type(screen.getByLabelText('Confirm password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await screen.findByRole('heading', { name: 'Check your email' });
    expect(screen.getByText(/We sent a link to ada@example.com./).getAttribute('role')).toBe('status');
    expect(screen.getByRole('link', { name: 'Go to sign in' }).getAttribute('href')).toBe('/sign-in');
    expect(server.calls.filter((c) => c.operationName === 'Me')).toHaveLength(1); // no session to ask about
  });

  it('shows why at form level', async () => {
    const { user } = renderApp('/sign-in', {
      Me: () => ({ me: null }),
      SignIn: () => ({
        signIn: authError('EMAIL_NOT_VERIFIED', 'Verify your email address first: we sent you a new link.'),
      }),
    });
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'analytical engine');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByText('Verify your email address first: we sent you a new link.');
    expect(alert.closest('[role="alert"]')).not.toBeNull();
  });
});
