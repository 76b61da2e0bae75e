import type {} from '@fastify/cookie';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';

import type { AccountView, PasskeyView, Permission, Principal, RelyingParty, ResearcherPrincipal, ResearcherView, Role } from '../accounts/index.ts';

export type { Permission, Principal, ResearcherPrincipal, Role };

/**
 * What the server needs of the accounts front door (src/accounts/index.ts), which `tocsin serve`
 * passes whole: taken as an object so the server can be built without reaching for a module.
 */
export interface StaffAccounts {
  can(role: Role, permission: Permission): boolean;
  authenticateSession(ctx: Context, cookieToken: string): Promise<Principal | null>;
  authenticateBearer(ctx: Context, bearerToken: string): Promise<Principal | null>;
  login(ctx: Context, input: { email: string; password: string; otp?: string; address: string }): Promise<{ session_token: string; principal: Principal }>;
  logout(ctx: Context, sessionId: string): Promise<void>;
  logoutEverywhere(ctx: Context, accountId: string): Promise<void>;
  requireRecentSignIn<P extends { signed_in_at?: string }>(ctx: Context, principal: P): P;
  beginTotpEnrolment(ctx: Context, accountId: string): Promise<{ otpauth_uri: string; qr_svg: string; secret: string }>;
  confirmTotpEnrolment(ctx: Context, accountId: string, code: string, sessionId?: string): Promise<{ recovery_codes: string[]; session_token: string | null }>;
  setPasswordWithLink(ctx: Context, token: string, password: string, address: string): Promise<AccountView>;
  changePassword(ctx: Context, accountId: string, input: { current: string; password: string; address: string; keepSessionId?: string }): Promise<void>;
  listPasskeys(ctx: Context, accountId: string): Promise<PasskeyView[]>;
  passkeyRegistrationOptions(ctx: Context, accountId: string, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON>;
  registerPasskey(ctx: Context, accountId: string, response: RegistrationResponseJSON, rp: RelyingParty, sessionId?: string): Promise<{ passkey: PasskeyView; session_token: string | null }>;
  removePasskey(ctx: Context, accountId: string, passkeyId: string): Promise<void>;
  passkeySignInOptions(ctx: Context, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON>;
  loginWithPasskey(ctx: Context, input: { response: AuthenticationResponseJSON; address: string }, rp: RelyingParty): Promise<{ session_token: string; principal: Principal }>;
  SESSION_COOKIE: string;
  // Bug bounty researchers: the public listener's own accounts, never a staff principal.
  signUpResearcher(ctx: Context, input: { email: string; password: string; locale: string; address: string }): Promise<{ researcher_id: string; mail: 'verify' | 'registered' }>;
  verifyResearcherEmail(ctx: Context, token: string): Promise<ResearcherView>;
  requestResearcherReset(ctx: Context, input: { email: string; address: string }): Promise<string | null>;
  resetResearcherPassword(ctx: Context, token: string, password: string): Promise<ResearcherView>;
  researcherLogin(ctx: Context, input: { email: string; password: string; otp?: string; address: string }): Promise<{ session_token: string; principal: ResearcherPrincipal }>;
  authenticateResearcher(ctx: Context, cookieToken: string): Promise<ResearcherPrincipal | null>;
  researcherLogout(ctx: Context, sessionId: string): Promise<void>;
  researcherView(ctx: Context, id: string): Promise<ResearcherView>;
  beginResearcherTotp(ctx: Context, researcherId: string): Promise<{ otpauth_uri: string; qr_svg: string; secret: string }>;
  confirmResearcherTotp(ctx: Context, principal: ResearcherPrincipal, code: string): Promise<{ recovery_codes: string[]; session_token: string }>;
  researcherPasskeyOptions(ctx: Context, researcherId: string, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON>;
  registerResearcherPasskey(ctx: Context, principal: ResearcherPrincipal, response: RegistrationResponseJSON, rp: RelyingParty): Promise<{ passkey: PasskeyView; session_token: string }>;
  researcherPasskeySignInOptions(ctx: Context, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON>;
  researcherLoginWithPasskey(ctx: Context, input: { response: AuthenticationResponseJSON; address: string }, rp: RelyingParty): Promise<{ session_token: string; principal: ResearcherPrincipal }>;
  RESEARCHER_COOKIE: string;
}

/**
 * What a route needs: a permission, any signed-in account, or nothing (health, metrics, the API
 * document, logging in). `researcher`, a signed-in bug bounty researcher, is for the public listener only.
 */
export type Access = Permission | 'signed_in' | 'anyone' | 'researcher';

/** The session cookie's name: `__Host-` prefixed over TLS, so only this origin over HTTPS can set it. */
export function sessionCookieName(accounts: Pick<StaffAccounts, 'SESSION_COOKIE'>, request: FastifyRequest): string {
  return hostCookie(accounts.SESSION_COOKIE, request);
}

/** The researcher session cookie's name, `__Host-` prefixed over TLS as the staff one. */
export function researcherCookieName(accounts: Pick<StaffAccounts, 'RESEARCHER_COOKIE'>, request: FastifyRequest): string {
  return hostCookie(accounts.RESEARCHER_COOKIE, request);
}

function hostCookie(name: string, request: FastifyRequest): string {
  return request.protocol === 'https' ? `__Host-${name}` : name;
}

/** This listener's origin as the request reached it (through a trusted proxy, its public name). */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request that rides on a cookie must come from the console's own origin. SameSite=Strict
 * keeps the cookie off cross-site requests in current browsers; this catches the rest (same-site
 * sibling origins, older browsers). A request with neither header is not from a browser.
 */
export function crossOriginReason(request: FastifyRequest): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return `Sec-Fetch-Site is ${fetchSite}`;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== originOf(request)) return 'its Origin is not this server';
  return null;
}

/**
 * Finds who is calling (a bearer token, else the session cookie) and checks the route's access:
 * the caller, null for a route anyone may call, or a TocsinError (unauthenticated, forbidden).
 */
export async function authorize(accounts: StaffAccounts, ctx: Context, access: Exclude<Access, 'researcher'>, request: FastifyRequest): Promise<Principal | null> {
  if (access === 'anyone') return null;
  const authorization = request.headers.authorization;
  let principal: Principal | null = null;
  if (authorization !== undefined) {
    const [scheme, token] = authorization.split(' ');
    if (scheme?.toLowerCase() === 'bearer' && token) principal = await accounts.authenticateBearer(ctx, token);
  } else {
    const cookie = request.cookies[sessionCookieName(accounts, request)];
    if (cookie) {
      principal = await accounts.authenticateSession(ctx, cookie);
      const reason = principal ? crossOriginReason(request) : null;
      if (reason) throw new TocsinError('CROSS_ORIGIN', `refused a cross-origin ${request.method} with the session cookie: ${reason}`, { kind: 'forbidden' });
    }
  }
  if (!principal) {
    throw new TocsinError('UNAUTHENTICATED', 'sign in first: POST /api/session with your email and password, or send Authorization: Bearer TOKEN', { kind: 'unauthenticated' });
  }
  if (principal.must_enrol_2fa && access !== 'signed_in') {
    throw new TocsinError('ENROL_2FA_FIRST', 'this account must set up two-factor sign-in before anything else: POST /api/session/totp, then POST /api/session/totp/confirm with a code from the app', { kind: 'forbidden' });
  }
  if (access !== 'signed_in' && !accounts.can(principal.role, access)) {
    throw new TocsinError('FORBIDDEN', `the ${principal.role} role may not do this (it needs ${access}); ask an admin for a role that has it`, { kind: 'forbidden' });
  }
  return principal;
}

/**
 * The signed-in researcher of a public-listener request (their session cookie only: no bearer
 * tokens, no staff session), or UNAUTHENTICATED. A cookie-borne write must come from this origin.
 */
export async function authorizeResearcher(accounts: StaffAccounts, ctx: Context, request: FastifyRequest): Promise<ResearcherPrincipal> {
  const cookie = request.cookies[researcherCookieName(accounts, request)];
  const researcher = cookie ? await accounts.authenticateResearcher(ctx, cookie) : null;
  if (!researcher) throw new TocsinError('UNAUTHENTICATED', 'sign in as a researcher first: POST /api/bounty/session with your email and password', { kind: 'unauthenticated' });
  const reason = crossOriginReason(request);
  if (reason) throw new TocsinError('CROSS_ORIGIN', `refused a cross-origin ${request.method} with the researcher cookie: ${reason}`, { kind: 'forbidden' });
  return researcher;
}
