import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import {
  addAccount,
  changeRole,
  consoleUrl,
  disableAccount,
  enableAccount,
  getAccount,
  listAccounts,
  removeSecondFactors,
  resetAccount,
  ROLES,
  setPasswordLink,
  setTwoFactorRequired,
  twoFactorRequired,
} from '../../accounts/index.ts';
import { originOf } from '../auth.ts';
import { endpoint, optionalBody } from '../endpoint.ts';

const accountParams = z.strictObject({ id: z.uuid({ message: 'not an account id' }).describe("the account's id, as the list gives it") });

const withConsoleUrl = {
  console_url: z.string().min(1).max(2048).optional().describe("the console's address for the set-password link (default: this server's address as the request reached it)"),
};

/** Where a set-password link points: the console_url given, else the staff listener as this request reached it (through a trusted proxy, its public name). */
function linkAddress(given: string | undefined, request: FastifyRequest): URL {
  return consoleUrl(given ?? originOf(request), given === undefined ? 'the request' : 'console_url');
}

export const list = endpoint({
  summary: 'The staff accounts: role, status, second factors (tocsin user list); require_2fa: whether every account must have a second factor',
  handle: async ({ ctx }) => ({ items: await listAccounts(ctx), require_2fa: await twoFactorRequired(ctx.db) }),
});

export const create = endpoint({
  summary: 'Add an account; answers a one-time set-password link (valid 24 h) for its owner, never taking a password (tocsin user add)',
  body: z.strictObject({ email: z.string().min(1).max(320), role: z.enum(ROLES), ...withConsoleUrl }),
  status: 201,
  handle: async ({ ctx, body, request }) => {
    // Checked before the account is added: a link that cannot be made must not leave one behind.
    const address = linkAddress(body.console_url, request);
    const { account, set_password_token } = await addAccount(ctx, { email: body.email, role: body.role });
    return { account, ...(set_password_token ? { set_password_link: setPasswordLink(address, set_password_token) } : {}) };
  },
});

export const update = endpoint({
  summary: "Change an account's role (its sessions end) or disable (its sessions end) or enable it; the last enabled admin is neither demoted nor disabled (tocsin user role, disable, enable)",
  params: accountParams,
  body: z
    .strictObject({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
    .refine((body) => body.role !== undefined || body.disabled !== undefined, { message: 'give role, disabled or both' }),
  handle: async ({ ctx, params, body }) => {
    let account = await getAccount(ctx, params.id);
    if (body.role !== undefined) account = await changeRole(ctx, account.email, body.role);
    if (body.disabled !== undefined && body.disabled !== account.disabled) account = await (body.disabled ? disableAccount : enableAccount)(ctx, account.email);
    return account;
  },
});

export const reset = endpoint({
  summary: 'For a forgotten or exposed password: the old one stops working, every session ends, and a new one-time set-password link is answered (tocsin user reset)',
  params: accountParams,
  body: optionalBody(z.strictObject(withConsoleUrl)),
  handle: async ({ ctx, params, body, request }) => {
    const address = linkAddress(body.console_url, request);
    const { account, set_password_token } = await resetAccount(ctx, (await getAccount(ctx, params.id)).email);
    return { account, set_password_link: setPasswordLink(address, set_password_token) };
  },
});

export const removeTwoFactor = endpoint({
  summary: "For someone who lost their authenticator app, recovery codes and passkeys: removes them all and ends the account's sessions (tocsin user remove-2fa)",
  params: accountParams,
  handle: async ({ ctx, params }) => removeSecondFactors(ctx, (await getAccount(ctx, params.id)).email),
});

export const requireTwoFactor = endpoint({
  summary: 'Require (or stop requiring) a second factor of every account, enrolled at its next sign-in (tocsin user require-2fa)',
  body: z.strictObject({ required: z.boolean() }),
  handle: async ({ ctx, body }) => ({ required: body.required, ...(await setTwoFactorRequired(ctx, body.required)) }),
});
