import { randomUUID } from 'node:crypto';
import type { Context } from '../context.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { accountKeys, API_TOKEN_PREFIX, newToken } from './credentials.ts';
import type { Principal } from './principal.ts';
import { isRole, type Role } from './roles.ts';
import { recordSecurityEvent } from './security-log.ts';

/** A token as listed: never the token. */
export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const MAX_NAME = 100;
/** Writing the last use once a minute is precise enough, and spares a write per request. */
const TOUCH_AFTER_MS = 60_000;
/**
 * How long a token, once found live, is taken without asking the database again: a script's
 * requests then cost no lookup each. A revocation through this process ends that at once; one
 * made by another process (the CLI, another server) takes effect within this time.
 */
export const TOKEN_TRUSTED_MS = 10_000;
/** Tokens held at most per database: a few scripts' worth; the oldest is forgotten first. */
const MAX_TRUSTED_TOKENS = 1_000;

/**
 * Live tokens by their keyed hash, per database (a process may open several: tests, tools), and
 * how many revocations this process has made there: a lookup that a revocation overtook is not kept.
 */
interface TrustedTokens {
  tokens: Map<string, { principal: Principal; until: number }>;
  revocations: number;
}
const trustedByDatabase = new WeakMap<Context['db'], TrustedTokens>();

function trustedTokens(db: Context['db']): TrustedTokens {
  let trusted = trustedByDatabase.get(db);
  if (!trusted) {
    trusted = { tokens: new Map(), revocations: 0 };
    trustedByDatabase.set(db, trusted);
  }
  return trusted;
}

/** Creates a bearer token for automation. The token is returned this once; only its keyed hash is kept. */
export async function createApiToken(ctx: Context, input: { name: string; role: Role }): Promise<{ token: string; api_token: ApiTokenView }> {
  const name = input.name.trim();
  if (name === '' || name.length > MAX_NAME || CONTROL_CHARACTER.test(name)) throw invalidInput('BAD_TOKEN_NAME', `a token's name is 1 to ${MAX_NAME} printable characters, e.g. the script that uses it`);
  const token = `${API_TOKEN_PREFIX}${newToken()}`;
  const row = { id: randomUUID(), token_hash: accountKeys(ctx).hash('api-token', token), name, role: input.role, created_by: ctx.actor, created_at: ctx.now().toISOString(), last_used_at: null, revoked_at: null };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('api_tokens').values(row).execute();
    await recordSecurityEvent(trx, ctx, { event: 'token_created', details: { token_id: row.id, name, role: input.role } });
  });
  const { token_hash: _hash, ...view } = row;
  return { token, api_token: view };
}

export async function listApiTokens(ctx: Pick<Context, 'db'>): Promise<ApiTokenView[]> {
  const rows = await ctx.db.selectFrom('api_tokens').select(['id', 'name', 'role', 'created_by', 'created_at', 'last_used_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ ...row, role: row.role as Role }));
}

/** Revokes the token with this id, or the one live token with this name. */
export async function revokeApiToken(ctx: Context, idOrName: string): Promise<ApiTokenView> {
  const live = await ctx.db.selectFrom('api_tokens').select(['id', 'name']).where('revoked_at', 'is', null).where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).execute();
  if (live.length === 0) throw new TocsinError('NO_SUCH_TOKEN', `no live API token has the id or name '${idOrName}'`, { kind: 'not_found', next: { action: 'list_api_tokens' } });
  if (live.length > 1) throw invalidInput('TOKEN_AMBIGUOUS', `${live.length} live tokens are named '${idOrName}'; revoke one by its id`, { next: { action: 'list_api_tokens' } });
  const id = live[0].id;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('api_tokens').set({ revoked_at: ctx.now().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await recordSecurityEvent(trx, ctx, { event: 'token_revoked', details: { token_id: id, name: live[0].name } });
  });
  const trusted = trustedTokens(ctx.db);
  trusted.revocations++;
  for (const [hash, { principal }] of trusted.tokens) if (principal.token_id === id) trusted.tokens.delete(hash);
  return (await listApiTokens(ctx)).find((token) => token.id === id)!;
}

/**
 * The principal of an `Authorization: Bearer` token, or null for an unknown or revoked one. Its
 * actor is `token:NAME`. A live token is trusted for TOKEN_TRUSTED_MS before it is looked up again.
 */
export async function authenticateBearer(ctx: Context, bearerToken: string): Promise<Principal | null> {
  if (!bearerToken.startsWith(API_TOKEN_PREFIX) || !/^[A-Za-z0-9_-]{43}$/.test(bearerToken.slice(API_TOKEN_PREFIX.length))) return null;
  const hash = accountKeys(ctx).hash('api-token', bearerToken);
  const trusted = trustedTokens(ctx.db);
  const now = ctx.now();
  const known = trusted.tokens.get(hash);
  if (known && now.getTime() < known.until) return { ...known.principal };
  trusted.tokens.delete(hash);
  const revocations = trusted.revocations;
  const row = await ctx.db.selectFrom('api_tokens').select(['id', 'name', 'role', 'last_used_at']).where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
  if (!row || !isRole(row.role)) return null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_AFTER_MS) {
    await ctx.db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  const principal: Principal = { account_id: `token:${row.id}`, email: `token:${row.name}`, role: row.role, via: 'token', token_id: row.id };
  if (trusted.revocations === revocations) {
    if (trusted.tokens.size >= MAX_TRUSTED_TOKENS) trusted.tokens.delete(trusted.tokens.keys().next().value!);
    trusted.tokens.set(hash, { principal, until: now.getTime() + TOKEN_TRUSTED_MS });
  }
  return { ...principal };
}
