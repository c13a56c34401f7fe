import { describe, expect, it } from 'vitest';
import { safeNext, signInPath } from '../auth/redirect';
import { describeUserAgent, initials } from './format';

describe('describeUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1', 'Safari on iPhone'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on macOS'],
    ['curl/8.5.0', 'curl'],
    [null, 'Unknown device'],
  ])('%s → %s', (ua, text) => {
    expect(describeUserAgent(ua)).toBe(text);
  });
});

describe('initials', () => {
  it('takes the first letter of each name', () => {
    expect(initials('ada', 'Lovelace')).toBe('AL');
    expect(initials('Émile', '')).toBe('É');
    expect(initials(' ', ' ')).toBe('?');
  });
});

describe('safeNext', () => {
  it('keeps paths on this site', () => {
    expect(safeNext('/account')).toBe('/account');
    expect(safeNext('/account?tab=sessions')).toBe('/account?tab=sessions');
  });

  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, '/sign-in', '/sign-up?next=/x'])(
    'refuses %s',
    (next) => {
      expect(safeNext(next)).toBe('/account');
    },
  );

  it('builds the sign-in path that returns here', () => {
    expect(signInPath('/account')).toBe('/sign-in?next=%2Faccount');
    expect(signInPath('/')).toBe('/sign-in');
  });
});
