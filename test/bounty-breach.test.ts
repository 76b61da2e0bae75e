import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { can, ROLES, signUpResearcher } from '../src/accounts/index.ts';
import { showReport, submitReport, triageReport, type ReportFields } from '../src/bounty/index.ts';
import { assessIncident } from '../src/compliance/index.ts';
import type { Context, OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/index.ts';
import { auditTrail, createIncident, getIncident, verifyAudit } from '../src/incidents/index.ts';
import { importRecords } from '../src/records/index.ts';
import { runScope } from '../src/scoping/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const HOUR_MS = 3_600_000;
/** Who the responder's API token acts as: the audit's actor. */
const RESPONDER = 'token:responder script';
const dir = mkdtempSync(join(tmpdir(), 'tocsin-bounty-breach-'));
const shop = join(dir, 'shop');
const config = join(dir, 'tocsin.yml');
beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 1500, logLines: 12_000, seed: 5 });
  writeFileSync(config, stringify({ public_url: 'https://help.shop.example.com', bounty: BOUNTY }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IMEI_LOOKUP: ReportFields = {
  asset: 'api.shop.example.com',
  weakness: 'CWE-639',
  title: 'After-sales IMEI lookup returns other customers’ orders',
  description: '`GET /api/aftersales/imei/356938035643809` returns the order, name, phone and address of whoever bought the phone.',
  steps: '1. Sign in.\n2. Look up an IMEI that is not yours.',
  impact: 'Every customer’s order and address can be read.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
};

it('lets only roles that may open incidents link a report to one', () => {
  for (const role of ROLES) if (can(role, 'bounty:triage')) expect(can(role, 'incidents:write'), role).toBe(true);
});

describeEachDatabase('the bug bounty’s breach link', (database) => {
  let base: OpenContext;
  let ctx: Context;
  let staff: Staff;
  let listeners: Listeners;
  const submittedAt = new Date('2026-11-20T09:00:00Z');
  let now = submittedAt;
  let ada: string;
  let reference: string;
  let incidentId: string;

  beforeAll(async () => {
    base = await database().context({ now: () => now });
    staff = await addStaff(base);
    ctx = { ...base, config: { ...base.config, public_url: 'https://help.shop.example.com', bounty: BOUNTY } };
    listeners = await startTestListeners(ctx);
    ({ researcher_id: ada } = await signUpResearcher(ctx, { email: 'ada@research.example', password: 'quartz-lantern-harbour-93', locale: 'en-GB', address: '127.0.0.1' }));
    ({ reference } = await submitReport(ctx, ada, IMEI_LOOKUP, [], '127.0.0.1'));
  });
  afterAll(async () => {
    await listeners?.close();
    await base?.close();
  });

  const breach = (role: 'responder' | 'viewer' | 'privacy', ref: string, body: Record<string, string> = {}) =>
    asRole(listeners.staffUrl, staff, role)(`/api/bounty/reports/${ref}/breach`, { method: 'POST', body: JSON.stringify(body) });

  it('opens an incident aware from the triager’s confirmation, the report’s submission beside it, audited on both sides', async () => {
    now = new Date(submittedAt.getTime() + 5 * HOUR_MS);
    expect((await breach('viewer', reference)).status).toBe(403);
    expect((await breach('privacy', reference)).status).toBe(403);
    const response = await breach('responder', reference);
    expect(response.status).toBe(201);
    const link = await json(response);
    const confirmedAt = now.toISOString();
    expect(link).toEqual({
      report_reference: reference,
      incident_id: expect.stringMatching(/^[0-9a-z]{6}$/),
      created_incident: true,
      confirmed_at: confirmedAt,
      confirmed_by: RESPONDER,
      report_submitted_at: submittedAt.toISOString(),
      incident_aware_at: confirmedAt,
    });
    incidentId = link.incident_id;
    const incident = await getIncident(ctx, incidentId);
    expect(incident).toMatchObject({ aware_at: confirmedAt, discovered_at: submittedAt.toISOString(), title: `Personal data reachable: ${IMEI_LOOKUP.title} (bug bounty report ${reference})` });

    const trail = await auditTrail(ctx, incidentId);
    expect(trail.map((entry) => [entry.action, entry.actor])).toEqual([
      ['incident.created', RESPONDER],
      ['bounty.report_linked', RESPONDER],
    ]);
    expect(JSON.parse(trail[1].details)).toEqual({ report: reference, asset: IMEI_LOOKUP.asset, weakness: IMEI_LOOKUP.weakness, report_submitted_at: submittedAt.toISOString(), confirmed_at: confirmedAt, created_incident: true });
    expect(await verifyAudit(ctx, incidentId)).toMatchObject({ entries: 2, intact: true, break: null });

    const view = await showReport(ctx, reference);
    expect(view.breach).toEqual({ report_reference: reference, incident_id: incidentId, created_incident: true, confirmed_at: confirmedAt, confirmed_by: RESPONDER, report_submitted_at: submittedAt.toISOString() });
    expect(view.events.at(-1)).toMatchObject({ event: 'breach_linked', actor: RESPONDER, details: { incident: incidentId, created_incident: true } });

    now = new Date(now.getTime() + HOUR_MS);
    expect(await json(breach('responder', reference))).toMatchObject({ error: { code: 'BREACH_ALREADY_LINKED', message: expect.stringContaining(`linked to incident ${incidentId} already`) } });
    expect(await json(breach('responder', 'B-0000-0000-0000'))).toMatchObject({ error: { code: 'NO_SUCH_REPORT' } });
  });

  it('starts the compliance clocks at the confirmation: GDPR’s 72 hours run from it, not from the submission', async () => {
    const confirmedAt = Date.parse((await getIncident(ctx, incidentId)).aware_at);
    await importRecords(ctx, incidentId, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'] });
    await runScope(ctx, incidentId, { rulesPath: join(shop, 'scope.yml'), logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
    const assessment = await assessIncident(ctx, incidentId);
    const france = assessment.lines.find((line) => line.jurisdiction === 'FR')!;
    expect(france.authority.duty).toBe('required');
    expect((Date.parse(france.authority.clocks[0].due_at!) - confirmedAt) / HOUR_MS).toBe(72);
    expect((Date.parse(france.authority.clocks[0].due_at!) - submittedAt.getTime()) / HOUR_MS).toBe(77);
    expect(france.overdue).toBe(false);
    // 73 hours after the confirmation, on the injected clock, the deadline is missed.
    now = new Date(confirmedAt + 73 * HOUR_MS);
    expect((await assessIncident(ctx, incidentId)).lines.find((line) => line.jurisdiction === 'FR')!.overdue).toBe(true);
  });

  it('adds a report to an incident named (tocsin bounty breach --incident), whose own awareness stands; refuses closed reports', async () => {
    const earlier = await createIncident(ctx, { title: 'Order data read through the IMEI lookup', aware_at: new Date(now.getTime() - 48 * HOUR_MS).toISOString() });
    const second = (await submitReport(ctx, ada, { ...IMEI_LOOKUP, title: 'The IMEI lookup again, through the mobile API' }, [], '127.0.0.1')).reference;
    const spam = (await submitReport(ctx, ada, { ...IMEI_LOOKUP, title: 'Buy followers' }, [], '127.0.0.1')).reference;
    await triageReport(ctx, spam, { state: 'spam' });

    const run = (...args: string[]) => tocsinMain(['--config', config, '--actor', 'triager@staff.example', 'bounty', 'breach', ...args], { database: database().config });
    const added = await run(second, '--incident', earlier.id.toUpperCase());
    expect(added.status, added.stderr).toBe(0);
    expect(added.stderr).toContain(`added the report to incident ${earlier.id}: personal data reachable through ${second}, confirmed at `);
    expect(added.stdout).toMatch(new RegExp(`aware since: +${earlier.aware_at.replace(/[.]/g, '\\.')}\\n`));
    expect(added.stderr).toContain(`'tocsin assess ${earlier.id}'`);
    expect((await getIncident(ctx, earlier.id)).aware_at).toBe(earlier.aware_at);
    expect((await auditTrail(ctx, earlier.id)).map((entry) => [entry.action, entry.actor])).toEqual([
      ['incident.created', 'test'],
      ['bounty.report_linked', 'triager@staff.example'],
    ]);

    const closed = await run(spam, '--json');
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/BREACH_REPORT_CLOSED|cannot be a breach's evidence: it was closed as spam/);
    const unknown = await run(reference.replace(/.$/, (last) => (last === '0' ? '1' : '0')), '--incident', 'zzzzzz');
    expect(unknown.status).toBe(1);
    const noIncident = await run((await submitReport(ctx, ada, { ...IMEI_LOOKUP, title: 'A third' }, [], '127.0.0.1')).reference, '--incident', 'zzzzzz');
    expect(noIncident.status).toBe(1);
    expect(noIncident.stderr).toContain("no incident 'zzzzzz'");
    // Nothing was kept of the refused links.
    expect(await ctx.db.selectFrom('bounty_breach_links').select('report_reference').orderBy('report_reference').execute()).toEqual([{ report_reference: reference }, { report_reference: second }].sort((a, b) => a.report_reference.localeCompare(b.report_reference)));

    const opened = await run((await submitReport(ctx, ada, { ...IMEI_LOOKUP, title: 'A fourth' }, [], '127.0.0.1')).reference, '--json');
    expect(opened.status, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ created_incident: true, confirmed_by: 'triager@staff.example' });
  });
});
