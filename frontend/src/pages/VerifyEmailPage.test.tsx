import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADA, authError } from '../test/fakeServer';
import { renderApp } from '../test/renderApp';

const VERIFIED = { ...ADA, emailVerified: true };
const success = (message = 'Your email address ada@example.com is verified.', outcome = 'VERIFIED') => ({
  verifyEmail: { __typename: 'VerifyEmailSuccess', message, outcome, user: VERIFIED },
});

describe('verify email page', () => {
  it('sends the token from the link once, even when effects run twice, and offers sign-in', async () => {
    const { server } = renderApp('/verify-email?token=tok123', { Me: () => ({ me: null }), VerifyEmail: () => success() }, { strict: true });
    await screen.findByRole('heading', { name: 'Email verified' });
    expect(screen.getByText('Your email address ada@example.com is verified.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
    const calls = server.calls.filter((c) => c.operationName === 'VerifyEmail');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.variables).toEqual({ input: { token: 'tok123' } });
  });

  it('asks who is signed in again after the page’s first answer, and leads back to the account', async () => {
    // The first `me` leaves before the link is used and answers after it: its answer predates the change.
    let answerFirstMe!: () => void;
    const firstMe = new Promise<void>((resolve) => (answerFirstMe = resolve));
    let me = ADA;
    let meCalls = 0;
    const { user } = renderApp('/verify-email?token=tok123', {
      Me: async () => {
        const snapshot = me;
        if (++meCalls === 1) await firstMe;
        return { me: snapshot };
      },
      MySessions: () => ({ mySessions: [] }),
      VerifyEmail: () => {
        me = VERIFIED;
        setTimeout(answerFirstMe, 10);
        return success('Your email address is now ada@example.com.', 'EMAIL_CHANGED');
      },
    });
    await screen.findByRole('heading', { name: 'Email address changed' });
    await user.click(await screen.findByRole('link', { name: 'Go to your account' }));
    await screen.findByText('Verified');
    expect(meCalls).toBe(2);
  });

  it('says where the next link went when the current address approved a change', async () => {
    renderApp('/verify-email?token=confirm', {
      Me: () => ({ me: null }),
      VerifyEmail: () => success('We sent a link to ada@new.example. Your email address changes when you open it.', 'CHANGE_CONFIRMED'),
    });
    await screen.findByRole('heading', { name: 'Check your new inbox' });
    expect(screen.getByText(/We sent a link to ada@new\.example\./)).toBeTruthy();
  });

  it('explains a used or expired link and lets a signed-in, unverified user ask for a new one', async () => {
    const { server, user } = renderApp('/verify-email?token=used', {
      Me: () => ({ me: ADA }),
      VerifyEmail: () => ({ verifyEmail: authError('INVALID_OR_EXPIRED_TOKEN', 'This link is invalid or has expired.', 'token') }),
      SendVerificationEmail: () => ({
        sendVerificationEmail: { __typename: 'SendVerificationEmailSuccess', message: 'We sent a new link to ada@example.com.' },
      }),
    });
    await screen.findByRole('heading', { name: 'This link can’t be used' });
    expect(screen.getByRole('alert').textContent).toContain('This link is invalid or has expired.');
    await user.click(await screen.findByRole('button', { name: 'Send a new link' }));
    await screen.findByText('We sent a new link to ada@example.com.');
    expect(server.calls.filter((c) => c.operationName === 'SendVerificationEmail')).toHaveLength(1);
  });

  it('tells a signed-out visitor to sign in for a new link', async () => {
    renderApp('/verify-email?token=used', {
      Me: () => ({ me: null }),
      VerifyEmail: () => ({ verifyEmail: authError('INVALID_OR_EXPIRED_TOKEN', 'This link is invalid or has expired.', 'token') }),
    });
    await screen.findByRole('heading', { name: 'This link can’t be used' });
    expect(screen.getByText('Sign in to get a new link.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send a new link' })).toBeNull();
  });

  it('needs a token, and sends nothing without one', async () => {
    const { server } = renderApp('/verify-email', { Me: () => ({ me: null }) });
    await screen.findByRole('heading', { name: 'This link can’t be used' });
    expect(screen.getByText('This page needs the link from your email.')).toBeTruthy();
    expect(server.calls.some((c) => c.operationName === 'VerifyEmail')).toBe(false);
  });
});
