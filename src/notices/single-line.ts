/**
 * Control characters (CR and LF among them), Unicode line and paragraph separators, and the
 * bidirectional overrides that can make text read differently from what it is.
 */
const BREAKING = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu;

/**
 * A value on one line: what goes into a mail header must not be able to start another
 * header (`Marie\r\nBcc: …`), and a customer's name has no business spanning lines anywhere.
 */
export function singleLine(value: string): string {
  return value.replace(BREAKING, ' ').trim();
}
