/**
 * The exposure rules as a scope run applies them in the database, on a shop small enough to
 * check every row: two rules, misses, unknown values, a line two rules match, a line naming two
 * records, and categories held but not exposed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Tables } from '../src/db/schema.ts';
import type { OpenContext } from '../src/context.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { categoryMask } from '../src/domain/categories.ts';
import { importRecords } from '../src/records/import.ts';
import { affectedSubjects, explainSubject } from '../src/scoping/results.ts';
import { AttackerRequests, dropScratchTables } from '../src/scoping/exposures.ts';
import type { Hit } from '../src/scoping/hits.ts';
import { runScope } from '../src/scoping/scope-run.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-exposures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORDERS = [
  'order_id,email,name,phone,imei,card_last4,address',
  // Ana has two orders; the second holds a phone number the first does not.
  'SO1,ana@example.com,Ana,,350000000000001,4242,1 Main St',
  'SO2,Ana@Example.com,Ana,+33 1 23 45 67 89,350000000000002,,1 Main St',
  'SO3,bo@example.com,Bo,+44 20 7946 0000,350000000000003,1111,2 High St',
  'SO4,cy@example.com,Cy,,350000000000004,,3 Low St',
  '',
].join('\n');

const SCOPE = `rules:
  - name: imei-lookup
    request: GET /support/lookup?imei=:imei
    exposes: [name, email, postal_address]
  - name: order-api
    request: GET /api/orders/:order_id
    exposes: [name, email, phone, postal_address, payment_card_last4]
    status: [200]
  - name: order-pair
    request: GET /api/compare/:order_id
    exposes: [name]
indicators:
  ips: ["203.0.113.0/24"]
  from: 2019-11-01T00:00:00Z
  until: 2019-11-30T23:59:59Z
`;

const line = (ip: string, time: string, target: string, status: number) => `${ip} - - [${time} +0000] "GET ${target} HTTP/1.1" ${status} 512 "-" "curl/7.64.0"`;
const LOG = [
  /* 1 */ line('203.0.113.9', '01/Nov/2019:10:00:00', '/support/lookup?imei=350000000000001', 200),
  /* 2 */ line('203.0.113.9', '02/Nov/2019:10:00:00', '/api/orders/SO1', 200),
  /* 3 */ line('203.0.113.9', '03/Nov/2019:10:00:00', '/api/orders/SO3', 404),
  /* 4 */ line('203.0.113.9', '04/Nov/2019:10:00:00', '/support/lookup?imei=999999999999999', 200),
  /* 5 */ line('203.0.113.9', '05/Nov/2019:10:00:00', '/api/orders/SO9', 404),
  /* 6 */ line('198.51.100.1', '06/Nov/2019:10:00:00', '/api/orders/SO4', 200),
  /* 7 */ line('203.0.113.9', '07/Nov/2019:10:00:00', '/support/lookup?imei=350000000000001', 200),
  /* 8 */ line('203.0.113.9', '08/Nov/2019:10:00:00', '/api/orders/SO1', 201),
  '',
].join('\n');

describeEachDatabase('exposures of a scope run', (database) => {
  let ctx: OpenContext;
  let id: string;
  let run: Awaited<ReturnType<typeof runScope>>;
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, { title: 'Exposures', aware_at: '2019-11-14T16:00:00Z' }));
    const orders = join(dir, `orders-${database().dialect}.csv`);
    const rules = join(dir, `scope-${database().dialect}.yml`);
    const log = join(dir, `access-${database().dialect}.log`);
    writeFileSync(orders, ORDERS);
    writeFileSync(rules, SCOPE);
    writeFileSync(log, LOG);
    await importRecords(ctx, id, orders, {
      key: 'order_id',
      subject: 'email',
      map: { name: 'name', phone: 'phone', card_last4: 'payment_card_last4', address: 'postal_address', imei: 'device_id' },
      ruleColumns: ['imei', 'order_id'],
    });
    run = await runScope(ctx, id, { rulesPath: rules, logs: [log] });
  });
  afterAll(() => ctx?.close());

  it("gives a record's subject the categories of every rule that revealed it, and the rest they hold as not exposed", async () => {
    const { subjects } = await affectedSubjects(ctx, id);
    expect(subjects.map((s) => s.subject)).toEqual(['ana@example.com']);
    const [ana] = subjects;
    expect(ana.exposed).toEqual(['name', 'email', 'phone', 'postal_address', 'payment_card_last4']);
    // Her second order holds a phone and a device; the phone was exposed through order-api, the device never.
    expect(ana.notExposed).toEqual(['device_id']);
    expect(ana.records).toEqual(['SO1']);
    expect(ana).toMatchObject({ firstAccess: '2019-11-01T10:00:00.000Z', lastAccess: '2019-11-07T10:00:00.000Z', requests: 3 });
  });

  it("stores what was and was not exposed as category masks on the person's row of the run", async () => {
    const row = await ctx.db.selectFrom('affected').select(['subject', 'exposed', 'not_exposed']).where('incident_id', '=', id).where('run', '=', run.run).executeTakeFirstOrThrow();
    expect(row).toEqual({
      subject: 'ana@example.com',
      exposed: categoryMask(['name', 'email', 'phone', 'postal_address', 'payment_card_last4']),
      not_exposed: categoryMask(['device_id']),
    });
  });

  it('keeps misses and statuses the rule does not count as evidence that reveals nothing', async () => {
    const bo = await explainSubject(ctx, id, 'bo@example.com');
    expect(bo).toMatchObject({ affected: false, exposed: [], notExposed: [] });
    expect(bo.requests).toMatchObject([{ line: 3, status: 404, rule: 'order-api', record: 'SO3', exposes: false, indicator: 'ip 203.0.113.0/24' }]);
    const ana = await explainSubject(ctx, id, 'ANA@example.com');
    expect(ana.requests.map((request) => [request.line, request.exposes])).toEqual([
      [1, true],
      [2, true],
      [7, true],
      [8, false], // 201: order-api counts only 200
    ]);
  });

  it("counts the attacker's requests, the records they revealed, and values that matched no record", () => {
    // Lines 1-5, 7 and 8 are the attacker's; line 6 is another address's.
    expect(run).toMatchObject({ attackerRequests: 7, affected: 1, exposedRecords: 1, unknownValues: 1 });
    expect(run.categories).toEqual([
      { category: 'name', subjects: 1 },
      { category: 'email', subjects: 1 },
      { category: 'phone', subjects: 1 },
      { category: 'postal_address', subjects: 1 },
      { category: 'payment_card_last4', subjects: 1 },
    ]);
    // Cy's order was read, but not by the attacker.
    expect(run.affected).toBe(1);
  });

  it('leaves nothing behind when a run fails half-way: the next run on the same connection works', async () => {
    const rules = join(dir, `no-indicators-${database().dialect}.yml`);
    writeFileSync(rules, SCOPE.slice(0, SCOPE.indexOf('indicators:')));
    const log = join(dir, `access-${database().dialect}.log`);
    await expect(runScope(ctx, id, { rulesPath: rules, logs: [log] })).rejects.toMatchObject({ code: 'SCOPE_NO_INDICATORS' });
    const again = await runScope(ctx, id, { rulesPath: join(dir, `scope-${database().dialect}.yml`), logs: [log] });
    expect(again).toMatchObject({ run: run.run + 1, affected: 1, attackerRequests: 7 });
  });

  it('stores its run when another process writes to the database while the logs are scanned', async () => {
    // SQLite would refuse this transaction's first write had it read the main database before
    // the other commit: the scan must leave the main database alone.
    const other = await database().context();
    const writes: Promise<unknown>[] = [];
    try {
      const log = join(dir, `busy-${database().dialect}.log`);
      writeFileSync(log, Array.from({ length: 3000 }, (_, i) => line('203.0.113.9', '03/Nov/2019:10:00:00', `/api/orders/SO${(i % 4) + 1}`, 200)).join('\n'));
      const busy = await runScope(ctx, id, {
        rulesPath: join(dir, `scope-${database().dialect}.yml`),
        logs: [log],
        onProgress: () => writes.push(other.db.updateTable('incidents').set({ title: `Exposures ${writes.length}` }).where('id', '=', id).execute()),
      });
      await Promise.all(writes);
      expect(writes.length).toBeGreaterThan(0);
      expect(busy).toMatchObject({ attackerRequests: 3000, affected: 3 });
    } finally {
      await other.close();
    }
  });

  it('holds the scan back once the database is far behind, until it has written every hit it was given', async () => {
    const hit = (line: number): Hit => ({
      file: 'slow.log', line, time: 0, method: 'GET', target: `/api/orders/K${line}`, status: 200, rule: 'order-api', column: 'order_id', value: `K${line}`,
      ip: null, peer: null, userAgent: null, account: null, indicator: 'ip 203.0.113.0/24', exposes: true,
    });
    const written = async (trx: Kysely<Tables>) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM scope_hits`.execute(trx)).rows[0].n);
    await ctx.db.transaction().execute(async (trx) => {
      const requests = await AttackerRequests.open(trx, ctx.dialect, ['slow.log'], new Map([['order-api', ['name' as const]]]));
      requests.add([hit(1)]);
      await requests.caughtUp();
      expect(await written(trx)).toBe(0); // not behind: no write forced
      requests.add(Array.from({ length: 70_000 }, (_, i) => hit(i + 2)));
      await requests.caughtUp();
      expect(await written(trx)).toBe(70_001);
      await requests.finished();
      await dropScratchTables(trx);
    });
  });

  it('takes the revealing rule when two rules match one line, and counts a line once', async () => {
    const log = join(dir, `pair-${database().dialect}.log`);
    const rules = join(dir, `pair-${database().dialect}.yml`);
    // Both rules match /api/orders/SO3: one reveals (any 2xx), the other does not (200 only).
    writeFileSync(rules, SCOPE.replace('/api/compare/:order_id', '/api/orders/:order_id').replace('exposes: [name]\n', 'exposes: [name]\n    status: [202]\n'));
    writeFileSync(log, `${line('203.0.113.9', '09/Nov/2019:10:00:00', '/api/orders/SO3', 202)}\n`);
    const second = await runScope(ctx, id, { rulesPath: rules, logs: [log] });
    expect(second).toMatchObject({ attackerRequests: 1, affected: 1, exposedRecords: 1 });
    const bo = await explainSubject(ctx, id, 'bo@example.com');
    expect(bo.exposed).toEqual(['name']);
    expect(bo.requests).toMatchObject([{ line: 1, record: 'SO3', exposes: true, rule: 'order-pair' }]);
    expect(bo.notExposed).toEqual(['phone', 'postal_address', 'payment_card_last4', 'device_id']);
    const [{ requests }] = (await affectedSubjects(ctx, id)).subjects;
    expect(requests).toBe(1);
  });
});
