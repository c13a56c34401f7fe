import { Client, fetchExchange } from '@urql/core';

export interface ClientOptions {
  url?: string;
  /** Tests pass a stub; the browser's fetch otherwise. */
  fetch?: typeof fetch;
}

/**
 * The one GraphQL client. Same-origin POSTs only: the session is an HttpOnly cookie set by the server (the app
 * never sees or stores a token), and the server's CSRF check trusts requests whose Origin is its own.
 *
 * No document cache: every answer here depends on who is signed in, so each operation goes to the network.
 */
export function createClient({ url = '/graphql', fetch }: ClientOptions = {}): Client {
  return new Client({
    url,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: { credentials: 'same-origin' },
    ...(fetch ? { fetch } : {}),
  });
}
