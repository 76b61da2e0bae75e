import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentDecode } from './percent-decode.ts';

describe('percentDecode', () => {
  it('decodes escapes of either case as UTF-8', () => {
    expect(percentDecode('SO%31%30%30')).toBe('SO100');
    expect(percentDecode('caf%C3%A9%2fx')).toBe('café/x');
    expect(percentDecode('%e2%82%ac')).toBe('€');
  });

  it('keeps malformed escapes as written and replaces bytes that are not UTF-8', () => {
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%4')).toBe('%4');
    expect(percentDecode('%zz%41')).toBe('%zzA');
    expect(percentDecode('%%41')).toBe('%A');
    expect(percentDecode('%C3')).toBe('\uFFFD');
    expect(percentDecode('%FF%FE')).toBe('\uFFFD\uFFFD');
  });

  it('reads + as a space only in query strings', () => {
    expect(percentDecode('a+b')).toBe('a+b');
    expect(percentDecode('a+b', true)).toBe('a b');
    expect(percentDecode('a+b%2B', true)).toBe('a b+');
  });

  it('never throws, and agrees with decodeURIComponent wherever that succeeds', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('%', 'a', 'F', '4', '1', 'C', '3', 'é', '+', '/') }), (text) => {
        const decoded = percentDecode(text);
        let expected: string | null = null;
        try {
          expected = decodeURIComponent(text);
        } catch {
          // Malformed: decodeURIComponent gives up where percentDecode goes on.
        }
        if (expected !== null) expect(decoded).toBe(expected);
      }),
    );
  });
});
