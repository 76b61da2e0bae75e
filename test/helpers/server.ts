import { randomBytes } from 'node:crypto';
import type { Context } from '../../src/context.ts';
import { TocsinError } from '../../src/lib/errors.ts';
import type { Permission, Principal, Role, StaffAccounts } from '../../src/server/auth.ts';
import { startListeners, type Listeners } from '../../src/server/serve.ts';
import type { ServerOptions } from '../../src/server/app.ts';

export const ROLES: readonly Role[] = ['admin', 'responder', 'privacy', 'viewer'];

/**
 * Staff accounts for server tests until the accounts module lands on this branch: one account per
 * role (`admin@staff.example`, password `secret-<role>`), a bearer token `token-<role>` each, and
 * sessions in memory. The grants are the accounts contract's.
 */
export function testAccounts(): StaffAccounts & { sessions: Map<string, Principal> } {
  const grants: Record<Role, readonly Permission[]> = {
    admin: ['incidents:read', 'incidents:write', 'records:write', 'scoping:write', 'notices:write', 'delivery:write', 'compliance:write', 'personal_data:read', 'users:manage', 'security_log:read', 'settings:manage'],
    responder: ['incidents:read', 'incidents:write', 'records:write', 'scoping:write', 'personal_data:read'],
    privacy: ['incidents:read', 'notices:write', 'delivery:write', 'compliance:write', 'personal_data:read'],
    viewer: ['incidents:read'],
  };
  const principal = (role: Role, via: Principal['via']): Principal => ({ account_id: `acct-${role}`, email: `${role}@staff.example`, role, via });
  const sessions = new Map<string, Principal>();
  return {
    sessions,
    SESSION_COOKIE: 'tocsin_session',
    can: (role, permission) => grants[role].includes(permission),
    authenticateBearer: async (_ctx: Context, token: string) => {
      const role = ROLES.find((r) => token === `token-${r}`);
      return role ? { ...principal(role, 'token'), token_id: `tok-${role}` } : null;
    },
    authenticateSession: async (_ctx: Context, token: string) => sessions.get(token) ?? null,
    login: async (_ctx: Context, input: { email: string; password: string }) => {
      const role = ROLES.find((r) => input.email === `${r}@staff.example` && input.password === `secret-${r}`);
      if (!role) throw new TocsinError('LOGIN_FAILED', 'wrong email or password', { exitCode: 2 });
      const session_token = randomBytes(16).toString('hex');
      const session = { ...principal(role, 'session'), session_id: session_token };
      sessions.set(session_token, session);
      return { session_token, principal: session };
    },
    logout: async (_ctx: Context, sessionId: string) => void sessions.delete(sessionId),
    logoutEverywhere: async (_ctx: Context, accountId: string) => {
      for (const [token, session] of sessions) if (session.account_id === accountId) sessions.delete(token);
    },
  };
}

/** Both listeners on free ports of 127.0.0.1. */
export function startTestListeners(ctx: Context, options: Partial<ServerOptions> = {}): Promise<Listeners> {
  return startListeners({ ctx, accounts: testAccounts(), staff: { host: '127.0.0.1', port: 0 }, public: { host: '127.0.0.1', port: 0 }, ...options });
}

/** A request as a role would make it, with its bearer token. */
export function asRole(base: string, role: Role) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer token-${role}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
}

/** A response's JSON body, loosely typed for assertions. */
export async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}
