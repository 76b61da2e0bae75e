const MAX_LINE = 76;
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const EQUALS = 0x3d;

/**
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text, line ends as CRLF, lines of at most 76
 * characters. Written so the result is already in DKIM's relaxed canonical form: no
 * whitespace at a line end, no run of whitespace (the second space of a run is =20, a tab
 * =09), so the signer hashes the body as it is. A dot or "From " opening a line is encoded
 * too, so no relay's dot-stuffing or mbox quoting can change the signed bytes.
 */
export function encodeQuotedPrintable(text: string): Buffer {
  const input = Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
  const output = Buffer.allocUnsafe(input.length * 3 + Math.ceil((input.length * 3) / (MAX_LINE - 1)) * 3 + 3);
  let out = 0;
  let column = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    if (byte === CR && input[i + 1] === LF) {
      output[out++] = CR;
      output[out++] = LF;
      column = 0;
      i++;
      continue;
    }
    const atLineEnd = i + 1 === input.length || (input[i + 1] === CR && input[i + 2] === LF);
    const literal =
      (byte > SPACE && byte < 0x7f && byte !== EQUALS && !(column === 0 && (byte === 0x2e || (byte === 0x46 && input.toString('latin1', i, i + 5) === 'From ')))) ||
      (byte === SPACE && !atLineEnd && output[out - 1] !== SPACE);
    const width = literal ? 1 : 3;
    // A soft break leaves room for its own '='; a line's last character may use the whole width.
    if (column + width > (atLineEnd ? MAX_LINE : MAX_LINE - 1)) {
      output[out++] = EQUALS;
      output[out++] = CR;
      output[out++] = LF;
      column = 0;
    }
    if (literal) {
      output[out++] = byte;
      column++;
    } else {
      output[out++] = EQUALS;
      output[out++] = HEX[byte >> 4];
      output[out++] = HEX[byte & 0x0f];
      column += 3;
    }
  }
  return output.subarray(0, out);
}
