import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFields, formatTable } from './io.ts';
import { terminalJson, terminalLines, terminalText } from './terminal.ts';

/** What a terminal acts on rather than shows. */
const ACTED_ON = /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('terminal output', () => {
  it('replaces escape sequences, carriage returns and bidirectional overrides in data', () => {
    expect(terminalText('Ana\x1b]52;c;cHduZWQ=\x07Smith')).toBe('Ana\uFFFD]52;c;cHduZWQ=\uFFFDSmith');
    expect(terminalText('ok\rFAKE')).toBe('ok\uFFFDFAKE');
    expect(terminalText('a\u009b2Jb\u202ec\n')).toBe('a\uFFFD2Jb\uFFFDc\uFFFD');
    expect(terminalLines('line one\x1b[2J\nline two')).toBe('line one\uFFFD[2J\nline two');
  });

  it('keeps table rows and fields on their lines whatever a cell holds', () => {
    const table = formatTable(['EMAIL', 'NAME'], [['ana@example.org', 'Ana\nbob@example.org  Bob\x1b[1A']]);
    expect(table.split('\n')).toHaveLength(2);
    expect(table.replaceAll('\n', '')).not.toMatch(ACTED_ON);
    expect(formatFields([['name', 'Ana\r\nstate: sent']])).toBe('name: Ana\uFFFDstate: sent');
  });

  it('escapes control characters in JSON text without changing its value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        const json = terminalJson(JSON.stringify({ value, text }, null, 2));
        expect(json.replaceAll('\n', '')).not.toMatch(ACTED_ON);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify({ value, text })));
      }),
      { numRuns: 300 },
    );
  });
});
