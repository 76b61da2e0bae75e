import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addAccount } from '../src/accounts/index.ts';
import type { OpenContext } from '../src/context.ts';
import { sendCampaign } from '../src/delivery/index.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { auditTrail } from '../src/incidents/index.ts';
import { startCampaign } from '../src/jobs/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { approveNotices, buildNotices, noticeApproval } from '../src/notices/index.ts';
import { importRecords } from '../src/records/index.ts';
import { loadScopeFile, ruleColumns, runScope } from '../src/scoping/index.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, passwordOf, startTestListeners, type Staff } from './helpers/server.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-approval-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 600, logLines: 6000, seed: 3 });
});

/** The builder is a privacy officer too: only being the builder keeps them from approving. */
const BUILDER = 'privacy@staff.example';
const OFFICER = 'second-officer@staff.example';
const OFFICER_PASSWORD = 'quartz-lantern-orchard-51';

describeEachDatabase('four-eyes approval of notices', (database) => {
  let ctx: OpenContext;
  let asBuilder: OpenContext;
  let id: string;
  let staff: Staff;
  let listeners: Listeners;
  const outbox = () => join(database().config.dataDir, 'outbox');
  const send = () => sendCampaign(ctx, id, { from: 'notices@shop.example.com', transport: `file:${outbox()}` });

  beforeAll(async () => {
    ctx = await database().context();
    asBuilder = { ...ctx, actor: BUILDER };
    staff = await addStaff(ctx);
    await addAccount(ctx, { email: OFFICER, role: 'privacy', password: OFFICER_PASSWORD });
    ({ id } = await createDemoIncident(ctx));
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
    listeners = await startTestListeners(ctx);
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('has no notice set to approve before a build', async () => {
    await expect(noticeApproval(ctx, id)).rejects.toMatchObject({ code: 'NO_NOTICES', kind: 'conflict', next: { action: 'build_notices', incident_id: id } });
    await expect(approveNotices(ctx, id, { email: OFFICER, role: 'privacy' })).rejects.toMatchObject({ code: 'NO_NOTICES' });
  });

  it('records who built the notices and refuses to send them, by CLI or API, until approved', async () => {
    await buildNotices(asBuilder, id, { shopAddress: 'shop.example.com' });
    const approval = await noticeApproval(ctx, id);
    expect(approval).toMatchObject({ incident_id: id, built_by: BUILDER, approved_by: null, approved_at: null, required: true });
    const refusal = { code: 'NOTICES_NOT_APPROVED', kind: 'conflict', next: { action: 'approve_notices', incident_id: id } };
    await expect(send()).rejects.toMatchObject(refusal);
    await expect(startCampaign(ctx, id, { from: 'notices@shop.example.com' })).rejects.toMatchObject(refusal);
    const started = await asRole(listeners.staffUrl, staff, 'privacy')(`/api/incidents/${id}/campaigns`, { method: 'POST', body: JSON.stringify({ from: 'notices@shop.example.com' }) });
    expect(started.status).toBe(409);
    expect((await json(started)).error).toMatchObject({ code: refusal.code, next: refusal.next });
    const cli = await tocsinMain(['send', id, '--from', 'notices@shop.example.com', '--transport', `file:${outbox()}`], { database: database().config });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`built by ${BUILDER}`);
    expect(cli.stderr).toContain(`('tocsin notices approve ${id} --as PRIVACY_OFFICER_EMAIL')`);
    expect(readdirSync(database().config.dataDir)).not.toContain('outbox');
  });

  it('refuses the approval of the account that built them, and of any role but privacy', async () => {
    await expect(approveNotices(ctx, id, { email: BUILDER.toUpperCase(), role: 'privacy' })).rejects.toMatchObject({ code: 'APPROVER_IS_BUILDER', kind: 'forbidden' });
    for (const role of ['admin', 'responder', 'viewer'] as const) {
      await expect(approveNotices(ctx, id, { email: `${role}@staff.example`, role })).rejects.toMatchObject({ code: 'APPROVER_NOT_PRIVACY', kind: 'forbidden' });
    }
    // Through the API: the builder's own session, an admin (no privacy role), and an API token (no person) are all refused.
    const approve = (cookie: string) => fetch(`${listeners.staffUrl}/api/incidents/${id}/notices/approve`, { method: 'POST', headers: { cookie } });
    expect((await json(approve(await signIn(BUILDER, passwordOf('privacy'))))).error).toMatchObject({ code: 'APPROVER_IS_BUILDER' });
    expect((await approve(await signIn('admin@staff.example', passwordOf('admin')))).status).toBe(403);
    const byToken = await asRole(listeners.staffUrl, staff, 'privacy')(`/api/incidents/${id}/notices/approve`, { method: 'POST' });
    expect(byToken.status).toBe(400);
    expect((await json(byToken)).error).toMatchObject({ code: 'APPROVE_AS_PERSON' });
    expect(await noticeApproval(ctx, id)).toMatchObject({ approved_by: null });
    // A wrong password approves nothing from the command line either.
    const wrong = await tocsinMain(['notices', 'approve', id, '--as', OFFICER, '--password-stdin'], { database: database().config, input: 'not-the-password\n' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('the email or password is wrong');
    expect(await noticeApproval(ctx, id)).toMatchObject({ approved_by: null });
  });

  it('takes another privacy officer’s approval of the build they reviewed, in the audit trail, and then sends', async () => {
    const { built_at } = await noticeApproval(ctx, id);
    const cookie = await signIn(OFFICER, OFFICER_PASSWORD);
    const stale = await fetch(`${listeners.staffUrl}/api/incidents/${id}/notices/approve`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ built_at: '2019-01-01T00:00:00.000Z' }) });
    expect(stale.status).toBe(409);
    expect((await json(stale)).error).toMatchObject({ code: 'NOTICES_REBUILT' });
    const approved = await fetch(`${listeners.staffUrl}/api/incidents/${id}/notices/approve`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ built_at }) });
    expect(approved.status).toBe(200);
    expect(await json(approved)).toMatchObject({ built_by: BUILDER, built_at, approved_by: OFFICER, required: true });
    const view = await json(asRole(listeners.staffUrl, staff, 'viewer')(`/api/incidents/${id}/notices/approval`));
    expect(view).toMatchObject({ built_by: BUILDER, approved_by: OFFICER, approved_at: expect.any(String) });
    const pipeline = await json(asRole(listeners.staffUrl, staff, 'viewer')(`/api/incidents/${id}/pipeline`));
    expect(pipeline.stages).toContainEqual({ stage: 'approved', state: 'done' });

    const trail = await auditTrail(ctx, id);
    expect(trail.find((entry) => entry.action === 'notices.built')).toMatchObject({ actor: BUILDER });
    const approvedEntry = trail.find((entry) => entry.action === 'notices.approved');
    expect(approvedEntry?.actor).toBe(OFFICER);
    expect(JSON.parse(approvedEntry!.details)).toEqual({ built_by: BUILDER, built_at });

    const summary = await send();
    expect(summary.completed).toBe(true);
    const started = (await auditTrail(ctx, id)).find((entry) => entry.action === 'delivery.started');
    expect(JSON.parse(started!.details)).toMatchObject({ approved_by: OFFICER, approval_required: true });
  });

  it('clears the approval when the notices are built again; the command line approves as a person whose password confirms it', async () => {
    await buildNotices(asBuilder, id, { shopAddress: 'shop.example.com' });
    expect(await noticeApproval(ctx, id)).toMatchObject({ built_by: BUILDER, approved_by: null, approved_at: null });
    await expect(send()).rejects.toMatchObject({ code: 'NOTICES_NOT_APPROVED' });
    const pipeline = await json(asRole(listeners.staffUrl, staff, 'viewer')(`/api/incidents/${id}/pipeline`));
    expect(pipeline.stages).toContainEqual({ stage: 'approved', state: 'next' });

    const approved = await tocsinMain(['notices', 'approve', id, '--as', OFFICER, '--password-stdin', '--json'], { database: database().config, input: `${OFFICER_PASSWORD}\n` });
    expect(approved.status, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ incident_id: id, built_by: BUILDER, approved_by: OFFICER });
    const shown = await tocsinMain(['notices', 'approval', id], { database: database().config });
    expect(shown.stdout).toMatch(new RegExp(`approved by: +${OFFICER.replace('.', '\\.')} at `));
    expect((await auditTrail(ctx, id)).filter((entry) => entry.action === 'notices.approved')).toHaveLength(2);
    // Approving an approved set again changes nothing.
    await approveNotices(ctx, id, { email: OFFICER, role: 'privacy' });
    expect((await auditTrail(ctx, id)).filter((entry) => entry.action === 'notices.approved')).toHaveLength(2);
    await expect(send()).resolves.toMatchObject({ completed: true });
  });

  it('sends unapproved notices only where the configuration waives the rule, and says so in the audit trail', async () => {
    await buildNotices(asBuilder, id, { shopAddress: 'shop.example.com' });
    const waived = { ...ctx, config: { ...ctx.config, notices: { require_approval: false } } };
    expect(await noticeApproval(waived, id)).toMatchObject({ approved_by: null, required: false });
    await sendCampaign(waived, id, { from: 'notices@shop.example.com', transport: `file:${outbox()}` });
    const started = (await auditTrail(ctx, id)).filter((entry) => entry.action === 'delivery.started').at(-1);
    expect(JSON.parse(started!.details)).toMatchObject({ approved_by: null, approval_required: false });
  });

  async function signIn(email: string, password: string): Promise<string> {
    const response = await fetch(`${listeners.staffUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    expect(response.status, await response.clone().text()).toBe(200);
    return response.headers.get('set-cookie')!.split(';')[0];
  }
});
