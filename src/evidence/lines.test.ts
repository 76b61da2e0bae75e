import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { byteRanges, isGzipFile, readLines, type LinesEnd, type ReadLinesOptions, type TooLongLine } from './lines.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/logs/elastic-apache-combined-10k.log', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tocsin-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: string | Uint8Array): string {
  const path = join(dir, `input-${++fileCount}.log`);
  writeFileSync(path, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
  return path;
}

type Collected = { lines: string[]; numbers: number[]; tooLong: TooLongLine[]; end: LinesEnd };

/** Every event of a read, with lines as latin1 text (one char per byte) and their numbers. */
async function collect(path: string, options?: ReadLinesOptions): Promise<Collected> {
  const collected: Collected = { lines: [], numbers: [], tooLong: [], end: { type: 'end', lines: -1, error: 'no end event' } };
  for await (const event of readLines(path, options)) {
    if (event.type === 'lines') {
      for (let k = 0; k < event.count; k++) {
        collected.lines.push(event.buf.toString('latin1', event.starts[k], event.ends[k]));
        collected.numbers.push(event.firstLine + k);
      }
    } else if (event.type === 'too-long') {
      collected.tooLong.push(event);
    } else {
      collected.end = event;
    }
  }
  return collected;
}

/** What readLines should yield, written the slow and obvious way. */
function referenceLines(content: string): string[] {
  if (content === '') return [];
  const lines = content.split('\n');
  if (content.endsWith('\n')) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

const numbered = (count: number) => Array.from({ length: count }, (_, k) => k + 1);

describe('readLines', () => {
  it('splits lines, drops the \\r of CRLF and keeps a last line without newline', async () => {
    const result = await collect(file('a\r\nb\n\nlast'));
    expect(result.lines).toEqual(['a', 'b', '', 'last']);
    expect(result.numbers).toEqual([1, 2, 3, 4]);
    expect(result.end).toEqual({ type: 'end', lines: 4, error: null });
    expect((await collect(file('a\nb\n'))).lines).toEqual(['a', 'b']);
    expect((await collect(file('last\r'))).lines).toEqual(['last']);
    expect(await collect(file(''))).toEqual({ lines: [], numbers: [], tooLong: [], end: { type: 'end', lines: 0, error: null } });
  });

  it('carries lines across chunk boundaries, a 100 KB line included', async () => {
    const long = 'x'.repeat(100_000);
    const result = await collect(file(`first\n${long}\r\nlast\n`), { chunkBytes: 4096 });
    expect(result.lines).toEqual(['first', long, 'last']);
    expect(result.tooLong).toEqual([]);
  });

  it('reports and skips a line longer than the maximum, without holding it', async () => {
    const options = { chunkBytes: 64, maxLineBytes: 100 };
    const content = `a\n${'x'.repeat(100)}\n${'y'.repeat(1000)}\nb\n${'z'.repeat(5000)}`;
    const result = await collect(file(content), options);
    expect(result.lines).toEqual(['a', 'x'.repeat(100), 'b']);
    expect(result.numbers).toEqual([1, 2, 4]);
    expect(result.tooLong).toEqual([
      { type: 'too-long', line: 3, bytes: 1000 },
      { type: 'too-long', line: 5, bytes: 5000 },
    ]);
    expect(result.end).toEqual({ type: 'end', lines: 5, error: null });
  });

  it('passes binary garbage through as lines, byte for byte', async () => {
    // Bytes that open with gzip's magic number are read as gzip, which the next test covers.
    const garbage = fc.uint8Array({ maxLength: 2000 }).filter((bytes) => !(bytes[0] === 0x1f && bytes[1] === 0x8b));
    await fc.assert(
      fc.asyncProperty(garbage, fc.integer({ min: 1, max: 300 }), async (bytes, chunkBytes) => {
        const content = Buffer.from(bytes).toString('latin1');
        const result = await collect(file(bytes), { chunkBytes, maxLineBytes: 4000 });
        expect(result.lines).toEqual(referenceLines(content));
        expect(result.end.lines).toBe(result.lines.length);
      }),
      { numRuns: 100 },
    );
  });

  it('reads gzip files, told by their magic bytes whatever their name', async () => {
    const content = readFileSync(FIXTURE, 'latin1');
    const result = await collect(file(gzipSync(Buffer.from(content, 'latin1'))));
    expect(result.lines).toEqual(referenceLines(content));
    expect(result.end).toEqual({ type: 'end', lines: 10_000, error: null });
  });

  it('yields every line of a truncated gzip file before the cut, then the error', async () => {
    const content = readFileSync(FIXTURE, 'latin1');
    const full = referenceLines(content);
    const gzip = gzipSync(Buffer.from(content, 'latin1'));
    const result = await collect(file(gzip.subarray(0, Math.floor(gzip.length * 0.6))));
    const count = result.lines.length;
    expect(count).toBeGreaterThan(4000);
    expect(count).toBeLessThan(10_000);
    expect(result.lines.slice(0, -1)).toEqual(full.slice(0, count - 1));
    expect(full[count - 1].startsWith(result.lines[count - 1])).toBe(true);
    expect(result.end).toEqual({ type: 'end', lines: count, error: `gzip stream truncated after line ${count}` });
  });

  it('reports corrupt gzip data after the lines before it', async () => {
    const gzip = gzipSync(Buffer.from('one\ntwo\n'.repeat(1000)));
    gzip.fill(0xaa, 20, gzip.length - 8);
    const result = await collect(file(gzip));
    expect(result.end.error).toMatch(/^gzip data corrupt after line \d+: /);
  });

  it('reads every member of a gzip file of several, as cat a.gz b.gz makes, in blocking and async reads alike', async () => {
    const parts = ['first\nsecond\n', 'third', '\nfourth\n'];
    const path = file(Buffer.concat(parts.map((part) => gzipSync(part))));
    for (const blocking of [false, true]) {
      const result = await collect(path, { blocking, chunkBytes: 4 });
      expect(result.lines).toEqual(['first', 'second', 'third', 'fourth']);
      expect(result.end).toEqual({ type: 'end', lines: 4, error: null });
    }
  });

  it('ignores zero padding after the last gzip member, and reports other bytes after it as corrupt data', async () => {
    const gzip = gzipSync('one\ntwo\n');
    expect(await collect(file(Buffer.concat([gzip, Buffer.alloc(512)])))).toMatchObject({ lines: ['one', 'two'], end: { error: null } });
    // The step that fails gives none of what it inflated, here the whole member (as zlib's stream did).
    const trailing = await collect(file(Buffer.concat([gzip, Buffer.from('not gzip')])));
    expect(trailing.end.error).toBe('gzip data corrupt after line 0: incorrect header check');
  });

  it('tells gzip files by their magic bytes', async () => {
    expect(await isGzipFile(file(gzipSync(Buffer.from('a\n'))))).toBe(true);
    expect(await isGzipFile(file('\u001f'))).toBe(false);
    expect(await isGzipFile(file(''))).toBe(false);
  });

  it('says how far into the file as stored each batch has read', async () => {
    const content = Buffer.from('line of text\n'.repeat(250_000));
    for (const stored of [content, gzipSync(content)]) {
      const readTo: number[] = [];
      for await (const event of readLines(file(stored), { chunkBytes: 16 * 1024 })) if (event.type === 'lines') readTo.push(event.readTo);
      expect(readTo.length).toBeGreaterThan(1);
      expect(readTo.every((offset, i) => offset > 0 && offset <= stored.length && (i === 0 || offset >= readTo[i - 1]))).toBe(true);
      expect(readTo.at(-1)).toBe(stored.length);
    }
  });

  it('refuses a byte range of a gzip file', async () => {
    const path = file(gzipSync(Buffer.from('a\nb\n')));
    await expect(collect(path, { start: 1 })).rejects.toThrow(/gzip-compressed/);
  });
});

describe('byte ranges', () => {
  async function readInRanges(path: string, points: number[], options?: ReadLinesOptions): Promise<Collected> {
    const bounds = [0, ...points, Number.POSITIVE_INFINITY];
    const ranges = await Promise.all(bounds.slice(1).map((end, k) => collect(path, { ...options, start: bounds[k], end })));
    // Absolute numbers: each range's relative numbers plus the line totals of the ranges before it.
    let before = 0;
    const numbers: number[] = [];
    const tooLong: TooLongLine[] = [];
    for (const range of ranges) {
      numbers.push(...range.numbers.map((n) => n + before));
      tooLong.push(...range.tooLong.map((event) => ({ ...event, line: event.line + before })));
      before += range.end.lines;
    }
    return { lines: ranges.flatMap((range) => range.lines), numbers, tooLong, end: { type: 'end', lines: before, error: null } };
  }

  it('yields exactly the lines and numbers of a whole read, wherever the ranges meet', async () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', '\r', '\u00ff', ' '), maxLength: 12 });
    const contents = fc.array(line, { maxLength: 30 }).chain((lines) =>
      fc.constantFrom('', '\n', '\r\n').map((ending) => lines.join('\n') + (lines.length > 0 ? ending : '')),
    );
    await fc.assert(
      fc.asyncProperty(
        contents.chain((content) =>
          fc.tuple(fc.constant(content), fc.array(fc.nat(content.length + 2), { minLength: 1, maxLength: 2 }), fc.integer({ min: 1, max: 8 })),
        ),
        async ([content, points, chunkBytes]) => {
          const path = file(content);
          const options = { chunkBytes, maxLineBytes: 8 };
          const whole = await collect(path, options);
          const split = await readInRanges(path, points.sort((a, b) => a - b), options);
          expect(split).toEqual({ ...whole, end: { type: 'end', lines: whole.end.lines, error: null } });
          const reference = referenceLines(content);
          expect(whole.lines).toEqual(reference.filter((text) => text.length <= 8));
          expect(whole.numbers).toEqual(numbered(reference.length).filter((n) => reference[n - 1].length <= 8));
          expect(whole.tooLong).toEqual(
            reference.flatMap((text, k) => (text.length > 8 ? [{ type: 'too-long', line: k + 1, bytes: text.length }] : [])),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits the fixture log in three with byteRanges', async () => {
    const size = readFileSync(FIXTURE).length;
    const ranges = byteRanges(size, 3);
    expect(ranges[0].start).toBe(0);
    expect(ranges[2].end).toBe(size);
    const split = await readInRanges(FIXTURE, ranges.slice(1).map((range) => range.start));
    const whole = await collect(FIXTURE);
    expect(split.lines).toEqual(whole.lines);
    expect(split.numbers).toEqual(numbered(10_000));
  });

  it('gives a range no line when no line starts in it', async () => {
    const path = file('a long first line\nb\n');
    expect((await collect(path, { start: 3, end: 10 })).end).toEqual({ type: 'end', lines: 0, error: null });
    expect((await collect(path, { start: 19, end: 30 })).lines).toEqual([]);
    expect((await collect(path, { start: 18, end: 30 })).lines).toEqual(['b']);
  });
});
