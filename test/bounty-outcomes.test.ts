import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { signUpResearcher } from '../src/accounts/index.ts';
import {
  awardReport,
  keepBountyRunning,
  programmeMetrics,
  publishDueDisclosures,
  reportSla,
  sendBountyMails,
  submitReport,
  triageReport,
  warnSlaTargets,
  type ReportFields,
} from '../src/bounty/index.ts';
import type { Context, OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const PASSWORD = 'quartz-lantern-harbour-93';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const FIELDS: ReportFields = {
  asset: 'api.shop.example.com',
  weakness: 'CWE-639',
  title: 'Order lookup by IMEI reads other orders',
  description: 'SECRET-RESEARCHER-WORDS: any order is readable with `GET /api/aftersales/imei/1`.',
  steps: '1. `GET /api/aftersales/imei/1`',
  impact: 'Names, phones and addresses of every customer.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
};

const dir = mkdtempSync(join(tmpdir(), 'tocsin-bounty-outcomes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEachDatabase('bug bounty SLAs, awards and disclosure', (database) => {
  let base: OpenContext;
  let ctx: Context;
  let staff: Staff;
  let smtp: TestSmtpServer;
  let listeners: Listeners;
  let pub: string;
  /** The first reports' submission, 30 days ago on the hour: every clock of the SLA tests counts from it (the listeners' clock is the real one). */
  const t0 = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 30 * DAY_MS);
  const iso = (hours: number) => new Date(t0.getTime() + hours * HOUR_MS).toISOString();
  const at = (hours: number): Context => ({ ...ctx, now: () => new Date(t0.getTime() + hours * HOUR_MS) });

  beforeAll(async () => {
    base = await database().context();
    staff = await addStaff(base);
    smtp = await startSmtpServer();
    ctx = {
      ...base,
      config: {
        ...base.config,
        public_url: 'https://help.shop.example.com',
        bounty: { ...BOUNTY, triage_email: 'triage@shop.example.com' },
        shop: { ...base.config.shop, name: 'Example Phone Shop', domains: ['shop.example.com'] },
        sender: { ...base.config.sender, from: 'security@shop.example.com' },
        smtp: { ...base.config.smtp, url: `smtp://127.0.0.1:${smtp.port}` },
      },
    };
    listeners = await startTestListeners(ctx);
    pub = listeners.publicUrl;
  });
  afterAll(async () => {
    await listeners?.close();
    await smtp?.close();
    await base?.close();
  });

  /** A researcher whose address is verified, with their id and a signed-in cookie. */
  async function researcher(email: string, locale: string): Promise<{ id: string; cookie: string }> {
    const { researcher_id } = await signUpResearcher(ctx, { email, password: PASSWORD, locale, address: '192.0.2.1' });
    await ctx.db.updateTable('bounty_researchers').set({ email_verified_at: t0.toISOString() }).where('id', '=', researcher_id).execute();
    const signedIn = await fetch(`${pub}/api/bounty/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(signedIn.status).toBe(200);
    return { id: researcher_id, cookie: signedIn.headers.get('set-cookie')!.split(';')[0] };
  }

  async function mailsSince(from: number): Promise<{ to: string; text: string }[]> {
    await sendBountyMails(ctx);
    return smtp.received.slice(from).map((mail) => ({ to: mail.to, text: decodeMail(mail.raw.toString('utf8')) }));
  }

  let ada: { id: string; cookie: string };
  let bob: { id: string; cookie: string };
  const refs: string[] = [];

  it('measures each report against its targets from the audit trail and the award, with an injected clock', async () => {
    ada = await researcher('ada@research.example', 'en-GB');
    bob = await researcher('bob@research.example', 'fr');
    // Three reports at t0; the team answers the first after 10 hours, the second after 30, the third never.
    for (let index = 0; index < 3; index++) refs.push((await submitReport(at(0), index === 1 ? bob.id : ada.id, { ...FIELDS, title: `${FIELDS.title} ${index}` }, [], `192.0.2.${index + 10}`)).reference);
    await triageReport(at(10), refs[0], { state: 'triaged', comment: 'Confirmed.' });
    await triageReport(at(30), refs[1], { comment: 'Looking into it.' });
    // An internal note is no response.
    await triageReport(at(31), refs[1], { state: 'triaged' });

    const first = await reportSla(at(30), refs[0]);
    expect(first).toEqual([
      { target: 'first_response', due_at: iso(2 * 24), done_at: iso(10), hours: 10, status: 'met' },
      { target: 'triage', due_at: iso(5 * 24), done_at: iso(10), hours: 10, status: 'met' },
      { target: 'bounty', due_at: iso(14 * 24), done_at: null, hours: null, status: 'open' },
      { target: 'resolution', due_at: iso(90 * 24), done_at: null, hours: null, status: 'open' },
    ]);
    const third = await reportSla(at(72), refs[2]);
    expect(third.map((entry) => [entry.target, entry.status])).toEqual([
      ['first_response', 'overdue'],
      ['triage', 'open'],
      ['bounty', 'open'],
      ['resolution', 'open'],
    ]);

    // The first report's award comes late (15 days for a 14-day target); it is fixed in 20 days (90 allowed).
    await awardReport(at(15 * 24), refs[0], { amount: 1500, bonus: 250 });
    // Changed the day after: the bounty was decided when first awarded.
    await awardReport(at(16 * 24), refs[0], { amount: 1500, bonus: 500 });
    await triageReport(at(20 * 24), refs[0], { state: 'resolved' });
    const settled = await reportSla(at(20 * 24), refs[0]);
    expect(settled.map((entry) => [entry.target, entry.hours, entry.status])).toEqual([
      ['first_response', 10, 'met'],
      ['triage', 10, 'met'],
      ['bounty', 360, 'missed'],
      ['resolution', 480, 'met'],
    ]);
    // Closed as a duplicate: neither rewarded nor fixed, so those targets do not apply.
    await triageReport(at(21 * 24), refs[2], { state: 'duplicate', duplicate_of: refs[0] });
    expect((await reportSla(at(21 * 24), refs[2])).map((entry) => entry.status)).toEqual(['missed', 'missed', 'not_applicable', 'not_applicable']);
  });

  it('computes the programme’s median, 90th percentile and share within target, a report left late counting against it', async () => {
    const metrics = await programmeMetrics(at(21 * 24));
    expect(metrics.reports).toBe(3);
    const byTarget = Object.fromEntries(metrics.targets.map((target) => [target.target, target]));
    // First responses after 10, 30 and 504 hours (the duplicate's closing was its first answer).
    expect(byTarget.first_response).toEqual({ target: 'first_response', target_days: 2, done: 3, median_hours: 30, p90_hours: 504, within_target: 0.667, overdue: 0 });
    expect(byTarget.triage).toMatchObject({ done: 3, median_hours: 31, within_target: 0.667 });
    // The second report (triaged, not rewarded after 21 days) is overdue for its bounty: 0 of 2 in time.
    expect(byTarget.bounty).toMatchObject({ done: 1, median_hours: 360, p90_hours: 360, within_target: 0, overdue: 1 });
    expect(byTarget.resolution).toMatchObject({ done: 1, within_target: 1, overdue: 0 });
    const since = await programmeMetrics(at(21 * 24), { since: new Date(t0.getTime() + HOUR_MS) });
    expect(since.reports).toBe(0);
    expect(since.targets[0]).toMatchObject({ done: 0, median_hours: null, p90_hours: null, within_target: null });
  });

  it('warns the triage team once per report and target before it is missed: in the audit trail and by mail', async () => {
    const late = (await submitReport(at(0), ada.id, { ...FIELDS, title: 'Unanswered' }, [], '192.0.2.30')).reference;
    refs.push(late);
    // 47 hours before its two-day first response target: nothing yet; 23 hours before: warned (24 hours ahead).
    const dueAt = Date.parse((await reportSla(ctx, late))[0].due_at);
    const quiet = await warnSlaTargets({ ...ctx, now: () => new Date(dueAt - 47 * HOUR_MS) });
    expect(quiet.filter((warning) => warning.reference === late)).toEqual([]);
    const before = smtp.received.length;
    const warned = await warnSlaTargets({ ...ctx, now: () => new Date(dueAt - 23 * HOUR_MS) });
    expect(warned.filter((warning) => warning.reference === late)).toEqual([{ reference: late, target: 'first_response', due_at: new Date(dueAt).toISOString() }]);
    const mails = smtp.received.slice(before).filter((mail) => mail.to === 'triage@shop.example.com');
    expect(mails.map((mail) => decodeMail(mail.raw.toString('utf8')))).toEqual(expect.arrayContaining([expect.stringContaining(`Bug bounty report ${late}: first response due`)]));
    expect(decodeMail(mails[0].raw.toString('utf8'))).not.toContain('Unanswered');
    // Once: the next round, and the one after the target was missed, add nothing for it.
    expect((await warnSlaTargets({ ...ctx, now: () => new Date(dueAt - 22 * HOUR_MS) })).filter((warning) => warning.reference === late && warning.target === 'first_response')).toEqual([]);
    expect((await warnSlaTargets({ ...ctx, now: () => new Date(dueAt + HOUR_MS) })).filter((warning) => warning.reference === late && warning.target === 'first_response')).toEqual([]);
    const view = await json(asRole(listeners.staffUrl, staff, 'responder')(`/api/bounty/reports/${late}`));
    expect(view.events.filter((event: { event: string }) => event.event === 'sla_warning')).toEqual([
      expect.objectContaining({ actor: 'tocsin', details: { target: 'first_response', due_at: new Date(dueAt).toISOString() } }),
    ]);
    expect(view.sla.map((entry: { status: string }) => entry.status)).toEqual(['overdue', 'overdue', 'overdue', 'open']);

    // The triage queue by standing: the unanswered report is overdue, the resolved and rewarded one is done.
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    const overdue = await json(responder('/api/bounty/reports?sla=overdue'));
    expect(overdue.reports.map((report: { reference: string }) => report.reference)).toContain(late);
    expect(overdue.reports.find((report: { reference: string }) => report.reference === late).sla).toEqual({ standing: 'overdue', next: { target: 'first_response', due_at: new Date(dueAt).toISOString() } });
    const done = await json(responder('/api/bounty/reports?sla=done'));
    expect(done.reports.map((report: { reference: string }) => report.reference).sort()).toEqual([refs[0], refs[2]].sort());
    expect((await responder('/api/bounty/reports?sla=late')).status).toBe(400);
  });

  it('publishes the measured response times on the public listener, as HTML and JSON', async () => {
    const page = await fetch(`${pub}/bounty/response-times?lang=en-GB`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Our measured response times');
    expect(html).toContain('Measured on the 4 reports');
    expect(html).not.toContain(FIELDS.title);
    expect(html).not.toMatch(/B-[0-9A-Z]{4}-/);
    const fr = await (await fetch(`${pub}/bounty/response-times?lang=fr`)).text();
    expect(fr).toContain('Nos délais de réponse mesurés');
    const data = await json(fetch(`${pub}/bounty/response-times.json`));
    expect(data.targets.map((target: { target: string }) => target.target)).toEqual(['first_response', 'triage', 'bounty', 'resolution']);
    expect(JSON.stringify(data)).not.toMatch(/B-[0-9A-Z]{4}-|research\.example/);
    expect((await fetch(`${pub}/bounty`)).status).toBe(200);
    expect(await (await fetch(`${pub}/bounty`)).text()).toContain('href="/bounty/response-times?lang=');
    const staffMetrics = await json(asRole(listeners.staffUrl, staff, 'responder')('/api/bounty/metrics?since=2026-01-01T00:00Z'));
    expect(staffMetrics.since).toBe('2026-01-01T00:00:00.000Z');
    expect((await asRole(listeners.staffUrl, staff, 'viewer')('/api/bounty/metrics')).status).toBe(403);
  });

  it('awards a triaged report with a bonus, records it paid, and tells the researcher in their language', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    const fresh = (await submitReport(ctx, bob.id, { ...FIELDS, title: 'Award me' }, [], '192.0.2.40')).reference;
    const post = (path: string, body?: unknown) => responder(path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    expect(await json(post(`/api/bounty/reports/${fresh}/award`, { amount: 500 }))).toMatchObject({ error: { code: 'REPORT_NOT_REWARDABLE' } });
    await post(`/api/bounty/reports/${fresh}/triage`, { state: 'triaged' });
    for (const [body, code] of [
      [{ amount: -1 }, 'BAD_AMOUNT'],
      [{ amount: 10.5 }, 'BAD_AMOUNT'],
      [{ amount: 0 }, 'BAD_AMOUNT'],
      [{ amount: 100, currency: 'euro' }, 'BAD_CURRENCY'],
    ] as const) {
      const refused = await post(`/api/bounty/reports/${fresh}/award`, body);
      expect(refused.status, code).toBe(400);
      expect(await json(refused)).toMatchObject({ error: { code } });
    }
    expect((await asRole(listeners.staffUrl, staff, 'viewer')(`/api/bounty/reports/${fresh}/award`, { method: 'POST', body: JSON.stringify({ amount: 1 }) })).status).toBe(403);
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    expect(await json(post(`/api/bounty/reports/${fresh}/award`, { amount: 1500, bonus: 250 }))).toMatchObject({ award: { amount: 1500, bonus: 250, total: 1750, currency: 'EUR', paid_at: null } });
    const [awarded] = await mailsSince(before);
    expect(awarded.to).toBe('bob@research.example');
    expect(awarded.text).toMatch(/Nous vous attribuons 1\s750\s€ pour votre rapport/u);

    const seen = await json(fetch(`${pub}/api/bounty/reports/${fresh}`, { headers: { cookie: bob.cookie } }));
    expect(seen.award).toMatchObject({ total: 1750, paid_at: null });
    expect(JSON.stringify(seen)).not.toContain('awarded_by');
    const paid = await json(post(`/api/bounty/reports/${fresh}/award/paid`));
    expect(paid.award.paid_at).toEqual(expect.any(String));
    const [paidMail] = await mailsSince(before + 1);
    expect(paidMail.text).toContain('est enregistrée comme payée');
    expect(await json(post(`/api/bounty/reports/${fresh}/award/paid`))).toMatchObject({ error: { code: 'AWARD_PAID' } });
    expect(await json(post(`/api/bounty/reports/${fresh}/award`, { amount: 2000 }))).toMatchObject({ error: { code: 'AWARD_PAID' } });
    const page = await (await fetch(`${pub}/bounty/reports/${fresh}?lang=fr`, { headers: { cookie: bob.cookie, accept: 'text/html' } })).text();
    expect(page).toMatch(/1\s750\s€ \(dont un bonus de 250\s€\), payée le/u);
    const events = (await json(responder(`/api/bounty/reports/${fresh}`))).events.map((event: { event: string }) => event.event);
    expect(events).toEqual(expect.arrayContaining(['awarded', 'award_paid']));
  });

  it('discloses a resolved report once both sides agree, showing only the team’s redacted text; an undisclosed report is never public', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    const post = (path: string, body?: unknown, method = 'POST') => responder(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const fresh = (await submitReport(ctx, ada.id, { ...FIELDS, title: 'Disclose me SECRET-TITLE' }, [], '192.0.2.50')).reference;
    const researcherPost = (reference: string, cookie: string) => fetch(`${pub}/api/bounty/reports/${reference}/disclosure`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    const teamView = async () => json(responder(`/api/bounty/reports/${fresh}`));
    await post(`/api/bounty/reports/${fresh}/triage`, { state: 'triaged' });
    expect(await teamView()).toMatchObject({ disclosable: false, disclosure: null });
    expect(await json(researcherPost(fresh, ada.cookie))).toMatchObject({ error: { code: 'DISCLOSURE_TOO_EARLY' } });
    await post(`/api/bounty/reports/${fresh}/triage`, { state: 'resolved' });
    // Another researcher cannot ask for it: the report does not exist for them.
    expect(await json(researcherPost(fresh, bob.cookie))).toMatchObject({ error: { code: 'NO_SUCH_REPORT' } });
    const asked = await json(researcherPost(fresh, ada.cookie));
    expect(asked.disclosure).toMatchObject({ requested_by: 'researcher', team_agreed_at: null, published_at: null, researcher_agreed_at: expect.any(String) });
    expect(Date.parse(asked.disclosure.deadline_at) - Date.parse(asked.disclosure.requested_at)).toBe(90 * DAY_MS);

    expect(await json(post(`/api/bounty/reports/${fresh}/disclosure/publish`))).toMatchObject({ error: { code: 'DISCLOSURE_NOT_WRITTEN' } });
    const text = { title: 'IDOR in the after-sales lookup', text: 'Orders were readable by IMEI.\n\n<script>alert(1)</script> [x](javascript:alert(1))' };
    expect((await post(`/api/bounty/reports/${fresh}/disclosure/text`, { title: 'two\nlines', text: 'x' }, 'PUT')).status).toBe(400);
    expect((await post(`/api/bounty/reports/${fresh}/disclosure/text`, text, 'PUT')).status).toBe(200);
    const notAgreed = await json(post(`/api/bounty/reports/${fresh}/disclosure/publish`));
    expect(notAgreed).toMatchObject({ error: { code: 'DISCLOSURE_NOT_AGREED' } });
    expect(notAgreed.error.message).toContain('the team has not agreed');
    expect(await teamView()).toMatchObject({ disclosable: true, disclosure: { public_title: text.title, publishable: false, url: null } });

    // Requested and written but not published: still nowhere public.
    await assertNothingPublicOf([fresh, ...refs]);

    expect((await json(post(`/api/bounty/reports/${fresh}/disclosure`))).disclosure.team_agreed_at).toEqual(expect.any(String));
    expect((await teamView()).disclosure).toMatchObject({ publishable: true, url: null });
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    expect((await json(post(`/api/bounty/reports/${fresh}/disclosure/publish`))).disclosure.published_at).toEqual(expect.any(String));
    const [mail] = await mailsSince(before);
    expect(mail.text).toContain(`Your report ${fresh} is now published`);
    expect((await teamView()).disclosure).toMatchObject({ publishable: false, url: `https://help.shop.example.com/bounty/disclosures/${fresh}` });

    const list = await json(fetch(`${pub}/bounty/disclosures.json`));
    expect(list.disclosures.map((entry: { reference: string }) => entry.reference)).toEqual([fresh]);
    expect(list.disclosures[0]).toMatchObject({ title: text.title, asset: FIELDS.asset, weakness: 'CWE-639', severity: 'high', text: text.text });
    const page = await fetch(`${pub}/bounty/disclosures/${fresh}?lang=en-GB`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>IDOR in the after-sales lookup</h1>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|href="javascript:/);
    for (const secret of ['SECRET-RESEARCHER-WORDS', 'SECRET-TITLE', 'research.example']) expect(html + JSON.stringify(list)).not.toContain(secret);
    expect(await (await fetch(`${pub}/bounty/disclosures?lang=fr`)).text()).toContain(`href="/bounty/disclosures/${fresh}?lang=fr"`);
    await assertNothingPublicOf(refs);
    const researcherPage = await (await fetch(`${pub}/bounty/reports/${fresh}`, { headers: { cookie: ada.cookie, accept: 'text/html' } })).text();
    expect(researcherPage).toContain(`href="/bounty/disclosures/${fresh}?lang=en-GB"`);
  });

  it('publishes a disclosure with its facts only once the deadline passed without the other side’s agreement, in the server’s round', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    const fresh = (await submitReport(ctx, bob.id, { ...FIELDS, title: 'Deadline SECRET-TITLE' }, [], '192.0.2.60')).reference;
    await triageReport(ctx, fresh, { state: 'informative' });
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    expect(await json(responder(`/api/bounty/reports/${fresh}/disclosure`, { method: 'POST' }))).toMatchObject({ disclosure: { requested_by: 'team', researcher_agreed_at: null } });
    const [asked] = await mailsSince(before);
    expect(asked.text).toContain(`Nous souhaitons publier votre rapport ${fresh}`);
    const page = await (await fetch(`${pub}/bounty/reports/${fresh}?lang=fr`, { headers: { cookie: bob.cookie, accept: 'text/html' } })).text();
    expect(page).toContain('Accepter la divulgation');

    // Another, asked for and then reopened: its flaw may be open again, so the deadline publishes nothing of it.
    const reopened = (await submitReport(ctx, bob.id, { ...FIELDS, title: 'Reopened SECRET-TITLE' }, [], '192.0.2.61')).reference;
    await triageReport(ctx, reopened, { state: 'resolved' });
    await json(responder(`/api/bounty/reports/${reopened}/disclosure`, { method: 'POST' }));
    await triageReport(ctx, reopened, { state: 'triaged' });
    expect(await json(responder(`/api/bounty/reports/${reopened}/disclosure/publish`, { method: 'POST' }))).toMatchObject({ error: { code: 'DISCLOSURE_TOO_EARLY' } });
    expect(await publishDueDisclosures({ ...ctx, now: () => new Date(Date.now() + 89 * DAY_MS) })).toEqual([]);
    await assertNothingPublicOf([fresh]);
    // The server's round publishes it once the deadline passed.
    const stop = keepBountyRunning({ ...ctx, now: () => new Date(Date.now() + 91 * DAY_MS) });
    try {
      await vi.waitFor(async () => expect((await fetch(`${pub}/bounty/disclosures/${fresh}`)).status).toBe(200), { timeout: 30_000, interval: 250 });
    } finally {
      stop();
    }
    expect(await publishDueDisclosures({ ...ctx, now: () => new Date(Date.now() + 92 * DAY_MS) })).toEqual([]);
    await assertNothingPublicOf([reopened]);
    const html = await (await fetch(`${pub}/bounty/disclosures/${fresh}`)).text();
    expect(html).toContain('<h1>CWE-639: api.shop.example.com</h1>');
    expect(html).toContain('only its facts are published');
    expect(html).not.toContain('SECRET');
    const view = await json(responder(`/api/bounty/reports/${fresh}`));
    expect(view.events.at(-1)).toMatchObject({ actor: 'tocsin', event: 'disclosed' });
  });

  /** None of `references` is listed or shown on the public listener, nor any of their researchers' words. */
  async function assertNothingPublicOf(references: string[]): Promise<void> {
    const published = new Set((await json(fetch(`${pub}/bounty/disclosures.json`))).disclosures.map((entry: { reference: string }) => entry.reference));
    const listing = await (await fetch(`${pub}/bounty/disclosures`)).text();
    for (const reference of references.filter((candidate) => !published.has(candidate))) {
      const page = await fetch(`${pub}/bounty/disclosures/${reference}`);
      expect(page.status, reference).toBe(404);
      const body = await page.text();
      expect(body).not.toContain('SECRET');
      expect(listing).not.toContain(reference);
    }
    expect(listing).not.toContain('SECRET');
    expect((await fetch(`${pub}/bounty/disclosures/B-0000-0000-0000`)).status).toBe(404);
    expect((await fetch(`${pub}/bounty/disclosures/..%2F..%2Fetc`)).status).toBe(404);
  }

  it('drives awards, SLAs and disclosure from the CLI', async () => {
    const fresh = (await submitReport(ctx, ada.id, { ...FIELDS, title: 'CLI' }, [], '192.0.2.70')).reference;
    await triageReport(ctx, fresh, { state: 'triaged' });
    const config = join(dir, `${database().dialect}.yml`);
    writeFileSync(config, stringify({ public_url: 'https://help.shop.example.com', bounty: { ...BOUNTY, triage_email: 'triage@shop.example.com' } }));
    const run = (...args: string[]) => tocsinMain(['--config', config, '--actor', 'triager@staff.example', ...args], { database: database().config });
    const missing = await run('bounty', 'award', fresh);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('give the AMOUNT');
    const awarded = await run('bounty', 'award', fresh, '1500', '--bonus', '250', '--json');
    expect(awarded.status, awarded.stderr).toBe(0);
    expect(JSON.parse(awarded.stdout)).toMatchObject({ award: { total: 1750, currency: 'EUR' } });
    const paid = await run('bounty', 'award', fresh, '--paid');
    expect(paid.status, paid.stderr).toBe(0);
    expect(paid.stdout).toMatch(/award:\s+1750 EUR \(1500 \+ 250 bonus\)/);

    const shown = await run('bounty', 'show', fresh);
    expect(shown.stdout).toMatch(/first_response\s+\S+\s+\S+\s+[\d.]+\s+met/);
    expect((await run('bounty', 'reports', '--sla', 'on_track')).stdout).toMatch(new RegExp(`${fresh}\\s+triaged\\s+high\\s+on_track: resolution`));
    const sla = JSON.parse((await run('bounty', 'sla', '--json')).stdout);
    expect(sla.targets).toHaveLength(4);
    expect((await run('bounty', 'sla')).stdout).toMatch(/^TARGET\s+DAYS\s+DONE\s+MEDIAN\s+P90\s+WITHIN\s+OVERDUE/m);

    expect((await run('bounty', 'disclose', fresh, '--request')).stderr).toMatch(/only a resolved or informative report is disclosed/);
    await triageReport(ctx, fresh, { state: 'resolved' });
    const textFile = join(dir, 'public.md');
    writeFileSync(textFile, 'The lookup let anyone read an order.');
    const requested = await run('bounty', 'disclose', fresh, '--request', '--title', 'Order lookup IDOR', '--text-file', textFile);
    expect(requested.status, requested.stderr).toBe(0);
    expect(requested.stdout).toMatch(/researcher agreed:\s+not yet/);
    const early = await run('bounty', 'disclose', fresh, '--publish');
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('the researcher has not agreed');
    const status = JSON.parse((await run('bounty', 'disclose', fresh, '--json')).stdout);
    expect(status.disclosure).toMatchObject({ requested_by: 'team', public_title: 'Order lookup IDOR', published_at: null });
  });
});

/** A mail's text: quoted-printable soft breaks joined and its escapes decoded, enough to read the words. */
function decodeMail(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, '');
  return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}
