import { Link } from 'react-router';
import { AuthCard } from '../components/Layout';
import { usePageTitle } from '../hooks/usePageTitle';

/** After sign-up when the server requires a verified address first (EMAIL_VERIFICATION=required): no session yet. */
export function VerifyEmailSent({ message }: { message: string }) {
  const headingRef = usePageTitle('Check your email');
  return (
    <AuthCard
      title="Check your email"
      headingRef={headingRef}
      icon={
        <div className="result-icon result-icon-mail" aria-hidden="true">
          <svg viewBox="0 0 24 24" focusable="false">
            <path d="M3 6.5A2.5 2.5 0 0 1 5.5 4h13A2.5 2.5 0 0 1 21 6.5v11a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5zm2.2-.5 6.8 5.3L18.8 6zM19 7.9l-6.4 5a1 1 0 0 1-1.2 0L5 7.9v9.6c0 .3.2.5.5.5h13c.3 0 .5-.2.5-.5z" />
          </svg>
        </div>
      }
      footer={
        <p>
          <Link to="/sign-in">Go to sign in</Link>
        </p>
      }
    >
      <p role="status" className="lead">
        {message}
      </p>
      <p className="muted">Your account is ready; it can be used once the address is verified.</p>
    </AuthCard>
  );
}
