import { z } from 'zod';
import { securityLog } from '../../accounts/index.ts';
import { parseInstant } from '../../lib/time.ts';
import { endpoint } from '../endpoint.ts';

export const list = endpoint({
  summary: 'The security log, oldest first: sign-ins and failures, lockouts, account, role and token changes, with who, from which address, when (tocsin security-log)',
  querystring: z.strictObject({
    since: z.string().min(1).max(64).optional().describe('only entries from this instant on, e.g. 2026-03-01T00:00Z'),
    before: z.coerce.number().int().min(1).optional().describe('only entries older than this one (an id): next_before of the page after'),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('at most this many entries, the newest'),
  }),
  handle: async ({ ctx, query }) => {
    const items = await securityLog(ctx, { since: query.since === undefined ? undefined : parseInstant(query.since, 'since'), before: query.before, limit: query.limit });
    return { items, next_before: items.length === query.limit ? items[0].id : null };
  },
});
