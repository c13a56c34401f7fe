import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import type { UserFieldsFragment } from '../gql/graphql';
import { MeQuery } from '../graphql/operations';
import { runQuery } from '../graphql/run';

export type User = UserFieldsFragment;

/** Who is signed in, as far as the server said last. `unreachable`: the first `me` failed (offline, 5xx…). */
export type AuthState =
  | { status: 'loading' }
  | { status: 'ready'; user: User | null; signedOut?: boolean; notice?: string }
  | { status: 'unreachable'; message: string };

export interface AuthContextValue {
  state: AuthState;
  user: User | null;
  /**
   * After sign-in/sign-up (a user) or an answer that ended the session (null). `signedOut`: the user asked to
   * sign out, so guarded pages send them to sign-in with a notice rather than "sign in to continue"; `notice`
   * replaces the default "You have signed out." (e.g. after deleting the account).
   */
  setUser: (user: User | null, options?: { signedOut?: boolean; notice?: string }) => void;
  /** Ask the server again who is signed in. */
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    const outcome = await runQuery(client, MeQuery, {});
    if (mine !== generation.current) return; // a newer answer (or setUser) won
    setState(
      outcome.ok ? { status: 'ready', user: outcome.data.me } : { status: 'unreachable', message: outcome.message },
    );
  }, [client]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const setUser = useCallback((user: User | null, options?: { signedOut?: boolean; notice?: string }) => {
    generation.current++;
    const signedOut = user === null && options?.signedOut === true;
    setState({ status: 'ready', user, signedOut, ...(signedOut && options?.notice ? { notice: options.notice } : {}) });
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({ state, user: state.status === 'ready' ? state.user : null, setUser, refresh }),
    [state, setUser, refresh],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth() outside <AuthProvider>');
  return value;
}
