import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as accounts from '../src/accounts/index.ts';
import { WRITABLE_SECTIONS } from '../src/compliance/index.ts';
import type { OpenContext } from '../src/context.ts';
import { auditTrail } from '../src/incidents/index.ts';
import { startJobRunner, type JobRunner } from '../src/jobs/index.ts';
import { recipientAddress } from '../src/mail/recipient.ts';
import { listQuarantine, quarantineView } from '../src/records/index.ts';
import { runScope } from '../src/scoping/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop, dsn, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const MISSING_UUID = '00000000-0000-4000-8000-000000000000';
const NEW_PASSWORD = 'quartz-lantern-sonnet-4Kx9';

/** Polls a job over the API until `done` says so; no deadline of its own (the test's timeout is the limit). */
async function jobUntil(as: ReturnType<typeof asRole>, id: string, done: (job: any) => boolean): Promise<any> {
  for (;;) {
    const job = await json(as(`/api/jobs/${id}`));
    if (done(job)) return job;
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) throw new Error(`job ${id} ended before the awaited state: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('what the CLI does, over the API', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let staff: Staff;
  let smtp: TestSmtpServer;
  let runner: JobRunner | undefined;
  let id: string;
  let notices: number;
  let dir: string;
  let shop: string;
  let importDir: string;
  let admin: ReturnType<typeof asRole>;
  let responder: ReturnType<typeof asRole>;
  let privacy: ReturnType<typeof asRole>;
  let viewer: ReturnType<typeof asRole>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-parity-'));
    shop = join(dir, 'shop');
    importDir = join(dir, 'imports');
    mkdirSync(importDir);
    ctx = await database().context();
    // Imported, scoped once, notices built: what a campaign starts from (about 75 notices).
    id = await campaignOfDemoShop(ctx, shop, 1000);
    notices = Number((await ctx.db.selectFrom('notices').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow()).n);
    ctx.config = { ...ctx.config, import_dirs: [importDir] };
    smtp = await startSmtpServer();
    staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
    [admin, responder, privacy, viewer] = (['admin', 'responder', 'privacy', 'viewer'] as const).map((role) => asRole(listeners.staffUrl, staff, role));
  });
  afterAll(async () => {
    await runner?.stop();
    await listeners?.close();
    await smtp?.close();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents every new route in the OpenAPI document', async () => {
    const paths = Object.keys((await json(fetch(`${listeners.staffUrl}/api/openapi.json`))).paths);
    for (const path of [
      '/api/incidents/{id}/scope-runs',
      '/api/incidents/{id}/campaigns',
      '/api/incidents/{id}/campaigns/pause',
      '/api/incidents/{id}/campaigns/resume',
      '/api/incidents/{id}/bounces',
      '/api/incidents/{id}/templates/init',
      '/api/incidents/{id}/purge',
      '/api/users',
      '/api/users/{id}',
      '/api/users/{id}/reset',
      '/api/tokens',
      '/api/tokens/{id}',
      '/api/security-log',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('lists the scope runs, newest first, for anyone who may read the incident', async () => {
    const first = await json(viewer(`/api/incidents/${id}/scope-runs`));
    expect(first.items).toHaveLength(1);
    const [run1] = first.items;
    expect(run1).toMatchObject({ run: 1, logs: 3, purged_requests: 0, purged_at: [], quarantined_rows: 0, log_format: 'combined', rules_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(run1.affected).toBe(notices);
    expect(run1.attacker_requests).toBeGreaterThan(0);
    expect(run1).not.toHaveProperty('rules');

    await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: [join(shop, 'access.log')] });
    const second = await json(viewer(`/api/incidents/${id}/scope-runs`));
    expect(second.items.map((run: { run: number }) => run.run)).toEqual([2, 1]);
    expect(second.items[0]).toMatchObject({ logs: 1, rules_sha256: run1.rules_sha256 });
    expect(second.items[1]).toEqual(run1);

    expect(await json(viewer(`/api/incidents/${id}/quarantine`))).toEqual({ items: JSON.parse(JSON.stringify(quarantineView(await listQuarantine(ctx, id)))) });
    expect((await viewer('/api/incidents/nosuch/quarantine')).status).toBe(404);

    const unknown = await viewer('/api/incidents/nosuch/scope-runs');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.code).toBe('INCIDENT_NOT_FOUND');
    expect((await viewer('/api/incidents/..%2f..%2fetc/scope-runs')).status).toBe(400);
  });

  it('starts, refuses a second, pauses and resumes a campaign: every person sent exactly once across the pause', async () => {
    const before = await json(viewer(`/api/incidents/${id}/campaigns`));
    expect(before.job).toBeNull();
    expect(before.delivery).toMatchObject({ incident_id: id, total: notices, done: 0, states: { queued: notices, sent: 0 } });

    expect((await viewer(`/api/incidents/${id}/campaigns`, { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await responder(`/api/incidents/${id}/campaigns`, { method: 'POST', body: '{}' })).status).toBe(403);
    for (const [path, code] of [
      ['pause', 'NO_CAMPAIGN_RUNNING'],
      ['resume', 'NO_CAMPAIGN'],
    ]) {
      const refused = await privacy(`/api/incidents/${id}/campaigns/${path}`, { method: 'POST' });
      expect(refused.status, path).toBe(409);
      expect((await json(refused)).error.code).toBe(code);
    }
    const badParams: [unknown, number, string][] = [
      [{ transport: `file:${dir}` }, 403, 'JOB_TRANSPORT_FILE'],
      [{ transport: 'smtp://u:secret@127.0.0.1:25' }, 400, 'JOB_TRANSPORT_PASSWORD'],
      [{ dkim: { key_file: '/etc/shadow' } }, 400, 'INVALID_REQUEST'],
      [{ rate: -1 }, 400, 'INVALID_REQUEST'],
    ];
    for (const [body, status, code] of badParams) {
      const refused = await privacy(`/api/incidents/${id}/campaigns`, { method: 'POST', body: JSON.stringify(body) });
      expect(refused.status, JSON.stringify(body)).toBe(status);
      expect((await json(refused)).error.code).toBe(code);
    }
    expect((await privacy('/api/incidents/nosuch/campaigns', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await privacy('/api/incidents/nosuch/campaigns', { method: 'POST' })).status).toBe(404);

    // Slow enough that the pause lands in the middle, even on a loaded machine.
    const params = { from: 'Example Phone Shop <notices@shop.example.com>', transport: `smtp://127.0.0.1:${smtp.port}`, rate: 8 };
    // Several at once: the incident's lock lets one in and refuses the others.
    const starts = await Promise.all(Array.from({ length: 6 }, () => privacy(`/api/incidents/${id}/campaigns`, { method: 'POST', body: JSON.stringify(params) })));
    expect(starts.map((response) => response.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
    const started = starts.find((response) => response.status === 202)!;
    const again = starts.find((response) => response.status === 409)!;
    const first = await json(started);
    expect(first).toMatchObject({ kind: 'campaign', incident_id: id, state: 'queued', actor: 'token:privacy script' });
    expect((await json(again)).error).toMatchObject({ code: 'CAMPAIGN_ACTIVE', next: { action: 'list_jobs' } });
    expect((await privacy(`/api/incidents/${id}/campaigns`, { method: 'POST', body: JSON.stringify(params) })).status).toBe(409);
    expect((await json(privacy(`/api/incidents/${id}/jobs?state=queued`))).items).toHaveLength(1);
    expect((await privacy(`/api/incidents/${id}/campaigns/resume`, { method: 'POST' })).status).toBe(409);

    runner = startJobRunner(ctx, { pollMs: 100 });
    await jobUntil(privacy, first.id, (job) => (job.progress?.done ?? 0) >= 3);
    const paused = await privacy(`/api/incidents/${id}/campaigns/pause`, { method: 'POST' });
    expect(paused.status).toBe(200);
    expect(await json(paused)).toMatchObject({ id: first.id });
    const stopped = await jobUntil(privacy, first.id, (job) => job.state === 'cancelled');
    expect(stopped.result).toBeNull();
    const sentThen = smtp.received.length;
    expect(sentThen).toBeGreaterThanOrEqual(3);
    expect(sentThen).toBeLessThan(notices);
    const between = await json(viewer(`/api/incidents/${id}/campaigns`));
    expect(between.job).toMatchObject({ id: first.id, state: 'cancelled' });
    expect(between.delivery.states.sent).toBe(sentThen);
    expect((await privacy(`/api/incidents/${id}/campaigns/pause`, { method: 'POST' })).status).toBe(409);

    const resumed = await privacy(`/api/incidents/${id}/campaigns/resume`, { method: 'POST' });
    expect(resumed.status).toBe(202);
    const second = await json(resumed);
    expect(second).toMatchObject({ kind: 'campaign', state: 'queued' });
    expect(second.id).not.toBe(first.id);
    const done = await jobUntil(privacy, second.id, (job) => job.state === 'succeeded');
    // The same parameters: the same sender and transport, and only those not sent before.
    expect(done.result).toMatchObject({ completed: true, from: 'notices@shop.example.com', transport: `smtp://127.0.0.1:${smtp.port}`, run: { sent: notices - sentThen, taken_over: 0 } });

    const recipients = smtp.received.map((message) => message.to);
    expect(recipients).toHaveLength(notices);
    expect(new Set(recipients).size).toBe(notices);
    const addresses = await ctx.db.selectFrom('notices').select('email').where('incident_id', '=', id).execute();
    expect([...recipients].sort()).toEqual(addresses.map((row) => recipientAddress(row.email)!).sort());
    const after = await json(viewer(`/api/incidents/${id}/campaigns`));
    expect(after).toMatchObject({ job: { id: second.id, state: 'succeeded' }, delivery: { total: notices, done: notices, states: { sent: notices, queued: 0 } } });
  });

  it('marks notices bounced from reports uploaded or inside import_dirs, and refuses any other file', async () => {
    const sent = await ctx.db.selectFrom('notices').select(['subject', 'email', 'message_id']).where('incident_id', '=', id).where('state', '=', 'sent').orderBy('seq').limit(2).execute();
    expect(sent).toHaveLength(2);
    writeFileSync(join(importDir, 'bounce.eml'), dsn({ recipient: sent[0].email, status: '5.1.1', diagnostic: '550 5.1.1 User unknown', messageId: sent[0].message_id!, returned: 'headers' }));
    const outside = join(dir, 'outside.eml');
    writeFileSync(outside, dsn({ recipient: sent[1].email, status: '5.1.1', diagnostic: '550 5.1.1 User unknown', returned: 'none' }));
    symlinkSync(outside, join(importDir, 'link.eml'));
    mkdirSync(join(importDir, 'folder'));

    const bounces = (as: ReturnType<typeof asRole>, files: unknown, incident = id) => as(`/api/incidents/${incident}/bounces`, { method: 'POST', body: JSON.stringify({ files }) });
    const refusals: [unknown, number, string][] = [
      [['../outside.eml'], 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [[outside], 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [['link.eml'], 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [['/etc/passwd'], 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [['bounce.eml', 'folder/../../outside.eml'], 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [['folder'], 400, 'JOB_FILE_NOT_A_FILE'],
      [['nothing.eml'], 400, 'JOB_FILE_NOT_FOUND'],
      [[MISSING_UUID], 404, 'UPLOAD_NOT_FOUND'],
      [[], 400, 'INVALID_REQUEST'],
      ['bounce.eml', 400, 'INVALID_REQUEST'],
      [['bounce.eml\u0000'], 400, ''],
    ];
    for (const [files, status, code] of refusals) {
      const response = await bounces(privacy, files);
      expect(response.status, JSON.stringify(files)).toBe(status);
      const body = await json(response);
      if (code) expect(body.error.code, JSON.stringify(files)).toBe(code);
      expect(JSON.stringify(body)).not.toContain(' at ');
    }
    const bouncedNow = async () => (await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', id).where('state', '=', 'bounced').execute()).map((row) => row.subject);
    expect(await bouncedNow()).toEqual([]);
    expect((await bounces(viewer, ['bounce.eml'])).status).toBe(403);
    expect((await bounces(responder, ['bounce.eml'])).status).toBe(403);
    expect((await bounces(privacy, ['bounce.eml'], 'nosuch')).status).toBe(404);

    const imported = await bounces(privacy, ['bounce.eml']);
    expect(imported.status).toBe(200);
    expect(await json(imported)).toMatchObject({ bounced: 1, already_bounced: 0, delayed: 0, not_reports: 0, unmatched: [], files: [{ path: join(importDir, 'bounce.eml'), messages: 1, reports: 1 }] });
    expect(await bouncedNow()).toEqual([sent[0].subject]);

    // The second report, uploaded to the server by the privacy officer (uploads:write), named by its upload id.
    const form = new FormData();
    form.append('file', new Blob([dsn({ recipient: sent[1].email, status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full', returned: 'none' })]), 'late.eml');
    const uploadAs = (role: 'privacy' | 'viewer') => fetch(`${listeners.staffUrl}/api/incidents/${id}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${staff.tokens[role]}` }, body: form });
    expect((await uploadAs('viewer')).status).toBe(403);
    const upload = await json(uploadAs('privacy'));
    const both = await json(bounces(privacy, ['bounce.eml', upload.upload_id]));
    expect(both).toMatchObject({ bounced: 1, already_bounced: 1 });
    expect((await bouncedNow()).sort()).toEqual([sent[0].subject, sent[1].subject].sort());
    const unreached = await json(privacy(`/api/incidents/${id}/delivery/unreached`));
    expect(unreached.items.map((person: { email: string }) => person.email).sort()).toEqual([sent[0].email, sent[1].email].sort());
    expect(unreached.items[0]).toMatchObject({ state: 'bounced', postal_address: expect.any(String), last_reply: expect.stringContaining('bounce report') });
    expect((await viewer(`/api/incidents/${id}/delivery/unreached`)).status).toBe(403);
    expect((await auditTrail(ctx, id)).filter((entry) => entry.action === 'delivery.bounces').map((entry) => entry.actor)).toEqual(['token:privacy script', 'token:privacy script']);
  });

  // After the campaign: copies in the incident's directory change the templates' fingerprint, and sending refuses notices built from others.
  it('copies the templates for editing, once, recording who did it', async () => {
    expect((await viewer(`/api/incidents/${id}/templates/init`, { method: 'POST' })).status).toBe(403);
    expect((await responder(`/api/incidents/${id}/templates/init`, { method: 'POST' })).status).toBe(403);
    const copied = await privacy(`/api/incidents/${id}/templates/init`, { method: 'POST' });
    expect(copied.status).toBe(200);
    const body = await json(copied);
    expect(Object.keys(body).sort()).toEqual(['copied', 'dir']);
    expect(body.copied).toBeGreaterThan(0);
    expect(body.dir.startsWith(database().config.dataDir)).toBe(true);
    expect(readdirSync(body.dir, { recursive: true }).length).toBeGreaterThanOrEqual(body.copied);
    expect(await json(privacy(`/api/incidents/${id}/templates/init`, { method: 'POST' }))).toEqual({ dir: body.dir, copied: 0 });
    const entries = (await auditTrail(ctx, id)).filter((entry) => entry.action === 'templates.initialized');
    expect(entries.map((entry) => [entry.actor, JSON.parse(entry.details).copied])).toEqual([['token:privacy script', body.copied]]);
    expect((await privacy('/api/incidents/nosuch/templates/init', { method: 'POST' })).status).toBe(404);
  });

  it('shows who a purge would delete, changing nothing, then purges those people', async () => {
    const records = async () => Number((await ctx.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow()).n);
    const all = await records();
    expect((await privacy(`/api/incidents/${id}/purge`)).status).toBe(403);
    expect((await viewer(`/api/incidents/${id}/purge`)).status).toBe(403);
    const plan = await json(responder(`/api/incidents/${id}/purge`));
    expect(plan).toMatchObject({ run: 2, kept_with_notice: expect.any(Number) });
    expect(plan.subjects).toBe(plan.people.length);
    expect(plan.records).toBe(plan.people.reduce((sum: number, person: { records: number }) => sum + person.records, 0));
    expect(plan.subjects).toBeGreaterThan(0);
    expect(await records()).toBe(all);

    for (const body of [{}, { unaffected: false }, { unaffected: 'yes' }, { unaffected: true, all: true }]) {
      const refused = await responder(`/api/incidents/${id}/purge`, { method: 'POST', body: JSON.stringify(body) });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect((await responder(`/api/incidents/${id}/purge`, { method: 'POST' })).status).toBe(400);
    expect(await records()).toBe(all);
    expect((await privacy(`/api/incidents/${id}/purge`, { method: 'POST', body: JSON.stringify({ unaffected: true }) })).status).toBe(403);

    const purged = await json(responder(`/api/incidents/${id}/purge`, { method: 'POST', body: JSON.stringify({ unaffected: true }) }));
    expect(purged).toMatchObject({ run: 2, purge: 1, records: plan.records, subjects: plan.subjects, kept_with_notice: plan.kept_with_notice, reclaimed: expect.any(Boolean) });
    expect(await records()).toBe(all - plan.records);
    expect(await json(responder(`/api/incidents/${id}/purge`))).toMatchObject({ subjects: 0, records: 0, people: [] });
    expect((await responder('/api/incidents/nosuch/purge')).status).toBe(404);
  });

  it('writes, lists and clears the report sections a person writes, in one language', async () => {
    const listed = async (query: string) => json(viewer(`/api/incidents/${id}/report-sections?${query}`));
    const consequences = (status: { sections: { section: string }[] }) => status.sections.find((row) => row.section === 'consequences');
    const before = await listed('jurisdiction=fr');
    expect(before).toMatchObject({ locale: 'fr', jurisdiction: 'FR' });
    expect(before.sections.map((row: { section: string }) => row.section)).toEqual([...WRITABLE_SECTIONS]);
    expect(consequences(before)).toEqual({ section: 'consequences', written: false, text: null, updated_at: null, updated_by: null, missing: true });
    expect(before.missing).toContain('consequences');
    expect(await listed('locale=en')).toMatchObject({ locale: 'en', jurisdiction: null, missing: null });

    const put = (as: ReturnType<typeof asRole>, section: string, body: unknown) => as(`/api/incidents/${id}/report-sections/${section}`, { method: 'PUT', body: JSON.stringify(body) });
    const text = 'Des appels et courriels frauduleux au nom de la boutique.\n\nAucune perte financière connue.';
    expect((await put(viewer, 'consequences', { locale: 'fr', text })).status).toBe(403);
    expect((await put(responder, 'consequences', { locale: 'fr', text })).status).toBe(403);
    const refusals: [string, unknown, string][] = [
      ['consequences', { locale: 'fr', text: 'ok\n\u001b]0;pwned\u0007\n' }, 'BAD_SECTION_TEXT'],
      ['consequences', { locale: 'fr', text: '   \n ' }, 'BAD_SECTION_TEXT'],
      ['records', { locale: 'fr', text }, 'INVALID_REQUEST'],
      ['consequences', { text }, 'INVALID_REQUEST'],
      ['consequences', { locale: 'fr', text, author: 'me' }, 'INVALID_REQUEST'],
    ];
    for (const [section, body, code] of refusals) {
      const refused = await put(privacy, section, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect((await json(refused)).error.code, JSON.stringify(body)).toBe(code);
    }
    expect(consequences(await listed('jurisdiction=FR'))).toMatchObject({ written: false });

    expect(await json(put(privacy, 'consequences', { locale: 'fr', text }))).toEqual({ section: 'consequences', locale: 'fr', replaced: false });
    expect(await json(put(privacy, 'consequences', { locale: 'fr', text: `${text}\n\nMis à jour.` }))).toEqual({ section: 'consequences', locale: 'fr', replaced: true });
    const after = await listed('jurisdiction=FR');
    expect(consequences(after)).toMatchObject({ written: true, text: `${text}\n\nMis à jour.`, updated_by: 'token:privacy script', missing: false });
    expect(after.missing).not.toContain('consequences');
    expect(await (await viewer(`/api/incidents/${id}/reports/FR?format=md`)).text()).toContain('Aucune perte financière connue.');

    const clear = (query: string) => privacy(`/api/incidents/${id}/report-sections/consequences${query}`, { method: 'DELETE' });
    expect((await clear('')).status).toBe(400);
    expect((await clear('?locale=fr')).status).toBe(204);
    const again = await clear('?locale=fr');
    expect(again.status).toBe(400);
    expect((await json(again)).error.code).toBe('NO_REPORT_SECTION');
    expect(consequences(await listed('jurisdiction=FR'))).toMatchObject({ written: false, missing: true });

    const noLanguage = await viewer(`/api/incidents/${id}/report-sections`);
    expect(noLanguage.status).toBe(400);
    expect((await json(noLanguage)).error.code).toBe('NO_REPORT_LOCALE');
    expect((await viewer(`/api/incidents/${id}/report-sections?jurisdiction=XX`)).status).toBe(400);
    expect((await viewer('/api/incidents/nosuch/report-sections?locale=fr')).status).toBe(404);
  });

  it('lets an admin add accounts with a one-time link, change roles, disable, reset, but never lose the last enabled admin', async () => {
    for (const as of [responder, privacy, viewer]) {
      expect((await as('/api/users')).status).toBe(403);
      expect((await as('/api/users', { method: 'POST', body: JSON.stringify({ email: 'x@staff.example', role: 'admin' }) })).status).toBe(403);
    }
    const listed = await json(admin('/api/users'));
    expect(listed.items.map((account: { email: string }) => account.email).sort()).toEqual(['admin@staff.example', 'privacy@staff.example', 'responder@staff.example', 'viewer@staff.example']);
    expect(JSON.stringify(listed)).not.toMatch(/password_hash|totp_secret|argon2/);

    const refusals: [unknown, number, string][] = [
      [{ email: 'ana@staff.example', role: 'admin', password: 'glacier-violin-marmalade-99' }, 400, 'INVALID_REQUEST'],
      [{ email: 'ana@staff.example', role: 'root' }, 400, 'INVALID_REQUEST'],
      [{ email: 'not an address', role: 'viewer' }, 400, 'BAD_EMAIL'],
      [{ email: 'ana@staff.example', role: 'viewer', console_url: 'javascript:alert(1)' }, 400, 'BAD_CONSOLE_URL'],
      [{ email: 'viewer@staff.example', role: 'viewer' }, 409, 'ACCOUNT_EXISTS'],
    ];
    for (const [body, status, code] of refusals) {
      const response = await admin('/api/users', { method: 'POST', body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect((await json(response)).error.code).toBe(code);
    }
    expect((await accounts.listAccounts(ctx)).some((account) => account.email === 'ana@staff.example')).toBe(false);

    const added = await admin('/api/users', { method: 'POST', body: JSON.stringify({ email: 'Ana@Staff.example', role: 'viewer' }) });
    expect(added.status).toBe(201);
    const { account: ana, set_password_link } = await json(added);
    expect(ana).toMatchObject({ email: 'ana@staff.example', role: 'viewer', disabled: false, has_password: false });
    expect(set_password_link).toMatch(new RegExp(`^${listeners.staffUrl}/set-password#[\\w-]{40,}$`));
    const password = NEW_PASSWORD;
    await accounts.setPasswordWithLink(ctx, set_password_link.split('#')[1], password, '192.0.2.1');
    const signIn = () => fetch(`${listeners.staffUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@staff.example', password }) });
    expect((await signIn()).status).toBe(200);

    const elsewhere = await json(admin('/api/users', { method: 'POST', body: JSON.stringify({ email: 'bo@staff.example', role: 'privacy', console_url: 'https://tocsin.shop.example/staff/' }) }));
    expect(elsewhere.set_password_link).toMatch(/^https:\/\/tocsin\.shop\.example\/staff\/set-password#[\w-]+$/);

    const patch = (accountId: string, body: unknown) => admin(`/api/users/${accountId}`, { method: 'PATCH', body: JSON.stringify(body) });
    expect((await patch(ana.id, {})).status).toBe(400);
    expect((await patch(ana.id, { role: 'root' })).status).toBe(400);
    expect((await patch(ana.id, { disabled: 'yes' })).status).toBe(400);
    expect((await patch('../../etc', { disabled: true })).status).toBe(404);
    expect((await patch('abc', { disabled: true })).status).toBe(400);
    const missing = await patch(MISSING_UUID, { disabled: true });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error).toMatchObject({ code: 'NO_SUCH_ACCOUNT', next: { action: 'list_accounts' } });
    expect((await responder(`/api/users/${ana.id}`, { method: 'PATCH', body: JSON.stringify({ role: 'admin' }) })).status).toBe(403);

    expect(await json(patch(ana.id, { role: 'responder' }))).toMatchObject({ id: ana.id, role: 'responder' });
    expect((await signIn()).status).toBe(200);
    expect(await json(patch(ana.id, { disabled: true }))).toMatchObject({ role: 'responder', disabled: true });
    expect((await signIn()).status).toBe(401);
    expect(await json(patch(ana.id, { disabled: false, role: 'admin' }))).toMatchObject({ role: 'admin', disabled: false });

    // admin@staff.example and ana are the enabled admins (tokens are no accounts): one may go, not both.
    const original = listed.items.find((account: { email: string }) => account.email === 'admin@staff.example');
    expect(await json(patch(original.id, { disabled: true }))).toMatchObject({ disabled: true });
    for (const body of [{ disabled: true }, { role: 'viewer' }, { role: 'privacy', disabled: true }]) {
      const refused = await patch(ana.id, body);
      expect(refused.status, JSON.stringify(body)).toBe(409);
      expect((await json(refused)).error.code).toBe('LAST_ADMIN');
    }
    expect(await accounts.getAccount(ctx, ana.id)).toMatchObject({ role: 'admin', disabled: false });
    // Demoting or enabling a disabled admin takes no enabled admin away.
    expect(await json(patch(original.id, { disabled: false }))).toMatchObject({ role: 'admin', disabled: false });

    // An installation left with no enabled admin account (tokens are none): enabling one needs no other.
    await ctx.db.updateTable('accounts').set({ disabled_at: new Date().toISOString() }).where('role', '=', 'admin').execute();
    expect(await json(patch(ana.id, { disabled: false }))).toMatchObject({ role: 'admin', disabled: false });
    expect(await json(patch(original.id, { disabled: false }))).toMatchObject({ role: 'admin', disabled: false });

    const reset = await admin(`/api/users/${ana.id}/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    const afterReset = await json(reset);
    expect(afterReset.account).toMatchObject({ id: ana.id, has_password: false });
    expect(afterReset.set_password_link).toMatch(/\/set-password#[\w-]+$/);
    expect((await signIn()).status).toBe(401);
    expect((await admin(`/api/users/${ana.id}/reset`, { method: 'POST', body: JSON.stringify({ password: 'x' }) })).status).toBe(400);
    expect((await admin(`/api/users/${MISSING_UUID}/reset`, { method: 'POST' })).status).toBe(404);
    expect(await json(admin(`/api/users/${ana.id}/remove-2fa`, { method: 'POST' }))).toMatchObject({ id: ana.id, two_factor: [] });

    expect((await responder('/api/settings/require-2fa', { method: 'PUT', body: JSON.stringify({ required: true }) })).status).toBe(403);
    expect((await json(admin('/api/users'))).require_2fa).toBe(false);
    expect(await json(admin('/api/settings/require-2fa', { method: 'PUT', body: JSON.stringify({ required: true }) }))).toMatchObject({ required: true, must_enrol: expect.any(Number) });
    expect((await json(admin('/api/users'))).require_2fa).toBe(true);
    expect(await accounts.twoFactorRequired(ctx.db)).toBe(true);
    expect(await json(admin('/api/settings/require-2fa', { method: 'PUT', body: JSON.stringify({ required: false }) }))).toEqual({ required: false, must_enrol: 0 });

    const log = await accounts.securityLog(ctx, { limit: 1000 });
    const byAdmin = log.filter((entry) => entry.actor === 'token:admin script' && entry.account_id === ana.id).map((entry) => [entry.event, entry.details]);
    expect(byAdmin).toEqual([
      ['account_created', { role: 'viewer' }],
      ['role_changed', { from: 'viewer', to: 'responder' }],
      ['account_disabled', expect.objectContaining({ sessions_ended: 1 })],
      ['role_changed', { from: 'responder', to: 'admin' }],
      ['account_enabled', {}],
      ['account_enabled', {}],
      ['password_reset', { sessions_ended: 0 }],
    ]);
  });

  it('creates a token shown once, lists it without it, and revokes it', async () => {
    expect((await responder('/api/tokens')).status).toBe(403);
    expect((await admin('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'ci\u001b[31m', role: 'viewer' }) })).status).toBe(400);
    expect((await admin('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'ci', role: 'owner' }) })).status).toBe(400);
    const created = await admin('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'nightly check', role: 'viewer' }) });
    expect(created.status).toBe(201);
    const { token, api_token } = await json(created);
    expect(token).toMatch(/^tocsin_[\w-]{43}$/);
    expect(api_token).toMatchObject({ name: 'nightly check', role: 'viewer', created_by: 'token:admin script', revoked_at: null });
    const read = () => fetch(`${listeners.staffUrl}/api/incidents`, { headers: { authorization: `Bearer ${token}` } });
    expect((await read()).status).toBe(200);

    const list = await admin('/api/tokens');
    const text = await list.text();
    expect(text).not.toContain(token);
    expect(text).not.toContain('token_hash');
    expect(JSON.parse(text).items.find((item: { id: string }) => item.id === api_token.id)).toMatchObject({ name: 'nightly check', last_used_at: expect.any(String) });

    expect((await admin('/api/tokens/nightly%20check', { method: 'DELETE' })).status).toBe(400);
    const revoked = await admin(`/api/tokens/${api_token.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect((await json(revoked)).revoked_at).toEqual(expect.any(String));
    expect((await read()).status).toBe(401);
    expect((await admin(`/api/tokens/${api_token.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('pages back through the security log, for those who may read it', async () => {
    for (const as of [responder, privacy, viewer]) expect((await as('/api/security-log')).status).toBe(403);
    const everything = await accounts.securityLog(ctx, { limit: 1000 });
    const newest = await json(admin('/api/security-log?limit=3'));
    expect(newest.items.map((entry: { id: number }) => entry.id)).toEqual(everything.slice(-3).map((entry) => entry.id));
    expect(newest.next_before).toBe(newest.items[0].id);
    const older = await json(admin(`/api/security-log?limit=3&before=${newest.next_before}`));
    expect(older.items.map((entry: { id: number }) => entry.id)).toEqual(everything.slice(-6, -3).map((entry) => entry.id));
    const whole = await json(admin('/api/security-log?limit=1000'));
    expect(whole).toEqual({ items: JSON.parse(JSON.stringify(everything)), next_before: null });
    expect(whole.items.map((entry: { event: string }) => entry.event)).toEqual(expect.arrayContaining(['account_created', 'role_changed', 'account_disabled', 'token_created', 'token_revoked']));
    expect(JSON.stringify(whole)).not.toContain(NEW_PASSWORD);

    const since = everything.at(-2)!.at;
    const recent = await json(admin(`/api/security-log?since=${encodeURIComponent(since)}`));
    expect(recent.items.every((entry: { at: string }) => entry.at >= since)).toBe(true);
    for (const query of ['since=yesterday', 'limit=0', 'limit=1001', 'before=x', 'actor=me']) {
      const refused = await admin(`/api/security-log?${query}`);
      expect(refused.status, query).toBe(400);
    }
  });
});
