import type { AnyVariables, Client, OperationResult, TypedDocumentNode } from '@urql/core';
import { requestErrorMessage, isUnreachable, UNEXPECTED_MESSAGE } from '../lib/errors';

/** The answer of one operation: its data, or why there is none (transport, server or GraphQL failure). */
export type Outcome<D> = { ok: true; data: D } | { ok: false; message: string; unreachable: boolean };

export function toOutcome<D>(result: OperationResult<D, AnyVariables>): Outcome<D> {
  if (result.error) {
    return { ok: false, message: requestErrorMessage(result.error), unreachable: isUnreachable(result.error) };
  }
  if (result.data == null) return { ok: false, message: UNEXPECTED_MESSAGE, unreachable: false };
  return { ok: true, data: result.data };
}

export async function runMutation<D, V extends AnyVariables>(
  client: Client,
  document: TypedDocumentNode<D, V>,
  variables: V,
): Promise<Outcome<D>> {
  return toOutcome(await client.mutation(document, variables).toPromise());
}

export async function runQuery<D, V extends AnyVariables>(
  client: Client,
  document: TypedDocumentNode<D, V>,
  variables: V,
): Promise<Outcome<D>> {
  return toOutcome(await client.query(document, variables, { requestPolicy: 'network-only' }).toPromise());
}
