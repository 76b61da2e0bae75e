import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { accountKeys } from './credentials.ts';

/**
 * The WebAuthn ceremonies, for whoever holds the passkey: a staff account (passkeys.ts) or a bug
 * bounty researcher (researcher-passkeys.ts). Each keeps its passkeys in its own table; the
 * challenges share one, marked with whose ceremony they are, so that an answer to one side's
 * ceremony never completes the other's. A registration's challenge is kept there until answered;
 * a sign-in's (asked for by anyone, on the public listener too) is kept nowhere: it carries its
 * expiry and its keyed hash, and is written down only once answered, so that it works once.
 */

/** Who passkeys are bound to: the listener's host name (rp id), a name people see, and its origin. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

/** The relying party of a site: its host name (a passkey is bound to it), the name people see, and its origin. */
export function relyingParty(site: URL, name: string): RelyingParty {
  return { id: site.hostname, name, origin: site.origin };
}

export type PasskeyHolder = 'staff' | 'researcher';

/** A passkey as its table keeps it: the credential id, its COSE public key in base64url, its counter and transports (JSON). */
export interface StoredPasskey {
  id: string;
  public_key: string;
  counter: number;
  transports: string;
}

/**
 * @simplewebauthn/server and what it imports (several hundred files: ASN.1, X.509, CBOR) are loaded
 * on first use, not by every command that imports this folder's front door.
 */
let loaded: Promise<[typeof import('@simplewebauthn/server'), typeof import('@simplewebauthn/server/helpers')]> | undefined;

function simpleWebAuthn(): Promise<[typeof import('@simplewebauthn/server'), typeof import('@simplewebauthn/server/helpers')]> {
  loaded ??= Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')]);
  return loaded;
}

/** How long a ceremony may take, from the options to the answer. */
const CHALLENGE_MS = 5 * 60_000;

const PURPOSES: Record<PasskeyHolder, Record<'register' | 'authenticate', Tables['webauthn_challenges']['purpose']>> = {
  staff: { register: 'register', authenticate: 'authenticate' },
  researcher: { register: 'researcher_register', authenticate: 'researcher_authenticate' },
};

/**
 * Options for the browser's navigator.credentials.create(): a discoverable credential with user
 * verification, so the passkey alone can sign in (it stands for both factors). The challenge is
 * kept, for this holder, for five minutes.
 */
export async function registrationOptions(
  ctx: Context,
  holder: PasskeyHolder,
  user: { id: string; name: string },
  existing: Pick<StoredPasskey, 'id' | 'transports'>[],
  rp: RelyingParty,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const [{ generateRegistrationOptions }] = await simpleWebAuthn();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: JSON.parse(passkey.transports) as string[] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await keepChallenge(ctx, options.challenge, PURPOSES[holder].register, user.id);
  return options;
}

/** Verifies the browser's answer to `holderId`'s registration ceremony (once): the passkey to store. */
export async function verifiedRegistration(ctx: Context, holder: PasskeyHolder, holderId: string, response: RegistrationResponseJSON, rp: RelyingParty): Promise<StoredPasskey> {
  const challenge = await claimChallenge(ctx, response?.response?.clientDataJSON, PURPOSES[holder].register, holderId);
  const [{ verifyRegistrationResponse }] = await simpleWebAuthn();
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true });
  } catch (error) {
    throw passkeyRefused(error);
  }
  if (!verified.verified) throw passkeyRefused();
  const { credential } = verified.registrationInfo;
  return { id: credential.id, public_key: Buffer.from(credential.publicKey).toString('base64url'), counter: credential.counter, transports: JSON.stringify(credential.transports ?? []) };
}

/** Options for navigator.credentials.get() to sign in with a passkey: no email asked, the passkey names its holder. Nothing is stored. */
export async function signInOptions(ctx: Context, holder: PasskeyHolder, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const [{ generateAuthenticationOptions }] = await simpleWebAuthn();
  const challenge = signInChallenge(ctx, PURPOSES[holder].authenticate, ctx.now().getTime() + CHALLENGE_MS, randomBytes(NONCE_BYTES));
  return generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required', challenge });
}

/**
 * Takes the challenge a sign-in answer signed (it is good once): PASSKEY_CHALLENGE for a
 * challenge this server did not make for this holder, one that expired, or one answered before.
 */
export async function claimSignInChallenge(ctx: Context, holder: PasskeyHolder, response: AuthenticationResponseJSON): Promise<string> {
  const purpose = PURPOSES[holder].authenticate;
  const challenge = await answeredChallenge(response?.response?.clientDataJSON);
  const bytes = Buffer.from(challenge, 'base64url');
  const expiresMs = bytes.length === SIGN_IN_CHALLENGE_BYTES ? Number(bytes.readBigUInt64BE(NONCE_BYTES)) : 0;
  const made = expiresMs > 0 && timingSafeEqual(bytes, signInChallenge(ctx, purpose, expiresMs, bytes.subarray(0, NONCE_BYTES)));
  const now = ctx.now();
  if (!made || expiresMs <= now.getTime()) throw noCeremony();
  const firstAnswer = await ctx.db.transaction().execute(async (trx) => {
    await forgetExpiredChallenges(trx, now);
    return trx
      .insertInto('webauthn_challenges')
      .values({ challenge, purpose, account_id: null, expires_at: new Date(expiresMs).toISOString() })
      .onConflict((conflict) => conflict.column('challenge').doNothing())
      .returning('challenge')
      .executeTakeFirst();
  });
  if (!firstAnswer) throw noCeremony();
  return challenge;
}

const NONCE_BYTES = 16;
const SIGN_IN_CHALLENGE_BYTES = NONCE_BYTES + 8 + 16;

/** A sign-in challenge: a random nonce, when it expires (ms since 1970, 8 bytes) and 16 bytes of their keyed hash for the holder's purpose. */
function signInChallenge(ctx: Context, purpose: Tables['webauthn_challenges']['purpose'], expiresMs: number, nonce: Uint8Array): Uint8Array<ArrayBuffer> {
  const expires = Buffer.alloc(8);
  expires.writeBigUInt64BE(BigInt(expiresMs));
  const tag = Buffer.from(accountKeys(ctx).hash('passkey-challenge', `${purpose}\0${Buffer.from(nonce).toString('base64url')}\0${expiresMs}`), 'hex').subarray(0, 16);
  return new Uint8Array(Buffer.concat([nonce, expires, tag]));
}

/** The passkey's new signature counter when `response` is its user-verified signature of `challenge` for this relying party; null when it is not. */
export async function verifiedSignIn(response: AuthenticationResponseJSON, challenge: string, passkey: StoredPasskey, rp: RelyingParty): Promise<number | null> {
  const [{ verifyAuthenticationResponse }] = await simpleWebAuthn();
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.public_key, 'base64url'), counter: Number(passkey.counter), transports: JSON.parse(passkey.transports) as string[] },
      requireUserVerification: true,
    });
    return verified.verified ? verified.authenticationInfo.newCounter : null;
  } catch {
    return null;
  }
}

async function keepChallenge(ctx: Context, challenge: string, purpose: Tables['webauthn_challenges']['purpose'], holderId: string | null): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await forgetExpiredChallenges(trx, now);
    await trx.insertInto('webauthn_challenges').values({ challenge, purpose, account_id: holderId, expires_at: new Date(now.getTime() + CHALLENGE_MS).toISOString() }).execute();
  });
}

/** Ceremonies begun and never finished, and sign-in answers past their challenge's expiry, are cleared as new ones come. */
function forgetExpiredChallenges(trx: Kysely<Tables>, now: Date): Promise<unknown> {
  return trx.deleteFrom('webauthn_challenges').where('expires_at', '<=', now.toISOString()).execute();
}

/** Takes the challenge the answer signed out of the store (it is good once), or refuses an answer to no live ceremony. */
async function claimChallenge(ctx: Context, clientDataJSON: unknown, purpose: Tables['webauthn_challenges']['purpose'], holderId: string | null): Promise<string> {
  const challenge = await answeredChallenge(clientDataJSON);
  let query = ctx.db.deleteFrom('webauthn_challenges').where('challenge', '=', challenge).where('purpose', '=', purpose).where('expires_at', '>', ctx.now().toISOString());
  query = holderId === null ? query.where('account_id', 'is', null) : query.where('account_id', '=', holderId);
  const claimed = await query.executeTakeFirst();
  if (claimed.numDeletedRows === 0n) throw noCeremony();
  return challenge;
}

/** The challenge (base64url) that the browser's client data says the answer signed. */
async function answeredChallenge(clientDataJSON: unknown): Promise<string> {
  const [, { decodeClientDataJSON }] = await simpleWebAuthn();
  let challenge: unknown;
  try {
    challenge = typeof clientDataJSON === 'string' ? decodeClientDataJSON(clientDataJSON).challenge : undefined;
  } catch (error) {
    throw passkeyRefused(error);
  }
  if (typeof challenge !== 'string') throw passkeyRefused();
  return challenge;
}

function noCeremony(): TocsinError {
  return new TocsinError('PASSKEY_CHALLENGE', 'this passkey answer is for no ceremony in progress (it expires after 5 minutes, and works once); start again', { kind: 'conflict' });
}

function passkeyRefused(cause?: unknown): TocsinError {
  return invalidInput('PASSKEY_INVALID', 'the passkey\'s answer could not be verified; try again, or use another passkey', { cause });
}
