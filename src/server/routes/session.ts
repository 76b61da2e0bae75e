import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PERMISSIONS, relyingParty, type RelyingParty } from '../../accounts/index.ts';
import type { Context } from '../../context.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { originOf, sessionCookieName, type Principal, type StaffAccounts } from '../auth.ts';
import { endpoint } from '../endpoint.ts';
import type { Metrics } from '../metrics.ts';

/** HttpOnly and SameSite=Strict always; over HTTPS also Secure, and `__Host-` in the name pins it to this origin. */
function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' } as const;
}

/** A sign-in, by password or passkey: its session in the cookie, or a failed sign-in counted. */
async function startSession(call: { request: FastifyRequest; reply: FastifyReply; accounts: StaffAccounts; metrics: Metrics }, signingIn: () => Promise<{ session_token: string; principal: Principal }>) {
  try {
    const { session_token, principal } = await signingIn();
    call.reply.setCookie(sessionCookieName(call.accounts, call.request), session_token, cookieOptions(call.request));
    return { account: principal };
  } catch (error) {
    if (error instanceof TocsinError) call.metrics.failedLogins.inc();
    throw error;
  }
}

export const signIn = endpoint({
  summary: 'Sign in with email, password and, when the account has 2FA, a one-time code; sets the session cookie',
  body: z.strictObject({
    email: z.string().min(1).max(320),
    password: z.string().min(1).max(1024),
    otp: z.string().min(1).max(16).optional(),
  }),
  handle: async (call) => startSession(call, () => call.accounts.login(call.ctx, { ...call.body, address: call.request.ip })),
});

export const signOut = endpoint({
  summary: 'Sign out: ends this session and clears its cookie',
  handle: async ({ ctx, principal, request, reply, accounts }) => {
    if (principal?.session_id) await accounts.logout(ctx, principal.session_id);
    reply.clearCookie(sessionCookieName(accounts, request), cookieOptions(request));
    return reply.code(204).send();
  },
});

export const signOutEverywhere = endpoint({
  summary: "Sign out everywhere: ends every session of the caller's account, on every device",
  handle: async ({ ctx, principal, request, reply, accounts }) => {
    if (principal) await accounts.logoutEverywhere(ctx, principal.account_id);
    reply.clearCookie(sessionCookieName(accounts, request), cookieOptions(request));
    return reply.code(204).send();
  },
});

/** A password, a second factor or a passkey belongs to a person's account; an API token has none. */
function accountOf(principal: Principal | null): Principal {
  if (!principal || principal.via !== 'session') throw invalidInput('SIGN_IN_AS_PERSON', 'passwords, two-factor sign-in and passkeys are set by a person signed in to the console, not with an API token');
  return principal;
}

export const beginTotp = endpoint({
  summary: 'Start enrolling an authenticator app: its otpauth URI, QR code (SVG) and secret; within 10 minutes of signing in (403 SIGN_IN_AGAIN otherwise)',
  handle: async ({ ctx, principal, accounts }) => accounts.beginTotpEnrolment(ctx, accounts.requireRecentSignIn(ctx, accountOf(principal)).account_id),
});

export const confirmTotp = endpoint({
  summary: "Finish enrolling with a code from the app: returns recovery codes (shown once); the session's cookie is renewed",
  body: z.strictObject({ code: z.string().min(1).max(16) }),
  handle: async ({ ctx, body, principal, request, reply, accounts }) => {
    const account = accounts.requireRecentSignIn(ctx, accountOf(principal));
    const { recovery_codes, session_token } = await accounts.confirmTotpEnrolment(ctx, account.account_id, body.code, account.session_id);
    if (session_token) reply.setCookie(sessionCookieName(accounts, request), session_token, cookieOptions(request));
    return { recovery_codes };
  },
});

export const setPassword = endpoint({
  summary:
    "Set an account's password with the token of its one-time set-password link (the part after '#'); the link is then used up and the account signs in with POST /api/session. 404 LINK_INVALID for an unknown, used or expired link; 400 with the password policy's message for a weak password (the link stays usable); unknown links are throttled per client like failed sign-ins",
  body: z.strictObject({ token: z.string().min(1).max(256), password: z.string().min(1).max(1024) }),
  handle: async ({ ctx, body, request, accounts }) => ({ account: await accounts.setPasswordWithLink(ctx, body.token, body.password, request.ip) }),
});

export const changePassword = endpoint({
  summary:
    "Change the signed-in person's own password, given the current one (400 CURRENT_PASSWORD_WRONG otherwise, counted as a failed sign-in: 429 THROTTLED or LOCKED_OUT after too many); every other session of the account ends, this one stays",
  body: z.strictObject({ current: z.string().min(1).max(1024), password: z.string().min(1).max(1024) }),
  handle: async ({ ctx, body, principal, request, reply, accounts }) => {
    const account = accountOf(principal);
    await accounts.changePassword(ctx, account.account_id, { ...body, address: request.ip, keepSessionId: account.session_id });
    return reply.code(204).send();
  },
});

export const whoami = endpoint({
  summary: 'The signed-in account, how it signed in, and what its role may do (the console hides the rest)',
  // A signed_in route is reached only with a principal.
  handle: async ({ principal, can }) => ({ account: principal!, permissions: PERMISSIONS.filter(can) }),
});

/**
 * The staff listener as the relying party its passkeys are bound to: its host name and origin as
 * people reach the console (through a trusted proxy, its public name), as the request says.
 */
function staffRelyingParty(ctx: Context, request: FastifyRequest): RelyingParty {
  let site: URL | undefined;
  try {
    site = new URL(originOf(request));
  } catch {}
  // A Host that is not a plain host[:port] (one with a path, credentials or spaces) names no relying party.
  if (site?.host !== request.host.toLowerCase()) throw invalidInput('BAD_HOST', "the request's Host header is not this server's name; reach the console at its address");
  return relyingParty(site, ctx.config.shop.name ?? 'Tocsin');
}

/** A credential as the browser's PublicKeyCredential.toJSON() gives it (WebAuthn's own JSON, in its casing); @simplewebauthn checks its parts. */
export const passkeyCredential = z.looseObject({ id: z.string().max(1024), type: z.literal('public-key'), response: z.looseObject({}) });

const passkeyParams = z.strictObject({ id: z.string().regex(/^[\w-]{1,1024}$/, { message: 'not a passkey id' }).describe("the passkey's id, as the list gives it") });

export const passkeys = endpoint({
  summary: "The signed-in person's passkeys: their ids, when each was added and last signed in",
  handle: async ({ ctx, principal, accounts }) => ({ items: await accounts.listPasskeys(ctx, accountOf(principal).account_id) }),
});

export const passkeyOptions = endpoint({
  summary: "Start adding a passkey to the signed-in person's account → {options}: WebAuthn's creation options (as JSON) for navigator.credentials.create(), good for five minutes; within 10 minutes of signing in (403 SIGN_IN_AGAIN otherwise), as adding and removing one",
  handle: async ({ ctx, principal, request, accounts }) => ({ options: await accounts.passkeyRegistrationOptions(ctx, accounts.requireRecentSignIn(ctx, accountOf(principal)).account_id, staffRelyingParty(ctx, request)) }),
});

export const addPasskey = endpoint({
  summary:
    "Add the passkey the browser made: {credential} (PublicKeyCredential.toJSON()) → {passkey}; from now on it signs the account in by itself, and the password alone no longer does. The session's cookie is renewed",
  body: z.strictObject({ credential: passkeyCredential }),
  status: 201,
  handle: async ({ ctx, body, principal, request, reply, accounts }) => {
    const account = accounts.requireRecentSignIn(ctx, accountOf(principal));
    const added = await accounts.registerPasskey(ctx, account.account_id, body.credential as unknown as RegistrationResponseJSON, staffRelyingParty(ctx, request), account.session_id);
    if (added.session_token) reply.setCookie(sessionCookieName(accounts, request), added.session_token, cookieOptions(request));
    return { passkey: added.passkey };
  },
});

export const removePasskey = endpoint({
  summary: "Remove one of the signed-in person's passkeys (404 NO_SUCH_PASSKEY for another's; 403 SIGN_IN_AGAIN over 10 minutes after signing in); it is in the security log",
  params: passkeyParams,
  handle: async ({ ctx, params, principal, reply, accounts }) => {
    await accounts.removePasskey(ctx, accounts.requireRecentSignIn(ctx, accountOf(principal)).account_id, params.id);
    return reply.code(204).send();
  },
});

export const passkeySignInOptions = endpoint({
  summary: "Start signing in with a passkey → {options}: WebAuthn's request options (as JSON) for navigator.credentials.get(), good for five minutes; no email asked, nothing stored",
  handle: async ({ ctx, request, accounts }) => ({ options: await accounts.passkeySignInOptions(ctx, staffRelyingParty(ctx, request)) }),
});

export const passkeySignIn = endpoint({
  summary:
    'Sign in with a passkey: {credential} (PublicKeyCredential.toJSON()) → {account}; sets the session cookie, as POST /api/session does. The passkey stands for the password and second factor; failures are throttled per address like failed password sign-ins',
  body: z.strictObject({ credential: passkeyCredential }),
  handle: async (call) =>
    startSession(call, () => call.accounts.loginWithPasskey(call.ctx, { response: call.body.credential as unknown as AuthenticationResponseJSON, address: call.request.ip }, staffRelyingParty(call.ctx, call.request))),
});
