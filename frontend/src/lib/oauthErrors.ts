/**
 * Social sign-in ends on our server's callback, which sends the browser back here. When it failed, the URL carries
 * `?oauth_error=<code>&provider=<id>`: a code, never a message, so nobody can put their own words on our page with
 * a crafted link. This file turns the code into the sentence to show.
 */

export interface SocialProviderInfo {
  id: string;
  name: string;
}

export const OAUTH_ERROR_PARAM = 'oauth_error';
export const OAUTH_PROVIDER_PARAM = 'provider';

/** The provider's display name when it is one of ours; a neutral phrase otherwise (the id comes from the URL). */
function nameOf(providerId: string | null, providers: readonly SocialProviderInfo[]): string {
  return providers.find((p) => p.id === providerId)?.name ?? 'the provider';
}

export function oauthErrorMessage(
  code: string | null,
  providerId: string | null,
  providers: readonly SocialProviderInfo[],
): string | undefined {
  if (!code) return undefined;
  const name = nameOf(providerId, providers);
  switch (code) {
    case 'access_denied':
      return `Signing in with ${name} was cancelled. You can try again, or use another way to sign in.`;
    case 'invalid_state':
      return 'That sign-in attempt has expired or was already used. Please start again.';
    case 'provider_unavailable':
      return `${name} could not be reached. Please try again in a moment.`;
    case 'provider_rejected':
      return `${name} did not accept the sign-in. Please start again.`;
    case 'invalid_token':
      return `The answer from ${name} could not be verified. Please start again.`;
    case 'email_missing':
      return `${name} did not share a verified email address with us, so we can’t sign you in with it.`;
    case 'email_in_use_unverified':
      return (
        `An account with this email address already exists, but ${name} has not verified the address, so we can’t ` +
        `link it. Sign in with your password, then connect ${name} from your account page.`
      );
    case 'email_not_verified':
      return 'Please verify your email address first: open the link we mailed you, then sign in again.';
    case 'account_in_use':
      return `This ${name} account is already connected to another user.`;
    case 'rate_limited':
      return 'Too many sign-in attempts. Please wait a few minutes and try again.';
    case 'not_authenticated':
      return 'Your session has ended. Please sign in again.';
    default:
      return 'Signing in did not work. Please try again.';
  }
}
