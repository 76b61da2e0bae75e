import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { TocsinError } from '../../lib/errors.ts';
import { sessionCookieName } from '../auth.ts';
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

export const whoami = endpoint({
  summary: 'The signed-in account and how it signed in',
  handle: async ({ principal }) => ({ account: principal }),
});
