import { useMemo } from 'react';
import { Route, Routes } from 'react-router';
import { Provider, type Client } from 'urql';
import { AuthProvider } from './auth/AuthContext';
import { GuestOnly, HomeRedirect, RequireAuth } from './auth/guards';
import { createClient } from './graphql/client';
import { AccountPage } from './pages/AccountPage';
import { DeleteAccountPage } from './pages/DeleteAccountPage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { SignInPage } from './pages/SignInPage';
import { SignUpPage } from './pages/SignUpPage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';
import { MagicLinkPage } from './pages/magicLink/MagicLinkPage';
import { MagicLinkRequestPage } from './pages/magicLink/MagicLinkRequestPage';
import { TwoFactorPage } from './pages/twoFactor/TwoFactorPage';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<HomeRedirect />} />
      <Route
        path="/sign-up"
        element={
          <GuestOnly>
            <SignUpPage />
          </GuestOnly>
        }
      />
      <Route
        path="/sign-in"
        element={
          <GuestOnly>
            <SignInPage />
          </GuestOnly>
        }
      />
      <Route path="/two-factor" element={<GuestOnly><TwoFactorPage /></GuestOnly>} />
      <Route path="/sign-in/magic-link" element={<GuestOnly><MagicLinkRequestPage /></GuestOnly>} />
      <Route path="/magic-link" element={<MagicLinkPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route
        path="/delete-account"
        element={
          <RequireAuth>
            <DeleteAccountPage />
          </RequireAuth>
        }
      />
      <Route
        path="/account"
        element={
          <RequireAuth>
            <AccountPage />
          </RequireAuth>
        }
      />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

/** Everything but the router, so tests can wrap it in a MemoryRouter with a stub client. */
export function App({ client }: { client?: Client }) {
  const value = useMemo(() => client ?? createClient(), [client]);
  return (
    <Provider value={value}>
      <AuthProvider>
        <AppRoutes />
      </AuthProvider>
    </Provider>
  );
}
