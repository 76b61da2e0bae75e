const MAX_LINE = 76;
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const EQUALS = 0x3d;
const DOT = 0x2e;
const F = 0x46;

/** Bytes written as themselves, but at a line start: printable ASCII other than '='. */
const PRINTABLE = new Uint8Array(256);
for (let byte = SPACE + 1; byte < 0x7f; byte++) PRINTABLE[byte] = byte === EQUALS ? 0 : 1;

/**
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text, line ends (LF or CRLF) as CRLF, lines of at
 * most 76 characters. Written so the result is already in DKIM's relaxed canonical form: no
 * whitespace at a line end, no run of whitespace (the second space of a run is =20, a tab
 * =09), so the signer hashes the body as it is. A dot or "From " opening a line is encoded
 * too, so no relay's dot-stuffing or mbox quoting can change the signed bytes. Every notice
 * passes through here twice, so it is one pass over the bytes with a table lookup per byte.
 */
export function encodeQuotedPrintable(text: string): Buffer {
  const input = Buffer.from(text, 'utf8');
  const length = input.length;
  const output = Buffer.allocUnsafe(length * 3 + Math.ceil((length * 3) / (MAX_LINE - 1)) * 3 + 3);
  const atLineEnd = (i: number) => i + 1 === length || input[i + 1] === LF || (input[i + 1] === CR && input[i + 2] === LF);
  const fineAtLineStart = (i: number) => input[i] !== DOT && !(input[i] === F && input.toString('latin1', i, i + 5) === 'From ');
  let out = 0;
  let column = 0;
  for (let i = 0; i < length; i++) {
    const byte = input[i];
    if (byte === LF || (byte === CR && input[i + 1] === LF)) {
      output[out++] = CR;
      output[out++] = LF;
      column = 0;
      if (byte === CR) i++;
      continue;
    }
    let literal = PRINTABLE[byte] === 1 ? column !== 0 || fineAtLineStart(i) : byte === SPACE && output[out - 1] !== SPACE && !atLineEnd(i);
    const width = literal ? 1 : 3;
    // A soft break leaves room for its own '='; a line's last character may use the whole width.
    if (column + width > MAX_LINE - 1 && (column + width > MAX_LINE || !atLineEnd(i))) {
      output[out++] = EQUALS;
      output[out++] = CR;
      output[out++] = LF;
      column = 0;
      if (literal && byte !== SPACE) literal = fineAtLineStart(i);
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
