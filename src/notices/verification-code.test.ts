import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeHash, codeSubjectHash, generateCode, normalizeCode } from './verification-code.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);

/** Fresh codes from generateCode: its randomness is the crypto module's, so a failure shows the code rather than a replayable seed. */
const codes = fc.constant(null).map(() => generateCode());

const compact = (code: string) => code.replaceAll('-', '');
const regroup = (symbols: string) => symbols.match(/.{1,5}/g)!.join('-');

describe('generateCode', () => {
  it('gives three groups of five Crockford symbols', () => {
    fc.assert(fc.property(codes, (code) => /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){2}$/.test(code)));
  });

  it('does not repeat itself', () => {
    const seen = new Set(Array.from({ length: 10_000 }, generateCode));
    expect(seen.size).toBe(10_000);
  });
});

describe('normalizeCode', () => {
  it('gives every generated code back unchanged', () => {
    fc.assert(fc.property(codes, (code) => normalizeCode(code) === code));
  });

  it('reads codes as people type them: lower case, O for 0, I and L for 1, spaces and dashes anywhere', () => {
    fc.assert(
      fc.property(codes, fc.array(fc.constantFrom(' ', '-', '\u00a0', '\u2013'), { minLength: 1, maxLength: 4 }), (code, separators) => {
        const typed = [...compact(code)]
          .map((symbol, i) => {
            const confused = symbol === '0' ? 'o' : symbol === '1' ? (i % 2 ? 'I' : 'l') : symbol.toLowerCase();
            return i % 4 === 3 ? confused + separators[i % separators.length] : confused;
          })
          .join('');
        return normalizeCode(typed) === code;
      }),
    );
  });

  it('catches every single-symbol typo with the check symbol', () => {
    fc.assert(
      fc.property(codes, fc.nat(14), fc.integer({ min: 1, max: 31 }), (code, position, shift) => {
        const symbols = [...compact(code)];
        symbols[position] = ALPHABET[(ALPHABET.indexOf(symbols[position]) + shift) % 32];
        return normalizeCode(regroup(symbols.join(''))) === null;
      }),
    );
  });

  it('catches two neighbouring symbols typed the wrong way round', () => {
    fc.assert(
      fc.property(codes, fc.nat(13), (code, position) => {
        const symbols = [...compact(code)];
        fc.pre(symbols[position] !== symbols[position + 1]);
        [symbols[position], symbols[position + 1]] = [symbols[position + 1], symbols[position]];
        return normalizeCode(regroup(symbols.join(''))) === null;
      }),
    );
  });

  it('refuses wrong lengths and symbols outside the alphabet', () => {
    const code = generateCode();
    expect(normalizeCode(code.slice(0, -1))).toBeNull();
    expect(normalizeCode(`${code}0`)).toBeNull();
    expect(normalizeCode(code.replace(/^./, 'U'))).toBeNull();
    expect(normalizeCode(code.replace(/^./, '*'))).toBeNull();
    expect(normalizeCode('')).toBeNull();
  });
});

describe('codeHash and codeSubjectHash', () => {
  it('are HMAC-SHA-256 hex digests that depend on the key', () => {
    const code = generateCode();
    expect(codeHash(code, KEY)).toMatch(/^[0-9a-f]{64}$/);
    expect(codeHash(code, KEY)).toBe(codeHash(normalizeCode(code.toLowerCase())!, KEY));
    expect(codeHash(code, KEY)).not.toBe(codeHash(code, OTHER_KEY));
  });

  it('pair a code with its subject only', () => {
    const code = generateCode();
    const paired = codeSubjectHash(code, 'marie.dupont@orange.fr', KEY);
    expect(codeSubjectHash(code, 'marie.dupont@orange.fr', KEY)).toBe(paired);
    expect(codeSubjectHash(code, 'jean.martin@orange.fr', KEY)).not.toBe(paired);
    expect(codeSubjectHash(generateCode(), 'marie.dupont@orange.fr', KEY)).not.toBe(paired);
    expect(paired).not.toBe(codeHash(code, KEY));
  });

  it('refuse a key too short to keep hashes secret', () => {
    expect(() => codeHash(generateCode(), new Uint8Array(8))).toThrow(/at least 32 random bytes/);
  });
});
