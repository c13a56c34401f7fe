import { useQuery } from 'urql';
import type { User } from '../../auth/AuthContext';
import { EmailVerificationModeQuery } from '../../graphql/accountOperations';
import { SendAnswerRegion, useSendVerificationEmail } from '../../hooks/useSendVerificationEmail';
import type { AuthErrorData } from '../../lib/errors';
import './account.css';

/**
 * "Verify your email" with a button that mails a new link, while the signed-in user's address is unverified and
 * the server verifies addresses at all (EMAIL_VERIFICATION is not `off`).
 */
export function EmailVerificationNotice({ user, onAuthError }: { user: User; onAuthError: (error: AuthErrorData) => void }) {
  const [{ data }] = useQuery({ query: EmailVerificationModeQuery, pause: user.emailVerified });
  if (user.emailVerified || data === undefined || data.emailVerificationMode === 'OFF') return null;
  return <Notice email={user.email} onAuthError={onAuthError} />;
}

function Notice({ email, onAuthError }: { email: string; onAuthError: (error: AuthErrorData) => void }) {
  const { send, sending, answer } = useSendVerificationEmail(onAuthError);
  return (
    <section className="card section verify-notice" aria-labelledby="verify-title">
      <div className="section-head">
        <div>
          <h2 id="verify-title" className="section-title">
            Verify your email address
          </h2>
          <p className="muted">
            We sent a link to <strong className="break">{email}</strong>. Open it to confirm the address is yours.
          </p>
        </div>
        <button type="button" className="button button-secondary button-small" onClick={send} disabled={sending}>
          {sending ? 'Sending…' : 'Send a new link'}
        </button>
      </div>
      <SendAnswerRegion answer={answer} />
    </section>
  );
}
