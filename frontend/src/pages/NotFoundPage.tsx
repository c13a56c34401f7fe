import { Link } from 'react-router';
import { AuthCard } from '../components/Layout';
import { usePageTitle } from '../hooks/usePageTitle';

export function NotFoundPage() {
  const headingRef = usePageTitle('Page not found');
  return (
    <AuthCard title="Page not found" subtitle="There’s nothing at this address." headingRef={headingRef}>
      <Link to="/" className="button button-primary button-block">
        Go to the start page
      </Link>
    </AuthCard>
  );
}
