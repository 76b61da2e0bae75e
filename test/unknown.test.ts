import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { importRecords } from '../src/records/import.ts';
import { purgeUnaffected } from '../src/scoping/purge.ts';
import { unknownReads } from '../src/scoping/results.ts';
import { runScope } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-unknown-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));

const logLine = (order: string, status: number, second: number) =>
  `203.0.113.9 - - [01/Nov/2019:10:00:${String(second).padStart(2, '0')} +0000] "GET /api/orders/${order} HTTP/1.1" ${status} 512 "-" "curl/7.64.0"`;

beforeAll(() => {
  // SO2 is a point-of-sale order without an email, SO3 a broken row (a comma too many in the
  // name), SO5 a row whose key holds a NUL: all quarantined. SO9 is not in the export at all.
  writeFileSync(
    join(shop, 'orders.csv'),
    'order_id,email,name\nSO1,ana@example.com,Ana\nSO2,,Walk-in\nSO3,carl@example.com,Carl, Jr.\nSO4,bob@example.com,Bob\n"SO5\0",dan@example.com,Dan\n',
  );
  writeFileSync(join(shop, 'scope.yml'), 'rules:\n  - name: order-api\n    request: GET /api/orders/:order_id\n    exposes: [name]\nindicators:\n  ips: ["203.0.113.9"]\n');
  writeFileSync(
    join(shop, 'first.log'),
    [logLine('SO1', 200, 1), logLine('SO2', 200, 2), logLine('SO9', 200, 3), logLine('SO8', 404, 4), logLine('SO3', 200, 5), logLine('SO2', 200, 6), logLine('SO5', 200, 7)].join('\n') + '\n',
  );
  writeFileSync(join(shop, 'later.log'), [logLine('SO1', 200, 1), logLine('SO4', 200, 5)].join('\n') + '\n');
});

describeEachDatabase('values the attacker read that match no record', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, { title: 'Unknown reads', aware_at: '2019-11-14T16:00:00Z' }));
    await importRecords(ctx, id, join(shop, 'orders.csv'), { key: 'order_id', subject: 'email', map: { name: 'name' } });
  });
  afterAll(() => ctx?.close());

  it('are kept with their file and line, and only those the shop answered 2xx for', async () => {
    const run = await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: [join(shop, 'first.log')] });
    expect(run).toMatchObject({ affected: 1, unknownValues: 5 });
    const { reads } = await unknownReads(ctx, id);
    expect(reads.slice(0, 2)).toEqual([
      expect.objectContaining({ value: 'SO2', column: 'order_id', rule: 'order-api', file: join(shop, 'first.log'), line: 2, status: 200, purged_at: null }),
      expect.objectContaining({ value: 'SO9', line: 3, at: '2019-11-01T10:00:03.000Z', request: 'GET /api/orders/SO9', ip: '203.0.113.9', indicator: 'ip 203.0.113.9' }),
    ]);
  });

  it('name the quarantined row a value belongs to: people the attacker read who are missing from the list', async () => {
    const { run, reads } = await unknownReads(ctx, id);
    const orders = join(shop, 'orders.csv');
    expect(reads.map((read) => [read.value, read.line, read.quarantined_row])).toEqual([
      ['SO2', 2, { file: orders, line: 3, reason: "column 'email' is empty" }],
      ['SO9', 3, null],
      ['SO3', 5, { file: orders, line: 4, reason: '4 columns where the header has 3' }],
      ['SO2', 6, { file: orders, line: 3, reason: "column 'email' is empty" }],
      // A key that cannot be stored cannot be read back: the NUL-free value the log shows matches nothing.
      ['SO5', 7, null],
    ]);
    // Two rows, read by three requests; the run keeps the count.
    const stored = await ctx.db.selectFrom('scope_runs').select('quarantined_rows').where('incident_id', '=', id).where('run', '=', run).executeTakeFirstOrThrow();
    expect(stored.quarantined_rows).toBe(2);
    // The values are kept as keyed hashes only, never in clear.
    const hashes = await ctx.db.selectFrom('quarantined_values').select(['line', 'value_hash']).where('incident_id', '=', id).execute();
    expect(hashes.map((row) => row.value_hash).every((hash) => /^[0-9a-f]{64}$/.test(hash))).toBe(true);
    expect(new Set(hashes.map((row) => Number(row.line)))).toEqual(new Set([3, 4]));
  });

  it('say which of them a purge deleted', async () => {
    const purged = await purgeUnaffected(ctx, id);
    expect(purged.subjects).toBe(1);
    const run = await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: [join(shop, 'later.log')] });
    const { reads } = await unknownReads(ctx, id, run.run);
    expect(reads).toEqual([expect.objectContaining({ value: 'SO4', line: 2, purged_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })]);
    // The earlier run keeps its own.
    expect((await unknownReads(ctx, id, run.run - 1)).reads.map((read) => read.value)).toEqual(['SO2', 'SO9', 'SO3', 'SO2', 'SO5']);
  });

  it('are listed by tocsin unknown, with what to do', async () => {
    const run = (...args: string[]) => tocsinMain(args, { database: database().config });
    const listed = await run('unknown', id, '--run', '1');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stderr).toContain(`scope run 1: 5 values the attacker read named no imported record. 2 belong to rows the import quarantined: people the attacker read who are missing from the list.`);
    expect(listed.stderr).toContain(`'tocsin quarantine ${id}'`);
    expect(listed.stdout).toMatch(new RegExp(`^${join(shop, 'first.log')}:2 +2019-11-01T10:00:02.000Z +order-api +order_id +SO2 +200 +belongs to quarantined row ${join(shop, 'orders.csv')}:3 \\(column 'email' is empty\\)$`, 'm'));
    expect(listed.stdout).toMatch(/:3 .* SO9 +200\s*$/m);
    expect(listed.stdout).toMatch(/:5 .* SO3 +200 +belongs to quarantined row .*orders\.csv:4 \(4 columns where the header has 3\)$/m);
    expect(JSON.parse((await run('unknown', id, '--run', '1', '--json')).stdout).reads[0]).toMatchObject({ value: 'SO2', quarantined_row: { line: 3, reason: "column 'email' is empty" } });
    expect((await run('unknown', id)).stdout).toMatch(/SO4 +200 +its record was purged on \d{4}-\d\d-\d\d/);
    expect(JSON.parse((await run('unknown', id, '--json')).stdout)).toMatchObject({ run: 2, reads: [{ value: 'SO4', column: 'order_id' }] });
  });

  it('are counted by tocsin scope as people missing from the list, with a warning', async () => {
    const run = (...args: string[]) => tocsinMain(args, { database: database().config });
    const scoped = await run('scope', id, '--rules', join(shop, 'scope.yml'), '--logs', join(shop, 'first.log'));
    expect(scoped.status, scoped.stderr).toBe(0);
    expect(scoped.stderr).toContain(`warning: 3 attacker requests of scope run 3 read 2 rows the import quarantined: 2 people the attacker read are missing from the affected list. The unknown values name the rows; fix them in the export, import it again and scope again ('tocsin unknown ${id}')`);
    expect(scoped.stdout).toMatch(/^missing from the list: +2 people the attacker read \(their rows were quarantined\)$/m);
    const json = JSON.parse((await run('scope', id, '--rules', join(shop, 'scope.yml'), '--logs', join(shop, 'first.log'), '--json')).stdout);
    expect(json).toMatchObject({ run: 4, quarantined: { rows: 2, requests: 3 } });
  });
});
