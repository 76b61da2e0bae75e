import { timingSafeEqual } from 'node:crypto';
import { addressThrottleKey } from '../accounts/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { keyedHash } from '../lib/keyed-hash.ts';

const PURPOSE = 'tocsin/portal-form';

/** How long a form may stay open: long enough to find a code in one's mail, short enough that a copied token soon goes stale. */
export const FORM_TOKEN_SECONDS = 2 * 60 * 60;

/** A token made a little ahead of this server's clock (another server's) is still taken. */
const CLOCK_SKEW_SECONDS = 60;

/** The hidden field every portal form carries its token in. */
export const FORM_TOKEN_FIELD = 'form_token';

/**
 * A form's token without a cookie: when the page was served and a keyed MAC of that time and the
 * client's address (its IPv6 /64), `<seconds in base 36>.<32 hex>`. Another site cannot read it
 * from our page, and one copied from elsewhere fails from another address or after
 * FORM_TOKEN_SECONDS.
 */
export function issueFormToken(secret: Uint8Array, client: string, now: Date): string {
  const issued = Math.floor(now.getTime() / 1000).toString(36);
  return `${issued}.${macOf(secret, client, issued)}`;
}

/**
 * Refuses a form post whose token is missing (FORM_TOKEN_MISSING), was not made by this
 * installation for this client address (FORM_TOKEN_INVALID) or is older than FORM_TOKEN_SECONDS
 * (FORM_EXPIRED): all 403, so that the page says to reload the form.
 */
export function checkFormToken(secret: Uint8Array, token: unknown, client: string, now: Date): void {
  if (typeof token !== 'string' || token === '') throw formRefused('FORM_TOKEN_MISSING', 'the form carries no form_token; send it from the portal’s own page, reloaded');
  const [issued, mac, ...rest] = token.split('.');
  const seconds = /^[0-9a-z]{1,10}$/.test(issued) ? parseInt(issued, 36) : Number.NaN;
  const expected = Buffer.from(macOf(secret, client, issued ?? ''));
  const given = Buffer.from(mac ?? '');
  if (rest.length > 0 || Number.isNaN(seconds) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw formRefused('FORM_TOKEN_INVALID', 'the form’s form_token was not made for this client by this portal; reload the form and send it again');
  }
  const age = now.getTime() / 1000 - seconds;
  if (age > FORM_TOKEN_SECONDS || age < -CLOCK_SKEW_SECONDS) throw formRefused('FORM_EXPIRED', 'the form was open too long; reload it and send it again');
}

function macOf(secret: Uint8Array, client: string, issued: string): string {
  return keyedHash(secret, PURPOSE, addressThrottleKey(client), issued).slice(0, 32);
}

function formRefused(code: string, message: string): TocsinError {
  return new TocsinError(code, message, { kind: 'forbidden' });
}
