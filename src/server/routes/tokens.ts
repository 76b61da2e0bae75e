import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken, ROLES } from '../../accounts/index.ts';
import { endpoint } from '../endpoint.ts';

export const list = endpoint({
  summary: 'The API tokens: name, role, creator, last use, revocation; never the tokens themselves (tocsin token list)',
  handle: async ({ ctx }) => ({ items: await listApiTokens(ctx) }),
});

export const create = endpoint({
  summary: 'Create an API token; it is answered this once, only a keyed hash of it is kept (tocsin token create)',
  body: z.strictObject({ name: z.string().min(1).max(100).describe('what uses it, e.g. "nightly import"'), role: z.enum(ROLES) }),
  status: 201,
  handle: async ({ ctx, body }) => createApiToken(ctx, body),
});

export const revoke = endpoint({
  summary: 'Revoke an API token at once (tocsin token revoke)',
  params: z.strictObject({ id: z.uuid({ message: 'not a token id' }).describe("the token's id, as the list gives it") }),
  handle: async ({ ctx, params }) => revokeApiToken(ctx, params.id),
});
