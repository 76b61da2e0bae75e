/**
 * Prefilters that pick, from the raw bytes of a line, the few lines that could match a rule,
 * so that only those are parsed. They must never miss one: a request matches a rule by its
 * percent-decoded path, so paths are compared as decoded, and a rule's path only as far as a
 * raw log can show it literally.
 */
import { CUT_SHORT, findRequestTarget, parseTimeLocal, placed } from '../evidence/index.ts';
import { literalPathPrefix } from './request-template.ts';
import type { Rule } from './scope-file.ts';

/** What a filter says of a line. */
export const SKIP = 0;
export const CANDIDATE = 1;
/** The line is not of the log's format. */
export const MALFORMED = 2;
/** The line ends before its request: a cut line. */
export const CUT = 3;

export type LineFilter = {
  /** SKIP, CANDIDATE, MALFORMED or CUT for the line `buf[start, end)`. */
  classify(buf: Buffer, start: number, end: number): number;
  /**
   * The instant (epoch ms) of the line last classified SKIP or CANDIDATE, NaN when its
   * timestamp is not valid: a skipped line's time still counts for the file's time span.
   */
  time(buf: Buffer): number;
};

const PERCENT = 0x25;
const SLASH = 0x2f;

/** Bytes a path shows as they are; any other byte a client must percent-encode or a server escapes in its log. */
const LITERAL_IN_PATH = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/") LITERAL_IN_PATH[c.charCodeAt(0)] = 1;

/** Hex digit values, -1 for other bytes. */
const HEX = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX[digit.toString(16).charCodeAt(0)] = digit;
  HEX[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}

/**
 * What the raw target of a request matching `rule` starts with once its escapes are decoded:
 * its literal path prefix, up to the first character a log cannot show as it is.
 */
export function rawPathPrefix(rule: Rule): Buffer {
  const prefix = literalPathPrefix(rule);
  let end = 0;
  while (end < prefix.length && LITERAL_IN_PATH[prefix.charCodeAt(end)] === 1) end++;
  return Buffer.from(prefix.slice(0, end), 'latin1');
}

/**
 * Whether `buf[at, end)`, its `%XX` escapes decoded, starts with `prefix`, or ends before it
 * could tell: a line cut there might have matched, and parsing it reports it as truncated.
 */
function mayStartWithDecoded(buf: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  let i = at;
  for (let j = 0; j < prefix.length; j++) {
    if (i >= end) return true;
    let byte = buf[i++];
    if (byte === PERCENT && i + 1 < end && HEX[buf[i]] >= 0 && HEX[buf[i + 1]] >= 0) {
      byte = HEX[buf[i]] * 16 + HEX[buf[i + 1]];
      i += 2;
    }
    if (byte !== prefix[j]) return false;
  }
  return true;
}

/**
 * For combined and common logs (JSON and other formats parse every line): finds the request target by walking the first few fields
 * (no search, no allocation) and compares its first bytes, decoded, with the rules' path
 * prefixes — usually a mismatch at the second byte. Every line's shape is checked up to its
 * request on the way: lines that cannot match a rule are not parsed further.
 */
export function combinedLineFilter(rules: readonly Rule[]): LineFilter {
  const prefixes = [...new Set(rules.map((rule) => rawPathPrefix(rule).toString('latin1')))].map((text) => Buffer.from(text, 'latin1'));
  return {
    classify(buf, start, end) {
      const target = findRequestTarget(buf, start, end);
      if (target < 0) return target === CUT_SHORT ? CUT : MALFORMED;
      // An absolute-form target (`http://host/path`) or a request without a method: rare, parsed.
      if (buf[target] !== SLASH) return CANDIDATE;
      for (let i = 0; i < prefixes.length; i++) if (mayStartWithDecoded(buf, target, end, prefixes[i])) return CANDIDATE;
      return SKIP;
    },
    time: (buf) => parseTimeLocal(buf, placed.time),
  };
}
