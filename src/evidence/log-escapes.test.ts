import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLogValue, unescapeLogText } from './log-escapes.ts';

describe('unescapeLogText', () => {
  it('undoes nginx \\xHH and Apache backslash escapes', () => {
    expect(unescapeLogText('a\\x22b\\x5Cc\\xc3\\xa9')).toBe('a"b\\cé');
    expect(unescapeLogText('\\"\\\\\\n\\t\\r\\b\\v')).toBe('"\\\n\t\r\b\v');
  });

  it('keeps unknown or incomplete escapes as written', () => {
    expect(unescapeLogText('\\q \\x4 \\xZZ end\\')).toBe('\\q \\x4 \\xZZ end\\');
  });

  it('keeps the text as logged when the escaped bytes are not UTF-8', () => {
    expect(unescapeLogText('\\xe4\\xe5 \\"')).toBe('\\xe4\\xe5 \\"');
  });

  it('inverts escapeLogValue', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(unescapeLogText(escapeLogValue(text))).toBe(text);
      }),
    );
  });
});
