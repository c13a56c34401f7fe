import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_POLICY,
  checkEmail,
  hasErrors,
  passwordLength,
  passwordRules,
  validateChangePassword,
  validateForgotPassword,
  validateResetPassword,
  validateSignIn,
  validateSignUp,
} from './validation';

const policy = DEFAULT_PASSWORD_POLICY;
const good = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  password: 'analytical engine',
  confirmPassword: 'analytical engine',
};

describe('validateSignUp', () => {
  it('accepts a complete form', () => {
    expect(validateSignUp(good, policy)).toEqual({});
  });

  it('names every empty field', () => {
    const errors = validateSignUp({ firstName: ' ', lastName: '', email: '', password: '', confirmPassword: '' }, policy);
    expect(errors).toEqual({
      firstName: 'Enter your first name.',
      lastName: 'Enter your last name.',
      email: 'Enter your email address.',
      password: 'Enter a password.',
      confirmPassword: 'Confirm your password.',
    });
  });

  it('checks the password length against the policy', () => {
    expect(validateSignUp({ ...good, password: 'short', confirmPassword: 'short' }, policy).password).toBe(
      'Use at least 8 characters.',
    );
    const long = 'x'.repeat(129);
    expect(validateSignUp({ ...good, password: long, confirmPassword: long }, policy).password).toBe(
      'Use at most 128 characters.',
    );
    const custom = { minLength: 20, maxLength: 64 };
    expect(validateSignUp(good, custom).password).toBe('Use at least 20 characters.');
    expect(validateSignUp({ ...good, password: 'x'.repeat(20), confirmPassword: 'x'.repeat(20) }, custom)).toEqual({});
  });

  it('reports a confirmation that does not match', () => {
    expect(validateSignUp({ ...good, confirmPassword: 'analytical engines' }, policy)).toEqual({
      confirmPassword: 'The passwords do not match.',
    });
  });

  it('leaves the rest to the server (common passwords, password = email)', () => {
    expect(validateSignUp({ ...good, password: 'password', confirmPassword: 'password' }, policy)).toEqual({});
    const email = 'ada@example.com';
    expect(validateSignUp({ ...good, password: email, confirmPassword: email }, policy)).toEqual({});
  });

  it('rejects over-long names', () => {
    expect(validateSignUp({ ...good, firstName: 'a'.repeat(101) }, policy).firstName).toBe('Use at most 100 characters.');
  });
});

describe('passwordLength', () => {
  it('counts code points after NFKC, as the server does', () => {
    expect(passwordLength('abc')).toBe(3);
    expect(passwordLength('😀😀')).toBe(2); // two code points, four UTF-16 units
    expect(passwordLength('ﬁ')).toBe(2); // the ligature normalises to "fi"
    expect(passwordLength('e\u0301')).toBe(1); // decomposed é composes
  });

  it('decides the boundary like the server', () => {
    // 4 ligatures are 8 characters after NFKC: long enough although the field shows 4 glyphs.
    expect(validateResetPassword({ newPassword: 'ﬁ'.repeat(4), confirmPassword: 'ﬁ'.repeat(4) }, policy)).toEqual({});
    expect(validateResetPassword({ newPassword: '😀'.repeat(7), confirmPassword: '😀'.repeat(7) }, policy).newPassword).toBe(
      'Use at least 8 characters.',
    );
  });
});

describe('other forms', () => {
  it('sign-in does not apply the length rule (older accounts may predate it)', () => {
    expect(validateSignIn({ email: 'ada@example.com', password: 'x' })).toEqual({});
    expect(validateSignIn({ email: '', password: '' })).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });

  it('forgot-password needs an email', () => {
    expect(validateForgotPassword({ email: 'nope' })).toEqual({ email: 'Enter a valid email address.' });
    expect(hasErrors(validateForgotPassword({ email: ' ada@example.com ' }))).toBe(false);
  });

  it('reset and change password check length and confirmation', () => {
    expect(validateResetPassword({ newPassword: 'long enough', confirmPassword: 'long enougH' }, policy)).toEqual({
      confirmPassword: 'The passwords do not match.',
    });
    expect(validateChangePassword({ currentPassword: '', newPassword: 'short', confirmPassword: 'short' }, policy)).toEqual({
      currentPassword: 'Enter your current password.',
      newPassword: 'Use at least 8 characters.',
    });
  });

  it('checks only the unmistakable shape of an email', () => {
    expect(checkEmail('a@b')).toBeUndefined();
    expect(checkEmail('a b@c.d')).toBe('Enter a valid email address.');
    expect(checkEmail('@example.com')).toBe('Enter a valid email address.');
    expect(checkEmail(`${'a'.repeat(250)}@b.cd`)).toBe('Enter a valid email address.');
  });

  it('describes the policy', () => {
    expect(passwordRules({ minLength: 10, maxLength: 64 })[0]).toBe('10 to 64 characters');
  });
});
