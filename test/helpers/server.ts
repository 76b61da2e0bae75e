import * as accounts from '../../src/accounts/index.ts';
import type { Config } from '../../src/config.ts';
import type { Context } from '../../src/context.ts';
import { startListeners, type Listeners } from '../../src/server/index.ts';

type Role = accounts.Role;
export const ROLES: readonly Role[] = accounts.ROLES;

/** The password of each test account: long and unguessable enough for the password policy. */
export const passwordOf = (role: Role) => `glacier-violin-marmalade-7Q${ROLES.indexOf(role)}`;

export interface Staff {
  /** A bearer token of each role. */
  tokens: Record<Role, string>;
}

/** One account per role (`admin@staff.example`, password passwordOf(role)) and an API token each, through the accounts front door. */
export async function addStaff(ctx: Context): Promise<Staff> {
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    await accounts.addAccount(ctx, { email: `${role}@staff.example`, role, password: passwordOf(role) });
    tokens[role] = (await accounts.createApiToken(ctx, { name: `${role} script`, role })).token;
  }
  return { tokens };
}

/** Both listeners on free ports of 127.0.0.1, with the real accounts; `config` over the context's configuration. */
export function startTestListeners(ctx: Context, config: Partial<Config> = {}): Promise<Listeners> {
  return startListeners({ ...ctx, config: { ...ctx.config, listen: '127.0.0.1:0', public_listen: '127.0.0.1:0', ...config } }, accounts);
}

/** Requests as a role makes them, with its bearer token (JSON when there is a body). */
export function asRole(base: string, staff: Staff, role: Role) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${staff.tokens[role]}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
}

/** A response's JSON body, loosely typed for assertions. */
export async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/** A route's path with its parameters filled in (an incident, a person, a jurisdiction, a job that do not exist; a report section). */
export function pathOf(url: string): string {
  return url.replace(':upload_id', '00000000-0000-4000-8000-000000000000').replace(':id', 'abc123').replace(':email', 'a@b.example').replace(':jurisdiction', 'FR').replace(':section', 'consequences').replace(':locale', 'fr').replace(':reference', 'B-0000-0000-0000').replace(':attachment_id', '00000000-0000-4000-8000-000000000000');
}
