import { queryOptions, useSuspenseQuery } from '@tanstack/react-query';
import type { Permission } from '../../src/accounts/index.ts';
import { api, ApiError, type ReplyOf } from './api.ts';

export type Session = ReplyOf<'GET', '/api/session'>;

/** Who is signed in, or null: the console's one question before any page. */
export const sessionQuery = queryOptions({
  queryKey: ['session'],
  queryFn: async (): Promise<Session | null> => {
    try {
      return await api('GET', '/api/session');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
});

/** What the signed-in role may do: the console shows only the actions the server would allow. */
export function useCan(): (permission: Permission) => boolean {
  const { data } = useSuspenseQuery(sessionQuery);
  return (permission) => data?.permissions.includes(permission) ?? false;
}
