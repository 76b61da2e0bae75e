import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { auditTrail, verifyAudit } from '../src/incidents/audit.ts';
import { buildNotices } from '../src/notices/build.ts';
import { importRecords } from '../src/records/import.ts';
import { planPurge, purgeUnaffected } from '../src/scoping/purge.ts';
import { affectedSubjects, diffRuns } from '../src/scoping/results.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { purgeView } from '../src/scoping/views.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase, type TestDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-purge-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
const rules = () => join(shop, 'scope.yml');

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 2000, logLines: 20_000, seed: 23 });
});

/**
 * Whether `text` is anywhere in the database's files, as bytes: SQLite's file and its WAL; on
 * PostgreSQL every table, index and TOAST file of the test's schema, read by the server after a
 * checkpoint has written its buffers out.
 */
async function filesHold(database: TestDatabase, ctx: OpenContext, text: string): Promise<boolean> {
  if (database.dialect === 'sqlite') {
    const file = join(database.config.dataDir, 'tocsin.db');
    return [file, `${file}-wal`].some((path) => existsSync(path) && readFileSync(path).includes(text));
  }
  await sql`CHECKPOINT`.execute(ctx.db);
  const { rows } = await sql<{ found: boolean }>`
    SELECT position(convert_to(${text}, 'UTF8') IN pg_read_binary_file(pg_relation_filepath(c.oid))) > 0 AS found
    FROM pg_class c
    WHERE c.relkind IN ('r', 'i', 't') AND pg_relation_filepath(c.oid) IS NOT NULL
      AND (c.relnamespace = current_schema()::regnamespace
        OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)))`.execute(ctx.db);
  return rows.some((row) => row.found);
}

interface Person {
  subject: string;
  key: string;
  imei: string;
  phone: string;
}

describeEachDatabase('purging the unaffected', (database) => {
  let ctx: OpenContext;
  let id: string;
  let run1: Set<string>;
  let run2: Set<string>;
  /** Someone the runs never found affected, whose phone number no one else has. */
  let bystander: Person;
  const cli = (...args: string[]) => tocsinMain(args, { database: database().config });

  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createDemoIncident(ctx));
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules())).scope) });
    await runScope(ctx, id, { rulesPath: rules(), logs: logs() });
    run1 = new Set((await affectedSubjects(ctx, id)).subjects.map((s) => s.subject));
    // Everyone affected so far gets a notice; a narrower second run then leaves some of them out.
    await buildNotices(ctx, id, { shopAddress: 'https://shop.example.com' });
    const narrowed = join(shop, `narrowed-${database().dialect}.yml`);
    writeFileSync(narrowed, readFileSync(rules(), 'utf8').replace(/until: .*/, 'until: 2019-11-05T00:00:00Z'));
    await runScope(ctx, id, { rulesPath: narrowed, logs: logs() });
    run2 = new Set((await affectedSubjects(ctx, id)).subjects.map((s) => s.subject));
    expect(run2.size).toBeLessThan(run1.size);

    const records = await ctx.db.selectFrom('records').select(['subject', 'key', 'fields']).where('incident_id', '=', id).orderBy('key').execute();
    const phones = records.map((row) => (JSON.parse(row.fields) as Record<string, string>).phone);
    const lookups = await ctx.db.selectFrom('record_lookups').select(['key', 'value']).where('incident_id', '=', id).where('column_name', '=', 'imei').execute();
    const index = records.findIndex((row, i) => !run1.has(row.subject) && phones[i] && phones.indexOf(phones[i]) === phones.lastIndexOf(phones[i]));
    const { subject, key } = records[index];
    bystander = { subject, key, phone: phones[index], imei: lookups.find((row) => row.key === key)!.value };
  });
  afterAll(() => ctx?.close());

  it('--dry-run lists who would be purged and how many, and changes nothing', async () => {
    const before = await ctx.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow();
    const plan = await planPurge(ctx, id);
    const result = await cli('purge', id, '--unaffected', '--dry-run', '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(purgeView(plan));
    const unaffected = await ctx.db.selectFrom('records').select('subject').distinct().where('incident_id', '=', id).execute();
    const doomed = unaffected.map((row) => row.subject).filter((subject) => !run1.has(subject));
    expect(plan.people.map((person) => person.subject)).toEqual(doomed.sort());
    expect(plan).toMatchObject({ run: 2, subjects: doomed.length, keptWithNotice: run1.size - run2.size });
    expect(plan.records).toBe(plan.people.reduce((sum, person) => sum + person.records, 0));
    expect(plan.people).toContainEqual({ subject: bystander.subject, records: 1 });

    const text = await cli('purge', id, '--unaffected', '--dry-run');
    expect(text.stdout).toContain(bystander.subject);
    expect(text.stderr).toContain(`would delete ${plan.records} records of ${plan.subjects} people not affected in scope run 2; kept ${plan.keptWithNotice} people not affected who already have a notice; nothing was changed`);
    const after = await ctx.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('deletes them from the files themselves, keeps whoever has a notice, and records the purge', async () => {
    const [kept] = [...run1].filter((subject) => !run2.has(subject));
    // Not vacuous: the database files hold the bystander before, and an affected person after.
    for (const text of [bystander.subject, bystander.phone]) expect(await filesHold(database(), ctx, text), text).toBe(true);

    const result = await purgeUnaffected(ctx, id);
    expect(result).toMatchObject({ purge: 1, run: 2, keptWithNotice: run1.size - run2.size });
    // Other test files' transactions on the shared server may outlast the purge's wait: purging again finishes the job.
    while (!(await purgeUnaffected(ctx, id)).reclaimed);

    for (const text of [bystander.subject, bystander.phone, bystander.key, bystander.imei]) expect(await filesHold(database(), ctx, text), text).toBe(false);
    expect(await filesHold(database(), ctx, kept)).toBe(true);
    const left = await ctx.db.selectFrom('records').select('subject').distinct().where('incident_id', '=', id).execute();
    expect(new Set(left.map((row) => row.subject))).toEqual(run1);

    // Remembered as keyed hashes only: one per purged key and per looked-up value.
    const hashes = await ctx.db.selectFrom('purged_values').select('value_hash').where('incident_id', '=', id).execute();
    expect(hashes.length).toBeGreaterThanOrEqual(2 * result.records);
    for (const { value_hash } of hashes) expect(value_hash).toMatch(/^[0-9a-f]{64}$/);

    const trail = await auditTrail(ctx, id);
    expect(trail.at(-1)).toMatchObject({ action: 'records.purged' });
    expect(JSON.parse(trail.at(-1)!.details)).toEqual({ purge: 1, unaffected_of_run: 2, records: result.records, subjects: result.subjects, kept_with_notice: result.keptWithNotice });
    expect((await verifyAudit(ctx, id)).intact).toBe(true);

    // Purged again, nobody is left: nothing is numbered or audited.
    expect(await purgeUnaffected(ctx, id)).toMatchObject({ purge: null, records: 0 });
    expect((await auditTrail(ctx, id)).length).toBe(trail.length);
  }, 600_000);

  it('a later run whose attacker reached purged records says so, in its results, its diff and the CLI', async () => {
    // The attacker's requests for the bystander's order, by key and by IMEI: the shop answered them.
    const extra = join(shop, `extra-${database().dialect}.log`);
    writeFileSync(
      extra,
      [`/api/v2/orders/${bystander.key}`, `/support/orders/lookup?imei=${bystander.imei}`]
        .map((target) => `198.51.100.151 - u100043 [05/Nov/2019:10:00:00 +0000] "GET ${target} HTTP/1.1" 200 900 "-" "python-requests/2.22.0"\n`)
        .join(''),
    );
    const [purge] = await ctx.db.selectFrom('purges').select('at').where('incident_id', '=', id).execute();
    const run = await runScope(ctx, id, { rulesPath: rules(), logs: [...logs(), extra] });
    expect(run.purged).toEqual({ requests: 2, purgedAt: [purge.at] });
    expect(run.affected).toBe(run1.size);
    expect((await diffRuns(ctx, id)).purged).toEqual(run.purged);

    const scoped = await cli('scope', id, '--rules', rules(), '--logs', ...logs(), extra, '--json');
    expect(scoped.status, scoped.stderr).toBe(0);
    expect(JSON.parse(scoped.stdout).purged).toEqual({ requests: run.purged.requests, purged_at: run.purged.purgedAt });
    const warning = `warning: 2 attacker requests of scope run ${run.run + 1} reached records that were purged on ${purge.at.slice(0, 10)}; those people are missing from this run and cannot be notified from Tocsin's data. Re-import the export and scope again ('tocsin import ${id} FILE')`;
    expect(scoped.stderr).toContain(warning);
    const diff = await cli('scope', id, '--diff');
    expect(diff.stdout).toContain('0 newly affected');
    expect(diff.stderr).toContain(warning);

    // The remedy works: re-imported, the bystander is found affected and nothing is missing.
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules())).scope) });
    const again = await runScope(ctx, id, { rulesPath: rules(), logs: [...logs(), extra] });
    expect(again.purged).toEqual({ requests: 0, purgedAt: [] });
    expect((await affectedSubjects(ctx, id)).subjects.map((s) => s.subject)).toContain(bystander.subject);
  });
});
