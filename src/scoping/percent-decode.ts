/**
 * Percent-decoding of URL paths and query components as a server reads them: `%XX` escapes
 * become bytes, and the bytes are read as UTF-8. A `%` without two hex digits after it is
 * kept as written and bytes that are not UTF-8 become U+FFFD: malformed input decodes to
 * something, never to an exception (unlike decodeURIComponent).
 */

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** `text` decoded; with `plusIsSpace` (query strings, HTML forms) a `+` is a space. */
export function percentDecode(text: string, plusIsSpace = false): string {
  if (text.indexOf('%') < 0) return plusIsSpace && text.indexOf('+') >= 0 ? text.replaceAll('+', ' ') : text;
  const bytes = Buffer.from(text, 'utf8');
  // Decoding only shortens, so it can overwrite the bytes it has already read.
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    const high = byte === 0x25 && i + 2 < bytes.length ? hexValue(bytes[i + 1]) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 2]) : -1;
    if (low >= 0) {
      bytes[length++] = (high << 4) | low;
      i += 2;
    } else {
      bytes[length++] = plusIsSpace && byte === 0x2b ? 0x20 : byte;
    }
  }
  return bytes.toString('utf8', 0, length);
}
