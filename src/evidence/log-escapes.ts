/**
 * The escaping web servers apply to logged values. nginx (default `escape`) writes `"`, `\`,
 * control bytes and bytes ≥ 0x7f as `\xHH`; Apache writes `\"`, `\\`, `\n`, `\t`… and `\xhh`
 * for the rest. Escaped bytes are the UTF-8 of the original text, so decoding restores
 * the bytes first and reads them as UTF-8 last.
 */
import { isUtf8 } from 'node:buffer';

const BACKSLASH = 0x5c;

const APACHE_ESCAPES = new Map<number, number>([
  [0x22, 0x22], // \"
  [0x5c, 0x5c], // \\
  [0x62, 0x08], // \b
  [0x6e, 0x0a], // \n
  [0x72, 0x0d], // \r
  [0x74, 0x09], // \t
  [0x76, 0x0b], // \v
]);

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * `text` with log escapes undone; an unknown escape stays as written. When the bytes are not
 * UTF-8 (a referer in a legacy charset), the text stays as logged rather than lose bytes.
 */
export function unescapeLogText(text: string): string {
  if (text.indexOf('\\') < 0) return text;
  const bytes = Buffer.from(text, 'utf8');
  // Decoding only shortens, so it can overwrite the bytes it has already read.
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    const next = i + 1 < bytes.length ? bytes[i + 1] : -1;
    const high = byte === BACKSLASH && next === 0x78 && i + 3 < bytes.length ? hexValue(bytes[i + 2]) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 3]) : -1;
    if (low >= 0) {
      bytes[length++] = (high << 4) | low;
      i += 3;
    } else if (byte === BACKSLASH && APACHE_ESCAPES.has(next)) {
      bytes[length++] = APACHE_ESCAPES.get(next)!;
      i += 1;
    } else {
      bytes[length++] = byte;
    }
  }
  const decoded = bytes.subarray(0, length);
  return isUtf8(decoded) ? decoded.toString('utf8') : text;
}

const HEX = '0123456789ABCDEF';

/** A value escaped as nginx's default `escape` writes it in a log line. */
export function escapeLogValue(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte === 0x22 || byte === BACKSLASH || byte < 0x20 || byte >= 0x7f
        ? `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`
        : String.fromCharCode(byte);
  }
  return out;
}
