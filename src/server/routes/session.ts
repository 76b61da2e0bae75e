import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { PERMISSIONS } from '../../accounts/index.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { sessionCookieName, type Principal } from '../auth.ts';
import { endpoint } from '../endpoint.ts';

/** HttpOnly and SameSite=Strict always; over HTTPS also Secure, and `__Host-` in the name pins it to this origin. */
function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' } as const;
}

export const signIn = endpoint({
  summary: 'Sign in with email, password and, when the account has 2FA, a one-time code; sets the session cookie',
  body: z.strictObject({
    email: z.string().min(1).max(320),
    password: z.string().min(1).max(1024),
    otp: z.string().min(1).max(16).optional(),
  }),
  handle: async ({ ctx, body, request, reply, accounts, metrics }) => {
    try {
      const { session_token, principal } = await accounts.login(ctx, { ...body, address: request.ip });
      reply.setCookie(sessionCookieName(accounts, request), session_token, cookieOptions(request));
      return { account: principal };
    } catch (error) {
      if (error instanceof TocsinError) metrics.failedLogins.inc();
      throw error;
    }
  },
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

/** A password or a second factor belongs to a person's account; an API token has none. */
function accountOf(principal: Principal | null): Principal {
  if (!principal || principal.via !== 'session') throw invalidInput('SIGN_IN_AS_PERSON', 'passwords and two-factor sign-in are set by a person signed in with their password, not with an API token');
  return principal;
}

export const beginTotp = endpoint({
  summary: 'Start enrolling an authenticator app: its otpauth URI, QR code (SVG) and secret',
  handle: async ({ ctx, principal, accounts }) => accounts.beginTotpEnrolment(ctx, accountOf(principal).account_id),
});

export const confirmTotp = endpoint({
  summary: "Finish enrolling with a code from the app: returns recovery codes (shown once); the session's cookie is renewed",
  body: z.strictObject({ code: z.string().min(1).max(16) }),
  handle: async ({ ctx, body, principal, request, reply, accounts }) => {
    const account = accountOf(principal);
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
