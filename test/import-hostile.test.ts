import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { importRecords, listQuarantine } from '../src/records/import.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAPPING = { key: 'order_id', subject: 'email', map: { name: 'name' }, ruleColumns: ['imei'] };
const COLUMNS = ['order_id', 'email', 'name', 'imei', 'notes'] as const;
type Column = (typeof COLUMNS)[number];
/** The columns a record keeps: a bad character in any of them quarantines the row. */
const STORED = ['order_id', 'email', 'name', 'imei'] as const;

/** One row of a generated export: whether it must be imported, and the cells its kind sets (text, raw bytes for CSV, JSON values for NDJSON). */
interface Row {
  good: boolean;
  cells: Partial<Record<Column, unknown>>;
  /** Extra columns beyond the header's. */
  extra?: number;
}

const MiB = 1 << 20;

/** JSON text written into a line as it is: a value nested deeper than JSON.stringify can go. */
class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
const nested = (levels: number) => new RawJson(`${'['.repeat(levels)}${']'.repeat(levels)}`);

/** Letters and digits from a fixed pseudo-random sequence. */
function incompressible(length: number): string {
  let state = 1;
  return Array.from({ length }, () => ((state = (state * 48271) % 2147483647) % 36).toString(36)).join('');
}

const ndjsonLine = (cells: Record<string, unknown>) =>
  `{${Object.entries(cells)
    .map(([column, value]) => `${JSON.stringify(column)}:${value instanceof RawJson ? value.text : JSON.stringify(value)}`)
    .join(',')}}\n`;

/** A value storable as it is, awkward for CSV and JSON alike: quotes, delimiters, line breaks, astral characters. */
const awkwardText = fc
  .string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '"', "'", '\\', '{', '}', 'NULL', '\n', '\t', 'é', '東', '😀', '\u2028', '\uFFFD', '=', '<'), maxLength: 12 })
  .map((text) => `n${text}`);

const good: fc.Arbitrary<Row> = fc.record({ name: awkwardText, notes: awkwardText }).map(({ name, notes }) => ({ good: true, cells: { name, notes } }));

/**
 * Rows of both formats' kinds, the first a good one (an NDJSON file's columns are those of its
 * objects); `csv` picks the hostile kinds a CSV file can hold.
 */
function rowsArbitrary(csv: boolean): fc.Arbitrary<Row[]> {
  const stored = fc.constantFrom(...STORED);
  const kinds: fc.Arbitrary<Row>[] = [
    good,
    good,
    // NUL in a kept cell quarantines the row; in a cell nothing keeps, it does not matter.
    stored.map((column) => ({ good: false, cells: { [column]: `x\0y@example.com` } })),
    fc.constant({ good: true, cells: { notes: 'a\0b' } }),
    // Keys and rule values too long for an index: PostgreSQL compresses an entry before it refuses it.
    fc.constantFrom('order_id', 'imei').map((column) => ({ good: false, cells: { [column]: incompressible(100_000) } })),
    // A 1 MB cell fits a row; a row over 1 MiB is refused.
    fc.constant({ good: true, cells: { name: 'm'.repeat(1_000_000) } }),
    fc.constant({ good: false, cells: { name: 'm'.repeat(MiB) } }),
    fc.constant({ good: false, cells: { email: 'not-an-address' } }),
  ];
  if (csv) {
    kinds.push(
      // An unpaired surrogate as CESU-8 bytes: not UTF-8.
      stored.map((column) => ({ good: false, cells: { [column]: Buffer.from([0x61, 0xed, 0xa0, 0x80]) } })),
      fc.constant({ good: false, cells: {}, extra: 3_000 }),
    );
  } else {
    kinds.push(
      stored.map((column) => ({ good: false, cells: { [column]: 'a\ud800b@example.com' } })),
      fc.constant({ good: true, cells: { notes: '\udc00' } }),
      // A value nested 20,000 deep: quarantined where it would be stored, harmless where it is not.
      fc.constant({ good: false, cells: { name: nested(20_000) } }),
      fc.constant({ good: true, cells: { notes: nested(20_000) } }),
      // Thousands of columns the mapping leaves out.
      fc.constant({ good: true, cells: {}, extra: 3_000 }),
    );
  }
  return fc.tuple(good, fc.array(fc.oneof(...kinds), { maxLength: 9 })).map(([first, rest]) => [first, ...rest]);
}

interface Export {
  content: Buffer;
  /** Line of each row, in order. */
  lines: number[];
  /** What each good row must be stored as. */
  expected: Map<string, { line: number; name: string | undefined; imei: string }>;
}

/** The file's bytes, each row's key, email and IMEI unique unless its kind set them, and what must come of it. */
function writeExport(rows: Row[], csv: boolean): Export {
  const expected: Export['expected'] = new Map();
  const lines: number[] = [];
  const parts: Buffer[] = [Buffer.from(csv ? `${COLUMNS.join(',')}\n` : '')];
  let line = csv ? 2 : 1;
  rows.forEach((row, index) => {
    const cells: Record<string, unknown> = { order_id: `K${index}`, email: `c${index}@example.com`, name: '', imei: `35${index}`, notes: '', ...row.cells };
    lines.push(line);
    if (row.good) {
      const name = typeof cells.name === 'string' ? cells.name.trim() || undefined : undefined;
      expected.set(String(cells.order_id), { line, name, imei: String(cells.imei) });
    }
    if (csv) {
      const values: unknown[] = [...COLUMNS.map((column) => cells[column] ?? ''), ...Array.from({ length: row.extra ?? 0 }, (_, k) => `x${k}`)];
      const quoted = values.map((value) => Buffer.concat([Buffer.from('"'), Buffer.isBuffer(value) ? value : Buffer.from(String(value).replaceAll('"', '""')), Buffer.from('"')]));
      parts.push(...quoted.flatMap((cell, k) => (k === 0 ? [cell] : [Buffer.from(','), cell])), Buffer.from('\n'));
      line += values.reduce<number>((breaks, value) => breaks + (typeof value === 'string' ? value.split('\n').length - 1 : 0), 1);
    } else {
      for (let k = 0; k < (row.extra ?? 0); k++) cells[`extra${k}`] = k;
      parts.push(Buffer.from(ndjsonLine(cells)));
      line++;
    }
  });
  return { content: Buffer.concat(parts), lines, expected };
}

describeEachDatabase('importing hostile rows', (database) => {
  let ctx: OpenContext;
  let files = 0;
  beforeAll(async () => {
    ctx = await database().context();
  });
  afterAll(() => ctx?.close());

  for (const format of ['csv', 'ndjson'] as const) {
    it(`imports every good row of a ${format} export once, and quarantines every hostile one with its line`, async () => {
      await fc.assert(
        fc.asyncProperty(rowsArbitrary(format === 'csv'), async (rows) => {
          const file = writeExport(rows, format === 'csv');
          const path = join(dir, `export-${database().dialect}-${++files}.${format}`);
          writeFileSync(path, file.content);
          const { id } = await createIncident(ctx, { title: 'Hostile', aware_at: '2019-11-14T16:00:00Z' });

          const summary = await importRecords(ctx, id, path, MAPPING);
          const bad = rows.flatMap((row, index) => (row.good ? [] : [file.lines[index]]));
          expect(summary).toMatchObject({ rowsRead: rows.length, imported: file.expected.size, quarantined: bad.length });

          const stored = await ctx.db.selectFrom('records').select(['key', 'fields', 'line']).where('incident_id', '=', id).execute();
          expect(stored.map((record) => record.key).sort()).toEqual([...file.expected.keys()].sort());
          for (const record of stored) {
            const { line, name } = file.expected.get(record.key)!;
            expect(record.line).toBe(line);
            expect(JSON.parse(record.fields).name).toBe(name);
          }
          const lookups = await ctx.db.selectFrom('record_lookups').select(['key', 'value']).where('incident_id', '=', id).execute();
          expect(lookups.map((lookup) => `${lookup.key}=${lookup.value}`).sort()).toEqual([...file.expected].map(([key, { imei }]) => `${key}=${imei}`).sort());

          const quarantine = await listQuarantine(ctx, id);
          expect(quarantine.map((entry) => entry.line)).toEqual(bad);
          // The quarantine says why in a few words that name a column, and copies no cell.
          for (const { reason } of quarantine) expect(reason).toMatch(/^[^\0\p{Cs}]{5,120}$/u);
        }),
        { numRuns: 6 },
      );
    });
  }

  it('tells, through the CLI, of the rows that used to abort an import, and imports the rest', async () => {
    const path = join(dir, `issue-${database().dialect}.ndjson`);
    const rows = [
      { order_id: 'A1', email: 'deep@example.com', name: nested(20_000) },
      { order_id: 'A2', email: 'nu\0l@example.com', name: 'Nul' },
      { order_id: 'A3', email: 'ann@example.com', name: 'Ann' },
    ];
    writeFileSync(path, rows.map(ndjsonLine).join(''));
    const run = (...args: string[]) => tocsinMain(args, { database: database().config });
    const { id } = await createIncident(ctx, { title: 'Hostile', aware_at: '2019-11-14T16:00:00Z' });

    const imported = await run('import', id, path, '--key', 'order_id', '--subject', 'email', '--map', 'name=name');
    expect(imported.stderr).not.toMatch(/\n\s+at |unexpected error/);
    expect(imported.status).toBe(0);
    const quarantine = await run('quarantine', id);
    expect(quarantine.stdout).toContain("column 'name' nests deeper than 64 levels");
    expect(quarantine.stdout).toContain("column 'email' holds a NUL character");
  });
});
