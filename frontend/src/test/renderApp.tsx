import { StrictMode } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { App } from '../App';
import { createClient } from '../graphql/client';
import { fakeServer, type Handler } from './fakeServer';

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

const defaults: Record<string, Handler> = {
  PasswordPolicy: () => ({ passwordPolicy: { minLength: 8, maxLength: 128 } }),
  EmailVerificationMode: () => ({ emailVerificationMode: 'OPTIONAL' }),
  MyPasskeys: () => ({ myPasskeys: [] }),
  SocialProviders: () => ({ socialProviders: [] }),
  MyAccounts: () => ({ myAccounts: [] }),
};

/**
 * The whole app at `path` in a memory router, talking to a fake GraphQL server made of `defaults` + `handlers`.
 * `strict`: inside <StrictMode>, as main.tsx renders it (effects run twice in development).
 */
export function renderApp(path: string, handlers: Record<string, Handler>, { strict = false } = {}) {
  const server = fakeServer({ ...defaults, ...handlers });
  const client = createClient({ url: 'http://app.test/graphql', fetch: server.fetch });
  const app = (
    <MemoryRouter initialEntries={[path]}>
      <App client={client} />
      <LocationProbe />
    </MemoryRouter>
  );
  render(strict ? <StrictMode>{app}</StrictMode> : app);
  return { server, user: userEvent.setup() };
}

/** Where the app is now (path + query). */
export const location = () => screen.getByTestId('location').textContent;
