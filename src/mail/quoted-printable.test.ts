import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeQuotedPrintable } from './quoted-printable.ts';

function decode(encoded: string): string {
  const bytes = encoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('encodeQuotedPrintable', () => {
  it('round-trips any text, with CRLF line ends', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\t', '\n', '=', '.', 'F', 'r', 'o', 'm', '€', '😀', 'x'), maxLength: 400 }), (text) => {
        expect(decode(encodeQuotedPrintable(text).toString('latin1'))).toBe(text.replace(/\n/g, '\r\n'));
      }),
    );
  });

  it('writes short 7-bit lines already in relaxed canonical form: no trailing or repeated whitespace', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'ü', ' ', '\u00a0', '\t', '\n', '=', 'b'), maxLength: 400 }), (text) => {
        const encoded = encodeQuotedPrintable(text).toString('latin1');
        expect(encoded).toMatch(/^[\x20-\x7e\r\n]*$/);
        for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
        expect(encoded).not.toMatch(/[ \t](\r\n|$)|[ \t]{2}/);
      }),
    );
  });

  it('encodes what relays would alter at a line start: a dot, and "From "', () => {
    expect(encodeQuotedPrintable('.\nFrom here\nFromage').toString()).toBe('=2E\r\n=46rom here\r\nFromage');
    // also where a soft break puts them at the start of a line
    expect(encodeQuotedPrintable(`${'a'.repeat(75)}.x`).toString()).toBe(`${'a'.repeat(75)}=\r\n=2Ex`);
    expect(encodeQuotedPrintable(`${'a'.repeat(75)}From you`).toString()).toBe(`${'a'.repeat(75)}=\r\n=46rom you`);
  });
});
