import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { Context } from '../context.ts';
import { invalidInput } from '../lib/errors.ts';
import { bountyOf, bountyUrls } from './programme.ts';
import { openSigningKey, storedPublicKey } from './signing-key.ts';

const SLOT = 'current';
const DAY_MS = 86_400_000;

/** security.txt as served: its text, and until when it holds. */
export interface SecurityTxt {
  body: string;
  signed: boolean;
  expires_at: string;
  signed_at: string | null;
  fingerprint: string | null;
}

/**
 * The fields of RFC 9116 §2.5 other than Expires, in the order written: every Contact of the
 * programme, the public key when there is one (Encryption), the hall of fame (Acknowledgments),
 * the policy's languages, the file's own address (Canonical) and the policy page (Policy). Every
 * web URI is https, as §2.5 requires: public_url must be.
 */
function fieldLines(ctx: Context, withKey: boolean): string[] {
  const bounty = bountyOf(ctx.config);
  const urls = bountyUrls(ctx.config);
  if (!urls.security_txt.startsWith('https://')) {
    throw invalidInput('SECURITY_TXT_NOT_HTTPS', `public_url is ${ctx.config.public_url}: security.txt is served over https and names https addresses (RFC 9116); set public_url to the https:// address of the public listener or its proxy`);
  }
  return [
    ...bounty.contacts.map((contact) => `Contact: ${contact}`),
    ...(withKey ? [`Encryption: ${urls.public_key}`] : []),
    `Acknowledgments: ${urls.hall_of_fame}`,
    `Preferred-Languages: ${Object.keys(bounty.policy).join(', ')}`,
    `Canonical: ${urls.security_txt}`,
    `Policy: ${urls.policy}`,
  ];
}

/** RFC 9116 §2.5.5: an RFC 3339 date-time, in UTC, to the second. */
function expiresField(expires: Date): string {
  return `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** One signing at a time per process: requests that find the file due wait for the same signature. */
const signing = new WeakMap<object, Promise<SecurityTxt>>();

/**
 * The security.txt to serve. With a signing key: the stored signed file while it matches the
 * configuration and has more than `renew_days` left before its Expires, else one signed now
 * (valid `valid_days`) and stored, so every process serves it. Without a key: the same fields,
 * unsigned and without Encryption, dated now.
 */
export async function currentSecurityTxt(ctx: Context): Promise<SecurityTxt> {
  const settings = bountyOf(ctx.config).security_txt;
  const key = await storedPublicKey(ctx);
  const now = ctx.now();
  const expires = new Date(now.getTime() + settings.valid_days * DAY_MS);
  if (key === null) {
    return { body: `${[...fieldLines(ctx, false), expiresField(expires)].join('\n')}\n`, signed: false, expires_at: expires.toISOString(), signed_at: null, fingerprint: null };
  }
  const lines = fieldLines(ctx, true);
  const fieldsSha256 = createHash('sha256').update(lines.join('\n')).digest('hex');
  const stored = await ctx.db.selectFrom('bounty_security_txt').selectAll().where('slot', '=', SLOT).executeTakeFirst();
  if (stored && stored.fields_sha256 === fieldsSha256 && stored.fingerprint === key.fingerprint && Date.parse(stored.expires_at) - now.getTime() > settings.renew_days * DAY_MS) {
    return { body: stored.body, signed: true, expires_at: stored.expires_at, signed_at: stored.signed_at, fingerprint: stored.fingerprint };
  }
  const inFlight = signing.get(ctx.db);
  if (inFlight) return inFlight;
  const signed = signAndStore(ctx, lines, fieldsSha256, now, expires).finally(() => signing.delete(ctx.db));
  signing.set(ctx.db, signed);
  return signed;
}

async function signAndStore(ctx: Context, lines: string[], fieldsSha256: string, now: Date, expires: Date): Promise<SecurityTxt> {
  const privateKey = await openSigningKey(ctx);
  if (privateKey === null) throw new Error('the signing key went away while security.txt was being signed');
  const message = await openpgp.createCleartextMessage({ text: `${[...lines, expiresField(expires)].join('\n')}\n` });
  // openpgp.js ends the signed text's lines with CRLF and the armor's with LF: all LF, one way
  // through the file (RFC 9116 §2.2 takes either); the signature is over canonical CRLF text either way.
  const body = (await openpgp.sign({ message, signingKeys: privateKey, date: now })).replace(/\r\n/g, '\n');
  const row = { slot: SLOT, body, fields_sha256: fieldsSha256, fingerprint: privateKey.getFingerprint().toUpperCase(), signed_at: now.toISOString(), expires_at: expires.toISOString() };
  await ctx.db
    .insertInto('bounty_security_txt')
    .values(row)
    .onConflict((conflict) => conflict.column('slot').doUpdateSet({ body, fields_sha256: fieldsSha256, fingerprint: row.fingerprint, signed_at: row.signed_at, expires_at: row.expires_at }))
    .execute();
  ctx.logger.info({ fingerprint: row.fingerprint, expires_at: row.expires_at }, 'security.txt signed');
  return { body, signed: true, expires_at: row.expires_at, signed_at: row.signed_at, fingerprint: row.fingerprint };
}

/** How often a server looks whether security.txt is due to be signed anew. */
const RENEWAL_CHECK_MS = 3_600_000;

/**
 * Keeps security.txt signed ahead of its Expires while a server runs: looks now and every hour
 * (a request that finds it due signs it too, so this only spares that request the wait). Returns
 * the function that stops it. Nothing is done without a programme, a key or an https public_url.
 */
export function keepSecurityTxtSigned(ctx: Context): () => void {
  const renew = async () => {
    if (ctx.config.bounty === undefined || !ctx.config.public_url?.startsWith('https://') || (await storedPublicKey(ctx)) === null) return;
    await currentSecurityTxt(ctx);
  };
  const check = () =>
    void renew().catch((error: unknown) => ctx.logger.warn({ code: (error as { code?: unknown }).code, type: (error as Error).name }, 'security.txt could not be signed anew; the next check tries again'));
  check();
  const timer = setInterval(check, RENEWAL_CHECK_MS).unref();
  return () => clearInterval(timer);
}
