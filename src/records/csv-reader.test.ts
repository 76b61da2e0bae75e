import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { csvEvents, readCsvLayout, type CsvReadOptions } from './csv-reader.ts';
import { resolveMapping } from './mapping.ts';
import { planColumns, RecordAssembler, type ImportEvent } from './record-assembler.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `input-${++fileCount}.csv`);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, options: CsvReadOptions): Promise<ImportEvent[]> {
  const layout = await readCsvLayout(path, { delimiter: null, encoding: 'utf-8' });
  const mapping = resolveMapping({ key: 'key', subject: 'email', map: { value: 'name' } }, layout.header);
  const events: ImportEvent[] = [];
  for await (const batch of csvEvents(path, layout, new RecordAssembler(planColumns(mapping, layout.header)), options)) events.push(...batch);
  return events;
}

const HEADER = 'key,email,value\r\n';

describe('csvEvents', () => {
  it('gives the same events however small the reads, whatever the bytes', async () => {
    // Tokens that stress the boundaries: multi-byte characters, quotes, every line break, invalid UTF-8, NUL.
    const token = fc.constantFrom('k1', 'k2', 'ann@example.com', ',', ',', '"', '""', '\n', '\r\n', '\r', 'é', '東', '\xff', ' ', '\0');
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 60 }), fc.integer({ min: 1, max: 24 }), async (tokens, chunkBytes) => {
        const path = file(Buffer.concat([Buffer.from(HEADER), ...tokens.map((t) => Buffer.from(t, t === '\xff' ? 'latin1' : 'utf8'))]));
        expect(await readAll(path, { chunkBytes, maxRowBytes: 4096 })).toEqual(await readAll(path, {}));
      }),
      { numRuns: 200 },
    );
  });

  it('quarantines a row longer than the maximum and resumes on its next line', async () => {
    const content = `${HEADER}k1,ann@example.com,"opens a quote\nk2,bob@example.com,${'x'.repeat(300)}\nk3,cid@example.com,Cid\n`;
    const events = await readAll(file(content), { chunkBytes: 16, maxRowBytes: 100 });
    expect(events).toEqual([
      { type: 'quarantined', line: 2, reason: 'the row is longer than 100 bytes; a quote may be left open', values: [] },
      { type: 'quarantined', line: 3, reason: 'the row is longer than 100 bytes; a quote may be left open', values: [] },
      expect.objectContaining({ type: 'record', line: 4, record: expect.objectContaining({ key: 'k3' }) }),
    ]);
  });

  it('quarantines a row longer than the maximum even when the buffer holds it whole', async () => {
    const content = `${HEADER}k1,ann@example.com,${'x'.repeat(150)}\nk2,bob@example.com,Bob\n`;
    const events = await readAll(file(content), { chunkBytes: 1000, maxRowBytes: 100 });
    expect(events).toEqual([
      { type: 'quarantined', line: 2, reason: 'the row is longer than 100 bytes', values: [] },
      expect.objectContaining({ type: 'record', line: 3, record: expect.objectContaining({ key: 'k2' }) }),
    ]);
  });

  it('reports the bytes read as it goes', async () => {
    const content = `${HEADER}${'k1,ann@example.com,Ann\n'.repeat(10)}`;
    const progress: number[] = [];
    await readAll(file(content), { chunkBytes: 50, onProgress: (bytes) => progress.push(bytes) });
    expect(progress.at(-1)).toBe(content.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});

describe('reading a large file', () => {
  it('streams it in bounded memory: 200k rows under a 48 MB heap, which could not hold them', () => {
    const rows = 200_000;
    const path = join(dir, 'large.csv');
    const fd = openSync(path, 'w');
    writeSync(fd, 'order_id,email,name,address,imei\n');
    for (let first = 0; first < rows; first += 10_000) {
      let chunk = '';
      for (let i = first; i < first + 10_000; i++) chunk += `SO${i},customer.${i}@example.com,Customer ${i},"${i} Main Street\n${i % 90_000} Springfield",35${i}\n`;
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const script = join(dir, 'read-large.mts');
    const readRecords = new URL('./read-records.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { readRecords } from ${JSON.stringify(readRecords)};
      const source = await readRecords(process.argv[2], { key: 'order_id', subject: 'email', map: { name: 'name', address: 'postal_address' }, ruleColumns: ['imei'] });
      let records = 0, lastLine = 0, quarantined = 0;
      for await (const batch of source.batches) for (const event of batch) {
        if (event.type === 'record') { records++; lastLine = event.line; } else quarantined++;
      }
      console.log(JSON.stringify({ records, lastLine, quarantined }));`,
    );
    const output = execFileSync(process.execPath, ['--max-old-space-size=48', script, path], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(JSON.parse(output)).toEqual({ records: rows, lastLine: 2 * rows, quarantined: 0 });
  });
});
