import { randomInt } from 'node:crypto';
import { keyedHash } from '../lib/keyed-hash.ts';

/**
 * Verification codes: each notice carries one, so a customer can check on the shop's own site
 * that the email is genuine. Codes are read on a phone and typed on a keyboard, so they use
 * Crockford's base32 (no I, L, O or U) and end with a check symbol that catches typos before
 * any lookup. Tocsin stores codes only as keyed hashes.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 14 random symbols: 70 bits, far beyond what anyone can guess against a rate-limited page. */
const RANDOM_SYMBOLS = 14;
const GROUP_LENGTH = 5;
const SYMBOLS = RANDOM_SYMBOLS + 1;

/** Crockford's reading rules: case does not matter, O is 0, I and L are 1. */
const VALUE_OF: ReadonlyMap<string, number> = new Map([
  ...[...ALPHABET].map((symbol, value) => [symbol, value] as const),
  ['O', 0],
  ['I', 1],
  ['L', 1],
]);

/** A code in its canonical form, `XXXXX-XXXXX-XXXXX`; only generateCode and normalizeCode make one. */
export type VerificationCode = string & { readonly __brand: 'VerificationCode' };

export function generateCode(): VerificationCode {
  const values = Array.from({ length: RANDOM_SYMBOLS }, () => randomInt(ALPHABET.length));
  return format([...values, checkValue(values)]);
}

/**
 * The code of one notice, derived from the installation's secret key: the same notice always
 * carries the same code, which is made again when the notice is sent and never stored; the
 * database keeps only its keyed hashes.
 */
export function deriveCode(hashKey: Uint8Array, incidentId: string, subject: string): VerificationCode {
  const digest = Buffer.from(keyedHash(hashKey, 'tocsin/notice-code', incidentId, subject), 'hex');
  // 5 bits per symbol from the digest's first 70 bits.
  const values = Array.from({ length: RANDOM_SYMBOLS }, (_, i) => {
    const bit = i * 5;
    const pair = (digest[bit >> 3] << 8) | digest[(bit >> 3) + 1];
    return (pair >> (11 - (bit & 7))) & 0b11111;
  });
  return format([...values, checkValue(values)]);
}

/**
 * Reads a code as a person typed it: any case, O for 0, I or L for 1, spaces and dashes
 * anywhere. Returns the canonical code, or null when it is not one (wrong length, a symbol
 * outside the alphabet, or a check symbol that does not match: a typo).
 */
export function normalizeCode(input: string): VerificationCode | null {
  const compact = input.toUpperCase().replace(/[\s\p{Pd}]/gu, '');
  if (compact.length !== SYMBOLS) return null;
  const values: number[] = [];
  for (const symbol of compact) {
    const value = VALUE_OF.get(symbol);
    if (value === undefined) return null;
    values.push(value);
  }
  return checkValue(values.slice(0, RANDOM_SYMBOLS)) === values[RANDOM_SYMBOLS] ? format(values) : null;
}

/** The keyed hash a notice's code is stored under; `hashKey` is the installation's secret. */
export function codeHash(code: VerificationCode, hashKey: Uint8Array): string {
  return keyedHash(hashKey, 'tocsin/verification-code', code);
}

/**
 * The keyed hash of a code together with the subject it was sent to (the normalized email,
 * see normalizeEmail in records/subject.ts). Looking this up answers "genuine" only when the
 * code and the address belong together, without telling whether either exists on its own.
 */
export function codeSubjectHash(code: VerificationCode, subject: string, hashKey: Uint8Array): string {
  return keyedHash(hashKey, 'tocsin/verification-code+subject', code, subject);
}

function format(values: readonly number[]): VerificationCode {
  const symbols = values.map((value) => ALPHABET[value]).join('');
  const groups: string[] = [];
  for (let start = 0; start < symbols.length; start += GROUP_LENGTH) groups.push(symbols.slice(start, start + GROUP_LENGTH));
  return groups.join('-') as VerificationCode;
}

/**
 * The check symbol: Σ wᵢ·vᵢ over GF(32), with weights wᵢ = αⁱ⁺¹ all distinct, non-zero and ≠ 1
 * (α generates the field's 31 non-zero elements). Changing one symbol shifts the sum by
 * wᵢ·(v + v′) ≠ 0, and swapping two shifts it by (wᵢ + wⱼ)·(a + b) ≠ 0, so every single-symbol
 * typo and every transposition, the check symbol's included, is caught. (Crockford's own
 * mod-37 check needs five extra symbols, such as `*` and `~`, that nobody wants to type.)
 */
function checkValue(values: readonly number[]): number {
  let sum = 0;
  values.forEach((value, i) => {
    sum ^= gfMultiply(WEIGHTS[i], value);
  });
  return sum;
}

/** Multiplication in GF(2⁵), modulo the primitive polynomial x⁵ + x² + 1; addition is XOR. */
function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (; b > 0; b >>= 1) {
    if (b & 1) product ^= a;
    a <<= 1;
    if (a & 0b100000) a ^= 0b100101;
  }
  return product;
}

/** α = x, a generator of GF(32)'s multiplicative group; position i weighs αⁱ⁺¹. */
const ALPHA = 0b00010;
const WEIGHTS: number[] = [];
for (let weight = ALPHA; WEIGHTS.length < RANDOM_SYMBOLS; weight = gfMultiply(weight, ALPHA)) WEIGHTS.push(weight);
