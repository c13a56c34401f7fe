/**
 * Where to go after signing in: the `next` parameter when it is a path on this site, else the account page.
 * Anything else ("//evil.example", "https://…", "/\\evil", javascript:…) is ignored: no open redirect.
 */
export function safeNext(next: string | null | undefined, fallback = '/account'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\\]/.test(next)) return fallback;
  if (next === '/sign-in' || next.startsWith('/sign-in?') || next === '/sign-up' || next.startsWith('/sign-up?')) {
    return fallback;
  }
  return next;
}

export function signInPath(next: string): string {
  return next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
}

/** `path`, carrying `next` along when there is one (`/two-factor?next=%2Faccount`). */
export function withNext(path: string, next: string | null | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}
