/**
 * The breach's own data used as bait: an incident's affected people's values (name, phone,
 * order number, postal address fragments, IMEI) are cut into normalised tokens, and only each
 * token's keyed hash is kept; a reported message is cut the same way and its tokens' hashes
 * looked up. The desk so tells "this phish quotes incident X's names and phones" without ever
 * holding those values in clear.
 */
import { findPhoneNumbersInText, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { keyedHash } from '../lib/keyed-hash.ts';

/** The kinds of value a phish may quote, as the desk names them in `leaked[].fields`. */
// Not the email address: a phish is sent to it, and legitimate mail quotes it; it proves nothing.
export const BAIT_FIELDS = ['name', 'phone', 'order_number', 'postal_address', 'imei'] as const;
export type BaitField = (typeof BAIT_FIELDS)[number];

const PURPOSE = 'tocsin/phishing-bait';
/** Tokens a message is cut into at most: enough for any real phish, bounded for a hostile one. */
const MAX_MESSAGE_WORDS = 20_000;
/** Fewer characters match too much by chance (a first name, a short street). */
const MIN_TOKEN_CHARS = 6;

export function baitHash(hashKey: Uint8Array, token: string): string {
  return keyedHash(hashKey, PURPOSE, token);
}

function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Identifiers (order numbers, IMEIs) compare without case, spaces or dashes. */
function compactId(value: string): string {
  return value.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** A phone's national number, the same whether written +49 30 …, 0030 … or 030 …. */
function phoneToken(value: string, country: string | null): string | null {
  const parsed = parsePhoneNumberFromString(value, (country?.toUpperCase() as CountryCode | undefined) ?? undefined);
  return parsed?.isPossible() ? `phone:${parsed.nationalNumber}` : null;
}

/**
 * The tokens of one affected person's value. Names and address fragments are word sequences
 * (two words at least: a lone first name or town matches too much); an order number or IMEI
 * is one compact identifier with a digit in it.
 */
export function recordTokens(field: BaitField, value: string, country: string | null): string[] {
  switch (field) {
    case 'phone': {
      const token = phoneToken(value, country);
      return token ? [token] : [];
    }
    case 'order_number':
    case 'imei':
      // An order history may list several orders; an IMEI is written in groups.
      return (field === 'imei' ? [value] : value.split(/[,;|\n]/))
        .map(compactId)
        .filter((id) => id.length >= MIN_TOKEN_CHARS && /\d/.test(id))
        .map((id) => `id:${id}`);
    case 'name': {
      const name = words(value);
      return name.length >= 2 && name.join(' ').length >= MIN_TOKEN_CHARS ? [`words:${name.join(' ')}`] : [];
    }
    case 'postal_address':
      // Each line or comma-separated part on its own: a phish quotes "Hauptstraße 5" or "10115 Berlin".
      return value
        .split(/[,\n;]/)
        .map((part) => words(part))
        .filter((part) => part.length >= 2 && part.length <= 4 && part.join(' ').length >= MIN_TOKEN_CHARS)
        .map((part) => `words:${part.join(' ')}`);
  }
}

/**
 * The tokens of a message's text: every run of two to four words (names, address parts), every
 * word with a digit (order numbers), runs of digits across spaces and dashes of IMEI length, the
 * phone numbers libphonenumber-js finds (read as of each country the incidents' people live in).
 */
export function messageTokens(text: string, phoneCountries: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  const all = words(text.slice(0, MAX_MESSAGE_WORDS * 16));
  const list = all.length > MAX_MESSAGE_WORDS ? all.slice(0, MAX_MESSAGE_WORDS) : all;
  for (let i = 0; i < list.length; i++) {
    let run = list[i];
    if (run.length >= MIN_TOKEN_CHARS && /\d/.test(run)) tokens.add(`id:${run.toUpperCase()}`);
    for (let n = 2; n <= 4 && i + n <= list.length; n++) {
      run += ` ${list[i + n - 1]}`;
      if (run.length >= MIN_TOKEN_CHARS) tokens.add(`words:${run}`);
    }
  }
  for (const match of text.matchAll(/\d(?:[ -]?\d){14}/g)) tokens.add(`id:${compactId(match[0])}`);
  for (const country of [undefined, ...phoneCountries]) {
    for (const found of findPhoneNumbersInText(text.slice(0, 200_000), country ? { defaultCountry: country.toUpperCase() as CountryCode } : undefined)) {
      tokens.add(`phone:${found.number.nationalNumber}`);
    }
  }
  return tokens;
}
