import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoShop } from '../demo/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { readRecords, type ImportEvent, type ReadRecordsOptions } from './read-records.ts';
import { normalizeEmail } from '../lib/email-address.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: string | Buffer, extension = '.csv'): string {
  const path = join(dir, `input-${++fileCount}${extension}`);
  writeFileSync(path, content);
  return path;
}

async function read(path: string, options: ReadRecordsOptions): Promise<{ header: string[]; events: ImportEvent[] }> {
  const source = await readRecords(path, options);
  const events: ImportEvent[] = [];
  for await (const batch of source.batches) events.push(...batch);
  return { header: source.header, events };
}

const records = (events: ImportEvent[]) => events.flatMap((event) => (event.type === 'record' ? [{ line: event.line, ...event.record }] : []));
const quarantined = (events: ImportEvent[]) => events.flatMap((event) => (event.type === 'quarantined' ? [[event.line, event.reason]] : []));
const SIMPLE: ReadRecordsOptions = { key: 'order_id', subject: 'email', map: { name: 'name' } };

async function usageErrorOf(run: () => Promise<unknown>): Promise<TocsinError> {
  const error = await run().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TocsinError);
  expect((error as TocsinError).kind).toBe('invalid');
  return error as TocsinError;
}

describe('readRecords on the demo shop', () => {
  const ORDERS = 2_000;
  let path: string;
  let rows: Record<string, string>[];
  let lines: number[];
  let events: ImportEvent[];

  beforeAll(async () => {
    const outDir = join(dir, 'demo');
    await generateDemoShop({ outDir, orders: ORDERS, logLines: 200, seed: 11 });
    path = join(outDir, 'orders.csv');
    // csv-parse is the reference: its records, and the line each starts on.
    const parsed: { record: Record<string, string>; info: { lines: number } }[] = parse(readFileSync(path), { columns: true, info: true });
    rows = parsed.map((entry) => entry.record);
    lines = parsed.map((_, index) => (index === 0 ? 2 : parsed[index - 1].info.lines + 1));
    ({ events } = await read(path, { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'] }));
  });

  it('imports every order, in file order, on the line it starts', () => {
    expect(quarantined(events)).toEqual([]);
    const imported = records(events);
    expect(imported.map((record) => record.key)).toEqual(rows.map((row) => row.order_id));
    expect(imported.map((record) => record.line)).toEqual(lines);
  });

  it('keeps the mapped values and the rule columns, and nothing else', () => {
    const imported = records(events);
    imported.forEach((record, index) => {
      const row = rows[index];
      expect(record.fields).toEqual({
        email: row.email.trim(),
        name: row.name,
        phone: row.phone,
        postal_address: row.address,
        device_id: row.imei,
        payment_card_last4: row.card_last4,
      });
      expect(record.ruleValues).toEqual({ imei: row.imei, order_id: row.order_id });
      expect([record.locale, record.country, record.region]).toEqual([row.locale || null, row.country, row.region || null]);
    });
    expect(JSON.stringify(imported)).not.toContain(rows[0].created_at);
  });

  it('counts one subject per person, whatever the case of their email', () => {
    const imported = records(events);
    const subjects = new Set(imported.map((record) => record.subject));
    expect(subjects).toEqual(new Set(rows.map((row) => normalizeEmail(row.email))));
    const spellings = new Map<string, Set<string>>();
    for (const record of imported) spellings.set(record.subject, (spellings.get(record.subject) ?? new Set()).add(record.email));
    const variants = [...spellings.values()].filter((emails) => emails.size > 1);
    expect(variants.length).toBeGreaterThan(0);
    expect(subjects.size).toBeLessThan(new Set(imported.map((record) => record.email)).size);
  });

  it('gives the same events one at a time as in batches, and reports progress to the last byte', async () => {
    const progress: [number, number][] = [];
    const source = await readRecords(path, { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'], onProgress: (done, total) => progress.push([done, total]) });
    const oneByOne: ImportEvent[] = [];
    for await (const event of source.events) oneByOne.push(event);
    expect(oneByOne).toEqual(events);
    const size = readFileSync(path).length;
    expect(progress.at(-1)).toEqual([size, size]);
  });
});

describe('readRecords on CSV', () => {
  it('skips a UTF-8 byte-order mark', async () => {
    const { header, events } = await read(file('\uFEFForder_id,email,name\nSO1,ann@example.com,Ann\n'), SIMPLE);
    expect(header).toEqual(['order_id', 'email', 'name']);
    expect(records(events)).toMatchObject([{ key: 'SO1', fields: { name: 'Ann' } }]);
  });

  it.each([
    ['semicolons', ';'],
    ['tabs', '\t'],
  ])('tells %s from the header line, and takes them when told', async (_, delimiter) => {
    const content = ['order_id', 'email', 'name'].join(delimiter) + '\n' + ['SO1', 'ann@example.com', '"Ann, ; \tB."'].join(delimiter) + '\r\n';
    for (const options of [SIMPLE, { ...SIMPLE, delimiter: delimiter === '\t' ? 'tab' : delimiter }]) {
      const { header, events } = await read(file(content), options);
      expect(header).toEqual(['order_id', 'email', 'name']);
      expect(records(events)).toMatchObject([{ key: 'SO1', fields: { name: 'Ann, ; \tB.' } }]);
    }
  });

  it('numbers rows by the line they start on, across quoted line breaks and blank lines', async () => {
    const content = [
      'order_id,email,name', // 1
      'SO1,ann@example.com,"Ann', // 2
      'of Green', // 3
      'Gables"', // 4
      'SO2,,Bob', // 5
      '', // 6
      ',,', // 7
      'SO3,cid@example.com,"Cid\r\nC."', // 8, 9
      'SO4,dee@,Dee', // 10
    ].join('\n');
    const { events } = await read(file(content), SIMPLE);
    expect(records(events).map((record) => [record.line, record.key, record.fields.name])).toEqual([
      [2, 'SO1', 'Ann\nof Green\nGables'],
      [8, 'SO3', 'Cid\r\nC.'],
    ]);
    expect(quarantined(events)).toEqual([
      [5, "column 'email' is empty"],
      [10, "column 'email' is not an email address"],
    ]);
  });

  it('reads Latin-1 exports as Windows-1252', async () => {
    const content = Buffer.concat([Buffer.from('order_id,email,name\nSO1,f@example.fr,Françoise Lefèvre ', 'latin1'), Buffer.from([0x80, 0x20, 0x9c, 0x0a])]);
    const { events } = await read(file(content), { ...SIMPLE, encoding: 'latin1' });
    expect(records(events)).toMatchObject([{ fields: { name: 'Françoise Lefèvre € œ' } }]);
    // Read as UTF-8, the same row is quarantined rather than garbled.
    expect(quarantined((await read(file(content), SIMPLE)).events)).toEqual([[2, 'invalid UTF-8 bytes']]);
  });

  it('quarantines a row with invalid UTF-8 and imports the rows after it', async () => {
    const content = Buffer.concat([
      Buffer.from('order_id,email,name\nSO1,ann@example.com,Ann\nSO2,bob@example.com,B'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('b\nSO3,cid@example.com,Cid Ünal\n'),
    ]);
    const { events } = await read(file(content), SIMPLE);
    expect(records(events).map((record) => [record.line, record.fields.name])).toEqual([
      [2, 'Ann'],
      [4, 'Cid Ünal'],
    ]);
    expect(quarantined(events)).toEqual([[3, 'invalid UTF-8 bytes']]);
  });

  it('quarantines rows with the wrong number of columns, stray text after a quote, or a quote never closed', async () => {
    const content = [
      'order_id,email,name',
      'SO1,ann@example.com',
      'SO2,bob@example.com,Bob,extra',
      'SO3,cid@example.com,"Cid"dy',
      'SO4,dee@example.com,Dee',
      'SO5,eve@example.com,"Eve',
      'SO6,fay@example.com,Fay',
    ].join('\n');
    const { events } = await read(file(content), SIMPLE);
    expect(quarantined(events)).toEqual([
      [2, '2 columns where the header has 3'],
      [3, '4 columns where the header has 3'],
      [4, "text after the closing quote in column 'name'"],
      [6, "a quote opened in column 'name' is never closed"],
    ]);
    // After a quote never closed, reading resumes on the next line.
    expect(records(events).map((record) => [record.line, record.key])).toEqual([
      [5, 'SO4'],
      [7, 'SO6'],
    ]);
  });

  it('quarantines a row with NUL in a stored cell, whatever its role, and keeps rows with NUL in unstored ones', async () => {
    const content = [
      'order_id,email,name,imei,notes',
      'SO1,ann@example.com,Ann,359394490610106,ring twice',
      'SO2,nu\0l@example.com,Nul,359394490610114,',
      'SO\x003,cid@example.com,Cid,359394490610122,',
      'SO4,dee@example.com,"De\0e",359394490610130,',
      'SO5,eve@example.com,Eve,3593944906\x0010148,',
      'SO1,,Ann Smith,359394490610155,\0',
      'SO1,,Ann\0Smith,359394490610163,',
      'SO6,fay@example.com,Fay,359394490610171,',
    ].join('\n');
    const { events } = await read(file(content), { ...SIMPLE, ruleColumns: ['imei'] });
    expect(quarantined(events)).toEqual([
      [3, "column 'email' holds a NUL character"],
      [4, "column 'order_id' holds a NUL character"],
      [5, "column 'name' holds a NUL character"],
      [6, "column 'imei' holds a NUL character"],
      [8, "column 'name' holds a NUL character"],
    ]);
    // The quarantined row that continued SO1 left nothing in it; the one with NUL in notes did.
    expect(records(events).map((record) => [record.line, record.key, record.fields.name, record.ruleValues.imei])).toEqual([
      [2, 'SO1', 'Ann\nAnn Smith', '359394490610106\n359394490610155'],
      [9, 'SO6', 'Fay', '359394490610171'],
    ]);
  });

  it('quarantines a key or rule value too long for an index, and keeps a long cell of short values', async () => {
    const long = '9'.repeat(257);
    const shortValues = Array.from({ length: 30 }, (_, k) => `3593944906${String(k).padStart(5, '0')}`).join('\n');
    const content = `order_id,email,name,imei\n${long},ann@example.com,Ann,1\nSO2,bob@example.com,Bob,${long}\nSO3,cid@example.com,${long},"${shortValues}"\n`;
    const { events } = await read(file(content), { ...SIMPLE, ruleColumns: ['imei'] });
    expect(quarantined(events)).toEqual([
      [2, "column 'order_id' holds a value longer than 256 characters"],
      [3, "column 'imei' holds a value longer than 256 characters"],
    ]);
    expect(records(events)).toMatchObject([{ key: 'SO3', fields: { name: long }, ruleValues: { imei: shortValues } }]);
  });

  it('quotes a column in a reason bounded, with control characters shown as U+FFFD', async () => {
    const name = `x\0\x1b[31m${'y'.repeat(500_000)}`;
    const content = `order_id,email,"${name}"\nSO1,ann@example.com,"a"b\n`;
    const { events } = await read(file(content), { key: 'order_id', subject: 'email' });
    expect(quarantined(events)).toEqual([[2, `text after the closing quote in column 'x\uFFFD\uFFFD[31m${'y'.repeat(57)}…'`]]);
  });

  it('keeps unmapped columns only when rules need them', async () => {
    const path = file('order_id,email,name,imei,notes\nSO1,ann@example.com,Ann,359394490610106,ring twice\n');
    const [plain] = records((await read(path, SIMPLE)).events);
    expect(JSON.stringify(plain)).not.toMatch(/359394490610106|ring twice/);
    const [kept] = records((await read(path, { ...SIMPLE, ruleColumns: ['imei', 'serial'] })).events);
    expect(kept.ruleValues).toEqual({ imei: '359394490610106' });
  });
});

describe('readRecords with a WooCommerce exporter', () => {
  it('reads WebToffee’s and AlgolPlus’s CSV exports with --preset woocommerce, joining name and address parts', async () => {
    const webtoffee = file(
      'order_id,order_number,order_date,status,customer_email,billing_first_name,billing_last_name,billing_company,billing_email,billing_phone,' +
        'billing_address_1,billing_address_2,billing_postcode,billing_city,billing_state,billing_country,shipping_first_name,shipping_last_name\r\n' +
        '1042,1042,2026-11-02 10:14:00,processing,,Antonín,Dvořák,,antonin@example.cz,+420601123456,Na Příkopě 1,byt 4,110 00,Praha,,CZ,Antonín,Dvořák\r\n',
    );
    const algolplus = file(
      'Order Number,Order Status,Order Date,First Name (Billing),Last Name (Billing),Address 1&2 (Billing),City (Billing),State Code (Billing),' +
        'Postcode (Billing),Country Code (Billing),Email (Billing),Phone (Billing),First Name (Shipping),Last Name (Shipping),Item Name\r\n' +
        '1042,Processing,2026-11-02,Antonín,Dvořák,"Na Příkopě 1, byt 4",Praha,,110 00,CZ,antonin@example.cz,+420601123456,Antonín,Dvořák,Phone\r\n',
    );
    const expected = { name: 'Antonín Dvořák', email: 'antonin@example.cz', phone: '+420601123456', postal_address: 'Na Příkopě 1, byt 4, 110 00, Praha, CZ' };
    for (const [path, variant] of [[webtoffee, 'woocommerce-webtoffee'], [algolplus, 'woocommerce-algolplus']]) {
      const source = await readRecords(path, { preset: 'woocommerce' });
      expect(source.mapping.preset).toBe(variant);
      const events = [];
      for await (const batch of source.batches) events.push(...batch);
      expect(records(events)).toEqual([expect.objectContaining({ key: '1042', subject: 'antonin@example.cz', country: 'CZ', fields: expected })]);
    }
  });
});

describe('readRecords on NDJSON', () => {
  it('reads one object per line, told by the extension, and quarantines the lines that are not one', async () => {
    const content = [
      '\uFEFF{"order_id":"SO1","email":"Ann@Example.com","name":" Ann ","phone":33123456,"address":{"city":"Paris"},"vip":null}',
      '',
      '{"order_id":"SO2","email":',
      '["SO3","cid@example.com"]',
      '{"order_id":4,"email":"dee@example.com","extra":true}',
      '{"order_id":"SO5","email":"nope"}',
    ].join('\r\n');
    const path = file(content, '.ndjson');
    const { header, events } = await read(path, { key: 'order_id', subject: 'email', map: { name: 'name', phone: 'phone', address: 'postal_address' } });
    expect(header).toEqual(['order_id', 'email', 'name', 'phone', 'address', 'address.city', 'vip', 'extra']);
    expect(records(events)).toEqual([
      expect.objectContaining({ line: 1, key: 'SO1', subject: 'ann@example.com', fields: { name: 'Ann', phone: '33123456', postal_address: '{"city":"Paris"}' } }),
      expect.objectContaining({ line: 5, key: '4', fields: {} }),
    ]);
    expect(quarantined(events)).toEqual([
      [3, 'invalid JSON'],
      [4, 'the line is not a JSON object'],
      [6, "column 'email' is not an email address"],
    ]);
  });

  it("reads WooCommerce's REST API orders by nested field (billing.email), with --preset woocommerce", async () => {
    // An order as GET /wp-json/wc/v3/orders returns it (fields from its documentation, line items cut).
    const order = (id: number, billing: object, shipping: object) =>
      JSON.stringify({ id, parent_id: 0, number: String(id), status: 'processing', currency: 'CZK', customer_id: 0, billing, shipping, line_items: [{ id: 1, name: 'Phone', quantity: 1 }] });
    const billing = { first_name: 'Antonín', last_name: 'Dvořák', company: '', address_1: 'Na Příkopě 1', address_2: '', city: 'Praha', state: '', postcode: '110 00', country: 'CZ', email: 'Antonin@Example.cz', phone: '+420 601 123 456' };
    const content = [
      order(727, billing, { ...billing, phone: '', email: undefined }),
      order(728, { ...billing, email: '' }, {}),
      JSON.stringify({ id: 729, 'billing.email': 'literal@example.cz', billing: { email: 'nested@example.cz' } }),
    ].join('\n');
    const source = await readRecords(file(content, '.ndjson'), { preset: 'woocommerce' });
    expect(source.mapping.preset).toBe('woocommerce-rest');
    const events = [];
    for await (const batch of source.batches) events.push(...batch);
    expect(records(events)).toEqual([
      expect.objectContaining({
        key: '727',
        subject: 'antonin@example.cz',
        country: 'CZ',
        fields: { email: 'Antonin@Example.cz', name: 'Antonín Dvořák', phone: '+420 601 123 456', postal_address: 'Na Příkopě 1, 110 00, Praha, CZ' },
      }),
      // A key of the object itself wins over the nested field of the same name.
      expect.objectContaining({ key: '729', subject: 'literal@example.cz' }),
    ]);
    expect(quarantined(events)).toEqual([[2, "column 'billing.email' is empty"]]);
  });

  it('quarantines a line whose stored value nests too deep, or escapes a NUL or an unpaired surrogate', async () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const content = [
      `{"id":"1","email":"a@example.com","address":${deep(20_000)}}`,
      `{"id":"2","email":"b@example.com","address":${deep(64)},"notes":${deep(20_000)}}`,
      '{"id":"3","email":"nu\\u0000l@example.com"}',
      '{"id":"4\\uD800","email":"d@example.com"}',
      '{"id":"5","email":"e@example.com","name":"Zo\\udc00e"}',
      '{"id":"6","email":"f@example.com","name":"\\ud83d\\ude00 \\\\u0000","address":{"line":"\\u0000\\ud800"}}',
    ].join('\n');
    const { events } = await read(file(content, '.ndjson'), { key: 'id', subject: 'email', map: { name: 'name', address: 'postal_address' } });
    expect(quarantined(events)).toEqual([
      [1, "column 'address' nests deeper than 64 levels"],
      [3, "column 'email' holds a NUL character"],
      [4, "column 'id' holds an unpaired UTF-16 surrogate"],
      [5, "column 'name' holds an unpaired UTF-16 surrogate"],
    ]);
    // A nested value is stored as its JSON, whose escapes spell any character in storable text.
    expect(records(events).map((record) => [record.key, record.fields])).toEqual([
      ['2', { postal_address: deep(64) }],
      ['6', { name: '😀 \\u0000', postal_address: '{"line":"\\u0000\\ud800"}' }],
    ]);
  });

  it('quarantines a line of invalid UTF-8 and reads on', async () => {
    const content = Buffer.concat([
      Buffer.from('{"id":"1","email":"a@example.com","n":"'),
      Buffer.from([0xff]),
      Buffer.from('"}\n{"id":"2","email":"b@example.com"}\n'),
    ]);
    const { events } = await read(file(content, '.jsonl'), { key: 'id', subject: 'email' });
    expect(quarantined(events)).toEqual([[1, 'invalid UTF-8 bytes']]);
    expect(records(events).map((record) => record.key)).toEqual(['2']);
  });

  it('reads NDJSON under any name when told the format, reporting progress to the last byte', async () => {
    const content = '{"id":"1","email":"a@example.com"}\n';
    const progress: [number, number][] = [];
    const options = { format: 'ndjson', key: 'id', subject: 'email', onProgress: (done: number, total: number) => progress.push([done, total]) };
    const { events } = await read(file(content, '.txt'), options);
    expect(records(events)).toHaveLength(1);
    expect(progress.at(-1)).toEqual([content.length, content.length]);
  });
});

describe('readRecords usage errors', () => {
  const csv = () => file('order_id,email,name\nSO1,ann@example.com,Ann\n');

  it('names the header columns when a column is unknown', async () => {
    const error = await usageErrorOf(() => readRecords(csv(), { key: 'Order', subject: 'email' }));
    expect(error.message).toBe("--key: there is no column 'Order'. The header has 3 columns: 'order_id', 'email', 'name'");
  });

  it('refuses a missing file, a directory, an empty file and a file with no JSON object', async () => {
    expect((await usageErrorOf(() => readRecords(join(dir, 'missing.csv'), SIMPLE))).message).toMatch(/^cannot read .*missing\.csv \(ENOENT\); check the path$/);
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect((await usageErrorOf(() => readRecords(sub, SIMPLE))).message).toContain('is not a regular file');
    expect((await usageErrorOf(() => readRecords(file(''), SIMPLE))).message).toContain('is empty');
    expect((await usageErrorOf(() => readRecords(file('oops\n[1]\n', '.ndjson'), SIMPLE))).message).toContain('holds no JSON object');
  });

  it.each<[ReadRecordsOptions, string]>([
    [{ format: 'xlsx' }, "unknown format 'xlsx'; use csv or ndjson"],
    [{ encoding: 'utf-16' }, "unknown encoding 'utf-16'; use utf-8 or latin1"],
    [{ delimiter: '||' }, "--delimiter '||': use one ASCII character"],
    [{ delimiter: '"' }, "--delimiter '\"': use one ASCII character"],
    [{ preset: 'etsy' }, "unknown preset 'etsy'"],
    [{ map: { name: 'full_name' } }, "unknown category 'full_name'"],
  ])('refuses %j', async (options, message) => {
    expect((await usageErrorOf(() => readRecords(csv(), { ...SIMPLE, ...options }))).message).toContain(message);
  });

  it('asks for a UTF-8 export when the file is UTF-16 or its header is not UTF-8', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('order_id,email\n', 'utf16le')]);
    expect((await usageErrorOf(() => readRecords(file(utf16), SIMPLE))).message).toContain('is UTF-16 text; save it as "CSV UTF-8"');
    const latin1 = Buffer.from('order_id,email,prénom\n', 'latin1');
    expect((await usageErrorOf(() => readRecords(file(latin1), SIMPLE))).message).toContain('add --encoding latin1');
  });
});
