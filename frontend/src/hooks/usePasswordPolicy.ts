import { useQuery } from 'urql';
import { PasswordPolicyQuery } from '../graphql/operations';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../lib/validation';

/** The server's password rules; the documented defaults until (or unless) it answers. */
export function usePasswordPolicy(): PasswordPolicy {
  const [{ data }] = useQuery({ query: PasswordPolicyQuery, requestPolicy: 'cache-first' });
  return data?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
}
