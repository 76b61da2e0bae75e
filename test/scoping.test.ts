import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { auditTrail, verifyAudit } from '../src/incidents/audit.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { importRecords, listQuarantine } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { detectSuspects } from '../src/scoping/detect-run.ts';
import { compileIndicators } from '../src/scoping/indicators.ts';
import { purgeUnaffected } from '../src/scoping/purge.ts';
import { affectedSubjects, diffRuns, evidenceFiles, explainSubject } from '../src/scoping/results.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { describeEachDatabase } from './helpers/databases.ts';

interface Truth {
  indicators: { ips: string[]; accounts: string[] };
  affected: { email: string; exposed: string[]; records: string[] }[];
}

const shop = mkdtempSync(join(tmpdir(), 'tocsin-scoping-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
const rules = () => join(shop, 'scope.yml');
let truth: Truth;

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 3000, logLines: 30_000, seed: 11 });
  truth = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8'));
});

describeEachDatabase('scoping the demo shop', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, { title: 'Demo', aware_at: '2019-11-14T16:00:00Z' }));
    const keep = ruleColumns((await loadScopeFile(rules())).scope);
    const summary = await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: keep });
    expect(summary).toMatchObject({ importId: 1, rowsRead: 3000, imported: 3000, quarantined: 0 });
  });
  afterAll(() => ctx?.close());

  it('finds exactly the affected people of truth.json, with exactly their exposed categories', async () => {
    const run = await runScope(ctx, id, { rulesPath: rules(), logs: logs() });
    expect(run.run).toBe(1);
    const { subjects } = await affectedSubjects(ctx, id);
    const found = subjects.map((s) => ({ email: s.subject, exposed: [...s.exposed].sort(), records: s.records }));
    expect(found).toEqual(truth.affected);
    expect(run.affected).toBe(truth.affected.length);
    for (const subject of subjects) {
      expect(subject.notExposed).toContain('device_id');
      expect(subject.exposed.some((category) => subject.notExposed.includes(category))).toBe(false);
      expect(subject.name).toBeTruthy();
      expect(subject.requests).toBeGreaterThan(0);
    }
  });

  it('explains a person with the file and line of each request, and someone unaffected with none', async () => {
    const [first] = truth.affected;
    const explanation = await explainSubject(ctx, id, first.email.toUpperCase());
    expect(explanation).toMatchObject({ affected: true, subject: first.email });
    const revealing = explanation.requests.filter((request) => request.exposes);
    expect(revealing.length).toBeGreaterThan(0);
    for (const request of revealing) {
      expect(first.records).toContain(request.record);
      const text = request.file.endsWith('.gz') ? gunzipSync(readFileSync(request.file)).toString() : readFileSync(request.file, 'utf8');
      expect(text.split('\n')[request.line - 1]).toContain(`"${request.request} HTTP/`);
      expect(request.indicator).toMatch(/^(ip|user_agent|account) /);
    }

    const orders = readFileSync(join(shop, 'orders.csv'), 'utf8');
    const affected = new Set(truth.affected.map((a) => a.email));
    const bystander = orders.split('\n').map((row) => row.split(',')[1]?.toLowerCase()).find((email) => email?.includes('@') && !affected.has(email))!;
    expect(await explainSubject(ctx, id, bystander)).toMatchObject({ affected: false, exposed: [] });
  });

  it('lists every input file with its SHA-256 and line counts', async () => {
    const files = await evidenceFiles(ctx, id);
    expect(files.map((file) => file.kind)).toEqual(['records', 'log', 'log', 'log']);
    expect(files[0]).toMatchObject({ lines: 3000, unparseable: 0 });
    for (const file of files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    const logLines = files.filter((file) => file.kind === 'log').reduce((sum, file) => sum + (file.lines ?? 0), 0);
    expect(logLines).toBe(30_000);
  });

  it('hashes a log again when it changed since an earlier run, and trusts the earlier hash when not', async () => {
    const copy = join(shop, `copy-${database().dialect}.log`);
    writeFileSync(copy, readFileSync(join(shop, 'access.log')));
    const first = await runScope(ctx, id, { rulesPath: rules(), logs: [copy] });
    const again = await runScope(ctx, id, { rulesPath: rules(), logs: [copy] });
    expect(again.files[0].sha256).toBe(first.files[0].sha256);
    appendFileSync(copy, '203.0.113.9 - - [14/Nov/2019:09:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/7.64"\n');
    const changed = await runScope(ctx, id, { rulesPath: rules(), logs: [copy] });
    expect(changed.files[0].sha256).not.toBe(first.files[0].sha256);
    expect(changed.files[0].sha256).toBe(createHash('sha256').update(readFileSync(copy)).digest('hex'));
    await runScope(ctx, id, { rulesPath: rules(), logs: logs() });
  });

  it('keeps each run, and diffs the last two', async () => {
    const narrowed = readFileSync(rules(), 'utf8').replace(/until: .*/, 'until: 2019-11-05T00:00:00Z');
    const narrowedPath = join(shop, `narrowed-${database().dialect}.yml`);
    writeFileSync(narrowedPath, narrowed);
    const second = await runScope(ctx, id, { rulesPath: narrowedPath, logs: logs() });
    expect(second.affected).toBeLessThan(truth.affected.length);
    const diff = await diffRuns(ctx, id);
    expect(diff).toMatchObject({ from: second.run - 1, to: second.run, added: [] });
    expect(diff.removed.length).toBe(truth.affected.length - second.affected);
    expect((await affectedSubjects(ctx, id)).run).toBe(second.run);
    expect((await affectedSubjects(ctx, id, second.run - 1)).subjects).toHaveLength(truth.affected.length);
  });

  it('ranks the attacker first when the indicators are not known', async () => {
    const { suspects, indicators } = await detectSuspects(ctx, id, { rulesPath: rules(), logs: logs(), top: 3 });
    expect(suspects).toHaveLength(3);
    for (const suspect of suspects) expect(suspect.account).toBe(truth.indicators.accounts[0]);
    expect(indicators).toContain(`accounts: ["${truth.indicators.accounts[0]}"]`);
    // Only the attacker's clients stand out: no customer's address and no browser's user agent.
    const suggested = (key: string) => JSON.parse(indicators.match(new RegExp(`^  ${key}: (.*)$`, 'm'))![1]) as string[];
    expect(suggested('ips').length).toBeGreaterThan(0);
    const attacker = compileIndicators({ ips: truth.indicators.ips, userAgents: [], accounts: [], from: null, until: null });
    for (const ip of suggested('ips')) expect(attacker.match(ip, null, null), ip).not.toBeNull();
    for (const userAgent of suggested('user_agents')) expect(userAgent).not.toMatch(/Mozilla/);
  });

  it('purges the unaffected, records it in the audit log, and keeps the trail intact', async () => {
    await runScope(ctx, id, { rulesPath: rules(), logs: logs() });
    const result = await purgeUnaffected(ctx, id);
    const affectedRecords = await ctx.db.selectFrom('records').select('subject').where('incident_id', '=', id).execute();
    expect(new Set(affectedRecords.map((row) => row.subject))).toEqual(new Set(truth.affected.map((a) => a.email)));
    expect(result.records).toBe(3000 - affectedRecords.length);
    const actions = (await auditTrail(ctx, id)).map((entry) => entry.action);
    expect(actions).toEqual(['incident.created', 'records.imported', ...Array(6).fill('scope.run'), 'detect.run', 'scope.run', 'records.purged']);
    expect((await verifyAudit(ctx, id)).intact).toBe(true);
  });
});

describeEachDatabase('importing a messy export', (database) => {
  it('quarantines bad rows with their line and reason, and imports the rest', async () => {
    const ctx = await database().context();
    try {
      const { id } = await createIncident(ctx, { title: 'Messy', aware_at: '2019-11-14T16:00:00Z' });
      const file = join(shop, `messy-${database().dialect}.csv`);
      writeFileSync(
        file,
        [
          'order;email;name;address',
          'A1;Ana@Example.COM;Ana;"1 Main St',
          'Flat 2"',
          'A2;;Bo;x',
          'A3;not-an-email;Cy;y',
          'A4;ana@example.com;Ana;z;extra',
          'A5;ana@example.com;Ana;2 Main St',
          '',
        ].join('\n'),
      );
      const summary = await importRecords(ctx, id, file, { key: 'order', subject: 'email', map: { name: 'name', address: 'postal_address' } });
      expect(summary).toMatchObject({ rowsRead: 5, imported: 2, quarantined: 3, subjects: 1 });
      const quarantine = await listQuarantine(ctx, id);
      expect(quarantine.map((row) => row.line)).toEqual([4, 5, 6]);
      expect(quarantine[0].reason).toContain("'email'");
      expect(quarantine.every((row) => row.path === file)).toBe(true);
      const again = await importRecords(ctx, id, file, { key: 'order', subject: 'email', map: { name: 'name', address: 'postal_address' } });
      expect(again).toMatchObject({ importId: 2, imported: 2, incidentSubjects: 1 });
      const stored = await ctx.db.selectFrom('records').select(['key', 'fields']).where('incident_id', '=', id).orderBy('key').execute();
      expect(stored.map((row) => row.key)).toEqual(['A1', 'A5']);
      expect(JSON.parse(stored[0].fields)).toEqual({ name: 'Ana', postal_address: '1 Main St\nFlat 2' });
    } finally {
      await ctx.close();
    }
  });
});

describeEachDatabase('importing while another process writes', (database) => {
  it('stores the import when another connection writes while the file is read', async () => {
    const ctx = await database().context();
    const other = await database().context();
    // On SQLite the other writer does not wait: once the import holds the write lock its writes
    // are refused at once (in this one thread, waiting would wait for ever). Before that, they commit.
    const sqlite = database().dialect === 'sqlite' ? new DatabaseSync(join(database().config.dataDir, 'tocsin.db'), { timeout: 0 }) : null;
    try {
      const { id } = await createIncident(ctx, { title: 'Busy', aware_at: '2019-11-14T16:00:00Z' });
      const file = join(shop, `busy-${database().dialect}.csv`);
      writeFileSync(file, ['order,email', ...Array.from({ length: 40_000 }, (_, i) => `A${i},p${i}@example.com`), ''].join('\n'));
      const writes: Promise<unknown>[] = [];
      const write = (title: string) => {
        if (!sqlite) return writes.push(other.db.updateTable('incidents').set({ title }).where('id', '=', id).execute());
        try {
          sqlite.prepare('UPDATE incidents SET title = ? WHERE id = ?').run(title, id);
        } catch (error) {
          if (!/locked|busy/.test(String(error))) throw error;
        }
        return writes.push(Promise.resolve());
      };
      // SQLite would refuse the import's first write had it read the database before another commit.
      const summary = await importRecords(ctx, id, file, { key: 'order', subject: 'email', onProgress: () => write(`Busy ${writes.length}`) });
      await Promise.all(writes);
      expect(writes.length).toBeGreaterThan(0);
      expect(summary).toMatchObject({ importId: 1, imported: 40_000 });
    } finally {
      sqlite?.close();
      await other.close();
      await ctx.close();
    }
  });
});
