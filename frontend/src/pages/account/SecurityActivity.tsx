import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { MySecurityEventsQuery as MySecurityEventsData } from '../../gql/graphql';
import { LoadError } from '../../components/Feedback';
import { describeUserAgent, formatDateTime } from '../../lib/format';

export const MySecurityEventsQuery = graphql(`
  query MySecurityEvents($limit: Int) {
    mySecurityEvents(limit: $limit) {
      id
      event
      createdAt
      code
      method
      ipAddress
      userAgent
      revokedSessions
    }
  }
`);

type SecurityEvent = MySecurityEventsData['mySecurityEvents'][number];

const FIXED: Record<string, string> = {
  'user.signed_up': 'Account created',
  'session.signed_out': 'Signed out',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset with an emailed link',
  'password.reset_requested': 'Password reset link requested',
  'user.email_verified': 'Email address verified',
  'user.email_changed': 'Email address changed',
  'user.profile_updated': 'Profile updated',
  'user.deleted': 'Account deleted',
  'two_factor.enabled': 'Two-factor authentication turned on',
  'two_factor.disabled': 'Two-factor authentication turned off',
  'magic_link.requested': 'Sign-in link requested',
};

/** "password" → "", "passkey" → " with a passkey", "oauth:github" → " with Github" … */
function byMethod(method: string | null | undefined): string {
  if (!method || method === 'password') return '';
  if (method === 'passkey') return ' with a passkey';
  if (method === 'magic-link') return ' with an emailed link';
  const provider = method.startsWith('oauth:') ? method.slice('oauth:'.length) : method;
  return ` with ${provider.charAt(0).toUpperCase()}${provider.slice(1)}`;
}

/** One sentence for an event; unknown events ("passkey.renamed") read as their name ("Passkey renamed"). */
export function describeSecurityEvent(e: Pick<SecurityEvent, 'event' | 'code' | 'method' | 'revokedSessions'>): string {
  if (e.event === 'session.signed_in') return `Signed in${byMethod(e.method)}`;
  if (e.event === 'session.sign_in_failed') {
    if (e.code !== 'INVALID_CREDENTIALS') return 'Sign-in refused';
    return e.method === 'two-factor' ? 'Sign-in failed: wrong code' : 'Sign-in failed: wrong password';
  }
  if (e.event === 'session.revoked') {
    const n = e.revokedSessions ?? 1;
    return n === 1 ? 'Signed out of 1 session' : `Signed out of ${n} sessions`;
  }
  const fixed = FIXED[e.event];
  if (fixed) return fixed;
  const words = e.event.replace(/[._]/g, ' ').replace(/\s+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Recent security activity": the signed-in user's last 20 security events, newest first. */
export function SecurityActivity() {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MySecurityEventsQuery,
    variables: { limit: 20 },
    requestPolicy: 'cache-and-network',
  });
  const reload = () => reexecute({ requestPolicy: 'network-only' });
  const events = data?.mySecurityEvents ?? [];

  return (
    <section className="card section" aria-labelledby="security-activity-title">
      <div>
        <h2 id="security-activity-title" className="section-title">
          Recent security activity
        </h2>
        <p className="muted">Sign-ins, password changes and other changes to your account’s security.</p>
      </div>
      {error && !data ? (
        <LoadError error={error} reload={reload} />
      ) : fetching && !data ? (
        <p className="muted">Loading activity…</p>
      ) : events.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className="sessions">
          {events.map((e) => (
            <li key={e.id} className="session">
              <div className="session-main">
                <p className="session-device">{describeSecurityEvent(e)}</p>
                <p className="muted session-meta">
                  <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
                  {e.userAgent ? <> · {describeUserAgent(e.userAgent)}</> : null}
                  {e.ipAddress ? <> · {e.ipAddress}</> : null}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
