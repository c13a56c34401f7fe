import type { ReactNode } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { FullPageStatus } from '../components/FullPageStatus';
import { useAuth } from './AuthContext';
import { safeNext, signInPath } from './redirect';

/** Signed-in users only: others go to /sign-in and come back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state, refresh } = useAuth();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageStatus kind="loading" />;
  if (state.status === 'unreachable') return <FullPageStatus kind="unreachable" message={state.message} onRetry={refresh} />;
  if (state.user === null && state.signedOut) {
    return <Navigate to="/sign-in" replace state={{ notice: state.notice ?? 'You have signed out.' }} />;
  }
  if (state.user === null) return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  return <>{children}</>;
}

/** Signed-out users only (sign in, sign up): signed-in users skip to where they were going, or /account. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const [params] = useSearchParams();
  if (state.status === 'loading') return <FullPageStatus kind="loading" />;
  if (state.status === 'ready' && state.user !== null) return <Navigate to={safeNext(params.get('next'))} replace />;
  return <>{children}</>;
}

/** `/`: the account page when signed in, else sign-in. */
export function HomeRedirect() {
  const { state, refresh } = useAuth();
  if (state.status === 'loading') return <FullPageStatus kind="loading" />;
  if (state.status === 'unreachable') return <FullPageStatus kind="unreachable" message={state.message} onRetry={refresh} />;
  return <Navigate to={state.user ? '/account' : '/sign-in'} replace />;
}
