import { describe, expect, it } from 'vitest';
import type { FileStats } from './hits.ts';
import { mostlyUnparsed, terminalExcerpt, unparsedFailure } from './unparsed.ts';

const excerpt = (text: string | Buffer) => {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  return terminalExcerpt(buf, 0, buf.length);
};

const stats = (partial: Partial<FileStats>): FileStats => ({
  file: '/logs/access.log', sha256: '0'.repeat(64), bytes: 1, lines: 10, parsed: 10, unparseable: 0, truncated: 0, tooLong: 0,
  firstTime: null, lastTime: null, firstUnparsed: null, error: null, ...partial,
});

describe('terminalExcerpt', () => {
  it('shows control characters, bidi overrides and invalid bytes escaped, and at most 120 characters', () => {
    expect(excerpt('a\x1b[31mred\x07\tb')).toBe('a\\x1b[31mred\\x07\\x09b');
    expect(excerpt('file\u202Egnp.exe')).toBe('file\\u{202e}gnp.exe');
    expect(excerpt(Buffer.from([0x61, 0xff, 0x62]))).toBe('a\\u{fffd}b');
    expect(excerpt('é'.repeat(200))).toBe(`${'é'.repeat(120)}…`);
    expect(excerpt('x'.repeat(10_000))).toBe(`${'x'.repeat(120)}…`);
  });
});

describe('unparsedFailure', () => {
  it('passes files that parsed, a few bad lines and a cut last line included', () => {
    expect(unparsedFailure([stats({ unparseable: 4, truncated: 1, parsed: 5 })], 'combined', '--allow-unparsed')).toBeNull();
  });

  it('fails a file of which no line parsed, or most did not, naming its first bad line and what to do', () => {
    const none = stats({ parsed: 0, unparseable: 10, firstUnparsed: { line: 1, reason: 'missing client address', excerpt: '{"ts":1}' } });
    const most = stats({ file: '/logs/b.log', parsed: 4, unparseable: 6, firstUnparsed: { line: 2, reason: 'bad status', excerpt: 'x' } });
    expect(mostlyUnparsed(none) && mostlyUnparsed(most)).toBe(true);
    const failure = unparsedFailure([none, most, stats({})], 'nginx-json', '--allow-unparsed')!;
    expect(failure).toMatchObject({ code: 'LOG_UNPARSED', kind: 'unsupported_media' });
    expect(failure.message).toBe(
      '/logs/access.log: 0 of 10 lines parsed; the first unparseable line is /logs/access.log:1 (missing client address): {"ts":1}\n' +
        '/logs/b.log: 4 of 10 lines parsed; the first unparseable line is /logs/b.log:2 (bad status): x\n' +
        'is --log-format nginx-json the right format for these logs? Nothing was stored. If the lines are expected not to parse, pass --allow-unparsed.',
    );
  });

  it('fails an empty file and a single line too long to read', () => {
    expect(mostlyUnparsed(stats({ lines: 0, parsed: 0 }))).toBe(true);
    const bomb = stats({ lines: 1, parsed: 0, tooLong: 1, firstUnparsed: { line: 1, reason: 'longer than 1 MiB, skipped', excerpt: '' } });
    expect(unparsedFailure([bomb], 'combined', '--allow-unparsed')!.message).toMatch(/^\/logs\/access.log: 0 of 1 lines parsed; the first unparseable line is \/logs\/access.log:1 \(longer than 1 MiB, skipped\)\n/);
  });
});
