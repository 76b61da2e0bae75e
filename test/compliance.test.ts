import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Assessment } from '../src/compliance/assess.ts';
import { authorityReport, assessIncident, breachRegister } from '../src/compliance/incident-compliance.ts';
import { renderReport } from '../src/compliance/render-report.ts';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { DEMO_INCIDENT } from '../src/demo/story.ts';
import { auditTrail, verifyAudit } from '../src/incidents/audit.ts';
import { createIncident, getIncident, updateIncident } from '../src/incidents/incidents.ts';
import { importRecords } from '../src/records/import.ts';
import { affectedSubjects, evidenceFiles } from '../src/scoping/results.ts';
import { runScope } from '../src/scoping/scope-run.ts';
import { tocsin } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-compliance-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
beforeAll(() => generateDemoShop({ outDir: shop, orders: 4000, logLines: 30_000, seed: 3 }));

const AWARE = Date.parse(DEMO_INCIDENT.aware_at);
const hoursAfterAware = (iso: string | null) => (iso === null ? null : (Date.parse(iso) - AWARE) / 3_600_000);
const dfsLine = (assessment: Assessment) => assessment.lines.find((l) => l.jurisdiction === 'US-NY')!.recipients.find((r) => r.who.includes('Department of Financial Services'))!;

describeEachDatabase('compliance on the demo shop', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    // An hour after the shop became aware: every clock still running.
    ctx = await database().context({ now: () => new Date(AWARE + 3_600_000) });
    ({ id } = await createIncident(ctx, DEMO_INCIDENT));
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'] });
    await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: logs() });
  });
  afterAll(() => ctx?.close());

  it('gives GDPR and UK authorities aware-at + 72 h, CERT-In 6 h, and leaves California untriggered', async () => {
    const assessment = await assessIncident(ctx, id);
    const line = (code: string) => assessment.lines.find((l) => l.jurisdiction === code)!;
    for (const code of ['FR', 'DE', 'ES', 'IT', 'GB']) {
      expect(line(code).authority.duty, code).toBe('required');
      expect(hoursAfterAware(line(code).authority.clocks[0].due_at), code).toBe(72);
      expect(line(code).overdue).toBe(false);
    }
    expect(hoursAfterAware(line('IN').authority.clocks[0].due_at)).toBe(6);
    expect(line('US-CA')).toMatchObject({ authority: { duty: 'not-required' }, individuals: { duty: 'not-required' } });
    expect(assessment.overdue).toBe(false);

    const { subjects } = await affectedSubjects(ctx, id);
    expect(line('FR').subjects).toBe(subjects.filter((s) => s.country === 'FR').length);
    expect(assessment.lines.reduce((sum, l) => sum + l.subjects, 0)).toBe(subjects.length);
  });

  it('takes the lead authority from the EU establishment', async () => {
    await updateIncident(ctx, id, { controller_country: 'GB', eu_establishment: 'IE' });
    const assessment = await assessIncident(ctx, id);
    expect(assessment.lead_authority).toMatchObject({ jurisdiction: 'IE' });
    expect(assessment.lines.find((l) => l.jurisdiction === 'FR')!.authority.role).toBe('via-lead');
    await updateIncident(ctx, id, { eu_establishment: 'US' });
    await expect(assessIncident(ctx, id)).rejects.toMatchObject({ code: 'NOT_EEA_ESTABLISHMENT', exitCode: 2 });
    await updateIncident(ctx, id, { eu_establishment: null });
  });

  it('stores the regulators that license the controller, and owes DFS 72 hours only while the incident names it', async () => {
    const { incident, changed } = await updateIncident(ctx, id, { regulated_by: [' US-NYDFS', 'us-nydfs,'] });
    expect(changed).toEqual(['regulated_by']);
    expect(incident.regulated_by).toBe('us-nydfs');
    expect((await getIncident(ctx, id)).regulated_by).toBe('us-nydfs');
    const regulated = dfsLine(await assessIncident(ctx, id));
    expect(regulated.duty).toBe('assess'); // order data is not what § 899-aa names, but 500.17 turns on the incident
    expect(hoursAfterAware(regulated.clocks[0].due_at)).toBe(72);

    await expect(updateIncident(ctx, id, { regulated_by: 'us-nydfs,us-sec' })).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', exitCode: 2, message: expect.stringContaining('"us-sec" is not a regulator') });
    await updateIncident(ctx, id, { regulated_by: null });
    expect(dfsLine(await assessIncident(ctx, id))).toMatchObject({ duty: 'not-required', clocks: [] });
    const changes = (await auditTrail(ctx, id)).map((entry) => JSON.parse(entry.details).changes?.regulated_by).filter(Boolean);
    expect(changes).toEqual([{ before: null, after: 'us-nydfs' }, { before: 'us-nydfs', after: null }]);
  });

  it('reports the exact counts of the latest scope run and the SHA-256 of every evidence file', async () => {
    const head = await getIncident(ctx, id);
    const report = await authorityReport(ctx, id, 'fr', 'initial');
    const markdown = renderReport(report, 'md');
    // The audit head it was made at, as a checkpoint a copy of the report can be checked against.
    expect(markdown).toContain(`**Audit trail checkpoint:** tocsin-audit-checkpoint/1 incident=${id} seq=${head.audit_seq} hash=${head.audit_hash} `);
    expect(await verifyAudit(ctx, id, { text: markdown, source: 'report.md' })).toMatchObject({ intact: true, checkpoints: 1 });
    const { subjects } = await affectedSubjects(ctx, id);
    const records = subjects.reduce((sum, s) => sum + s.records.length, 0);
    const french = subjects.filter((s) => s.country === 'FR');
    expect(markdown).toContain(`**Approximate number, all jurisdictions:** ${subjects.length}`);
    expect(markdown).toContain(`**Approximate number in France:** ${french.length}`);
    expect(markdown).toContain(`**Approximate number of records, all jurisdictions:** ${records}`);
    for (const file of await evidenceFiles(ctx, id)) expect(markdown).toContain(file.sha256);
    expect(report.needs_human).toBeGreaterThan(0);
    expect(JSON.parse(renderReport(report, 'json'))).toMatchObject({ jurisdiction: 'FR', phase: 'initial' });
  });

  it('states what changed in a complementary report, and lists the incident in the register', async () => {
    await expect(authorityReport(ctx, id, 'GB', 'complementary')).rejects.toMatchObject({ code: 'NO_INITIAL_REPORT' });
    await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: logs().slice(1) });
    const complementary = renderReport(await authorityReport(ctx, id, 'FR', 'complementary'), 'md');
    expect(complementary).toMatch(/changed/i);
    const register = await breachRegister(ctx);
    expect(register.map((entry) => entry.incident_id)).toContain(id);
  });
});

describeEachDatabase('tocsin assess and report', (database) => {
  const run = (...args: string[]) => tocsin(args, { database: database().config });
  let id: string;
  beforeAll(() => {
    id = run('incident', 'create', '--title', 'x', '--aware-at', '2019-11-14T16:00:00Z').stdout.trim();
    run('import', id, join(shop, 'orders.csv'), '--preset', 'tocsin-demo', '--rules', join(shop, 'scope.yml'));
    run('scope', id, '--rules', join(shop, 'scope.yml'), '--logs', ...logs());
  });

  it('prints the assessment contract as JSON and writes a report file', () => {
    const assessed = run('assess', id, '--json');
    expect(assessed.status).toBe(0);
    const fr = JSON.parse(assessed.stdout).jurisdictions.find((j: { jurisdiction: string }) => j.jurisdiction === 'FR');
    expect(Object.keys(fr)).toEqual(expect.arrayContaining(['jurisdiction', 'authority', 'authority_required', 'authority_deadline', 'individuals', 'individuals_deadline', 'subjects', 'records', 'reasons', 'sources']));
    expect(fr).toMatchObject({ authority_required: true, authority_deadline: '2019-11-17T16:00:00.000Z', individuals: 'assess' });
    const out = join(shop, `report-${database().dialect}.html`);
    expect(run('report', id, '--jurisdiction', 'FR', '--format', 'html', '--out', out).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('CNIL');
    expect(run('audit', id, '--verify', '--against', out)).toMatchObject({ status: 0, stdout: expect.stringContaining('holds the entries its checkpoint(s) saw') });
    expect(run('report', id, '--jurisdiction', 'XX')).toMatchObject({ status: 2 });
  });

  it('names the regulators of the controller with --regulated-by, and lists DFS’s deadline below the jurisdictions', () => {
    const created = run('incident', 'create', '--title', 'y', '--aware-at', '2019-11-14T16:00:00Z', '--regulated-by', 'us-nydfs').stdout.trim();
    expect(JSON.parse(run('incident', 'show', created, '--json').stdout).regulated_by).toBe('us-nydfs');

    expect(run('incident', 'update', id, '--regulated-by', 'us-nydfs', '--regulated-by', 'US-NYDFS')).toMatchObject({ status: 0, stderr: `updated ${id}: regulated_by\n` });
    expect(JSON.parse(run('incident', 'show', id, '--json').stdout).regulated_by).toBe('us-nydfs');
    expect(run('assess', id).stdout).toMatch(/RECIPIENT DUTY[\s\S]*US-NY +assess +2019-11-17T16:00:00\.000Z .*Department of Financial Services/);

    const refused = run('incident', 'update', id, '--regulated-by', 'nydfs');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/regulated-by: "nydfs" is not a regulator Tocsin has rules for; name one of us-nydfs \(New York State Department of Financial Services \(DFS\)\)/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user's mistake
    expect(run('incident', 'update', id, '--regulated-by', '').status).toBe(0);
    expect(JSON.parse(run('incident', 'show', id, '--json').stdout).regulated_by).toBeNull();
    expect(run('assess', id).stdout).not.toContain('Department of Financial Services');
  });
});
