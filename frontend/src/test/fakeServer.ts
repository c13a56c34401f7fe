import { vi } from 'vitest';

export interface Call {
  operationName: string;
  variables: Record<string, unknown>;
  init: RequestInit;
}

/** What a handler may answer: GraphQL `data`, or a whole Response (to fake 5xx, HTML, etc.), or throw. */
export type Handler = (variables: Record<string, unknown>) => unknown | Response | Promise<unknown | Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * A stand-in for the GraphQL endpoint, used as the client's `fetch`: routes by operation name to a handler that
 * returns the `data` object. Unhandled operations fail the test loudly.
 */
export function fakeServer(handlers: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string; query: string; variables?: Record<string, unknown> };
    const operationName = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? '';
    const variables = body.variables ?? {};
    calls.push({ operationName, variables, init: init ?? {} });
    const handler = handlers[operationName];
    if (!handler) throw new Error(`fake server: no handler for ${operationName}`);
    const answer = await handler(variables);
    return answer instanceof Response ? answer : json({ data: answer });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls, handlers };
}

export const ADA = {
  __typename: 'User',
  id: 'u1',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  emailVerified: false,
  createdAt: '2025-01-02T10:00:00+00:00',
  twoFactorEnabled: false,
};

export function authError(code: string, message: string, field: string | null = null, retryAfterSeconds: number | null = null) {
  return { __typename: 'AuthError', code, message, field, retryAfterSeconds };
}
