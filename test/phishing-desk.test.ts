/**
 * The phishing desk against real parts: messages signed with Tocsin's own DKIM signer and
 * checked through a real DNS server (Debian's dnsmasq, started here with the zone as options);
 * a demo incident's records as bait and one of its notices as the genuine article, on both
 * databases; hostile messages that must come out `unknown` with a reason, never an exception;
 * and the 120 real phishing messages of ../shared/fixtures/phish-pot.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { enqueueJob, listJobs, startJobRunner, watchJob, type JobRunner, type JobView } from '../src/jobs/index.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { CONTROL_CHARACTER } from '../src/lib/control-characters.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { buildMessage, dkimDnsRecord, dkimSigner, type DkimKey } from '../src/mail/index.ts';
import { buildNotices } from '../src/notices/build.ts';
import { deriveCode } from '../src/notices/verification-code.ts';
import { analyzeMessage, analyzePendingReports, deskDependencies, deskResolver, importMessages, listReports, lookalikeIndex, type Analysis, type DeskDependencies, type ReportView } from '../src/phishing/index.ts';
import { receiveReport } from '../src/portal/index.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

const SHOP = 'gadgetshop.de';
const SHOP_IP = '192.0.2.10';
const FORGER_IP = '203.0.113.9';
const PHISH_POT = new URL('../../shared/fixtures/phish-pot/', import.meta.url).pathname;

const privateKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY: DkimKey = { domain: SHOP, selector: 'tocsin2026', algorithm: 'ed25519-sha256', privateKeyPem };
const sign = dkimSigner(KEY);

let dns: DnsServer;
beforeAll(async () => {
  const record = dkimDnsRecord(KEY);
  dns = await startDnsmasq({
    txt: { [record.name]: record.value, [SHOP]: `v=spf1 ip4:${SHOP_IP} -all`, [`_dmarc.${SHOP}`]: 'v=DMARC1; p=reject' },
    a: { [`mail.${SHOP}`]: SHOP_IP },
  });
});
afterAll(() => dns?.close());

/** What the reporter's provider adds on arrival: the hop the SPF check reads its address from. */
function delivered(message: Buffer, ip: string): Buffer {
  const received = `Received: from mail.${SHOP} (mail.${SHOP} [${ip}])\r\n by mx.reporter.example (Postfix) with ESMTPS id 4XyZ for <reader@reporter.example>;\r\n Thu, 03 Dec 2026 10:00:00 +0000\r\nReturn-Path: <bounces@${SHOP}>\r\n`;
  return Buffer.concat([Buffer.from(received), message]);
}

function notice(to: string, text: string): Buffer {
  return buildMessage({ from: { name: 'Example Shop', address: `notices@${SHOP}` }, replyTo: null, to, subject: 'Information about your data', text, html: `<p>${text}</p>`, messageId: '<n1@gadgetshop.de>', date: new Date('2026-12-03T09:59:00Z'), locale: 'en' });
}

/** The desk with the dnsmasq resolver and nothing in any database: no notice, no bait. */
function bareDesk(overrides: Partial<DeskDependencies> = {}): DeskDependencies {
  return {
    resolver: deskResolver([dns.address]),
    now: () => new Date('2026-12-04T12:00:00Z'),
    shopDomains: [SHOP],
    lookalikes: lookalikeIndex([SHOP]),
    trustedAuthservIds: [],
    isNoticeCode: async () => false,
    findLeaked: async () => [],
    phoneCountries: [],
    ...overrides,
  };
}

const codes = (analysis: Analysis) => analysis.reasons.map((reason) => reason.code);

describe('authentication through a real DNS server (dnsmasq)', () => {
  it('passes SPF, DKIM and DMARC for a message signed with the project\'s DKIM signer and sent from the SPF host', async () => {
    const analysis = await analyzeMessage(delivered(sign(notice('anna@example.org', 'Hello'), new Date()), SHOP_IP), bareDesk());
    expect(analysis.auth).toMatchObject({ spf: 'pass', dkim: 'pass', dmarc: 'pass', dkim_domains: [SHOP], source: 'computed', computed_at: '2026-12-04T12:00:00.000Z' });
    expect(codes(analysis)).not.toContain('spoofed_shop_sender');
  });

  it('fails DKIM for a signed message whose body was changed, and calls the shop\'s name without its signature or SPF host spoofed', async () => {
    const signed = sign(notice('anna@example.org', 'Hello'), new Date()).toString('latin1');
    const tampered = Buffer.from(signed.replace('Hello', 'Hellp'), 'latin1');
    const analysis = await analyzeMessage(delivered(tampered, SHOP_IP), bareDesk());
    // RFC 6376 §6.1.3: a body hash that does not match makes the signature neutral, as if unsigned.
    expect(analysis.auth).toMatchObject({ dkim: 'neutral', spf: 'pass' });
    expect(analysis.auth!.dkim_domains).toEqual([]);

    const forged = await analyzeMessage(delivered(tampered, FORGER_IP), bareDesk());
    expect(forged.auth).toMatchObject({ dkim: 'neutral', spf: 'fail', dmarc: 'fail' });
    expect(codes(forged)).toEqual(expect.arrayContaining(['spoofed_shop_sender', 'dmarc_fail', 'dkim_fail', 'spf_fail']));
    expect(forged.verdict).toBe('phishing');
    expect(forged.reasons.find((reason) => reason.code === 'spoofed_shop_sender')!.evidence).toContain(`From domain ${SHOP}`);
  });

  it('believes Authentication-Results only from a configured authserv-id', async () => {
    const unsigned = delivered(notice('anna@example.org', 'Hello'), FORGER_IP);
    const claimed = Buffer.concat([Buffer.from('Authentication-Results: mx.reporter.example; spf=pass smtp.mailfrom=gadgetshop.de; dkim=pass header.d=gadgetshop.de; dmarc=pass\r\n'), unsigned]);
    expect((await analyzeMessage(claimed, bareDesk())).auth).toMatchObject({ spf: 'fail', dmarc: 'fail', source: 'computed' });
    expect((await analyzeMessage(claimed, bareDesk({ trustedAuthservIds: ['mx.reporter.example'] }))).auth).toMatchObject({ spf: 'pass', dkim: 'pass', dmarc: 'pass', source: 'mx.reporter.example' });
  });

  it('analyses a message forwarded as an attachment as its original, and flags an inline forward', async () => {
    const original = delivered(sign(notice('anna@example.org', 'Hello'), new Date()), SHOP_IP);
    const forward = Buffer.concat([
      Buffer.from('From: Anna <anna@example.org>\r\nTo: phishing@gadgetshop.de\r\nSubject: Fwd: suspicious\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nIs this real?\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="original.eml"\r\n\r\n'),
      original,
      Buffer.from('\r\n--b1--\r\n'),
    ]);
    const attached = await analyzeMessage(forward, bareDesk());
    expect(attached.forward).toEqual({ kind: 'attachment', forwarder: 'anna@example.org' });
    expect(attached.auth).toMatchObject({ dkim: 'pass', dkim_domains: [SHOP] });

    const inline = Buffer.from('From: anna@example.org\r\nTo: phishing@gadgetshop.de\r\nSubject: Fwd: your account\r\n\r\nLook:\r\n\r\n---------- Forwarded message ---------\r\nFrom: Shop Security <security@gadget-shop.com>\r\nSubject: verify your account\r\n\r\nClick hxxps://gadget-shop[.]com/login now\r\n');
    const inlined = await analyzeMessage(inline, bareDesk());
    expect(inlined.forward.kind).toBe('inline');
    expect(codes(inlined)).toContain('inline_forward');
    expect(inlined.auth).toBeNull();
    expect(inlined.lookalikes).toContainEqual(expect.objectContaining({ domain: 'gadget-shop.com', imitates: SHOP, seen_in: expect.arrayContaining(['from', 'link']) }));
  });
});

describe('links', () => {
  it('checks HTML hrefs, defanged text links and the targets behind Safe Links and URL Defense rewrites', async () => {
    const target = encodeURIComponent('https://gadgetsh0p.de/verify?id=1');
    const html = `<p><a href="https://eur01.safelinks.protection.outlook.com/?url=${target}&amp;data=x">Your order</a> <a href='https://urldefense.com/v3/__https://login-gadgetshop.net/x__;!!abc'>here</a></p>`;
    const message = Buffer.from(`From: someone@example.net\r\nTo: a@example.org\r\nSubject: order\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n${html}\r\n<p>or type gadgetshopp[.]de</p>\r\n`);
    const analysis = await analyzeMessage(message, bareDesk());
    const domains = analysis.lookalikes.map((found) => found.domain);
    expect(domains).toEqual(expect.arrayContaining(['gadgetsh0p.de', 'gadgetshopp.de']));
    expect(domains.some((domain) => domain.includes('safelinks') || domain === 'urldefense.com')).toBe(false);
    expect(codes(analysis)).toContain('lookalike_link');
  });
});

describe('hostile messages are never an exception', () => {
  const desk = () => bareDesk();
  const unknownWith = async (message: Buffer, code: string) => {
    const analysis = await analyzeMessage(message, desk());
    expect(analysis.verdict).toBe('unknown');
    expect(codes(analysis)).toContain(code);
  };

  it('a 25 MB message', async () => {
    await unknownWith(Buffer.concat([Buffer.from('From: a@example.net\r\nSubject: big\r\n\r\n'), Buffer.alloc(25 * 1024 ** 2, 'A')]), 'too_large');
  });

  it('10,000 MIME parts', async () => {
    const parts = Array.from({ length: 10_000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    await unknownWith(Buffer.from(`From: a@example.net\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`), 'too_many_parts');
  });

  it('100 levels of nesting', async () => {
    let body = 'Content-Type: text/plain\r\n\r\ndeep https://gadgetsh0p.com/\r\n';
    for (let level = 0; level < 100; level++) body = `Content-Type: multipart/mixed; boundary="n${level}"\r\n\r\n--n${level}\r\n${body}--n${level}--\r\n`;
    await unknownWith(Buffer.from(`From: a@example.net\r\nSubject: nested\r\nMIME-Version: 1.0\r\n${body}`), 'nesting_too_deep');
  });

  it('malformed headers', async () => {
    await unknownWith(Buffer.from('this is not a header\r\nFrom: a@example.net\r\n\r\nbody'), 'malformed_headers');
    await unknownWith(Buffer.from('Subject: no sender\r\n\r\nbody'), 'malformed_headers');
    await unknownWith(Buffer.from(''), 'malformed_headers');
  });

  it('arbitrary bytes, and arbitrary text after real headers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        const analysis = await analyzeMessage(bytes, desk());
        expect(analysis.verdict).toMatch(/^(unknown|spam|suspicious|phishing)$/);
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 2_000 }), fc.string({ maxLength: 200 }), async (body, header) => {
        const message = Buffer.from(`From: x@example.net\r\nSubject: ${header.replace(/[\r\n]/g, ' ')}\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\n${body}`, 'utf8');
        const analysis = await analyzeMessage(message, desk());
        // Previews are plain single-spaced text: no control character reaches a terminal or a page.
        expect(CONTROL_CHARACTER.test(analysis.preview + analysis.subject)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the 120 real phishing messages of phish-pot', () => {
  it('each gets a verdict, none genuine and none failed, with the distribution reported', async () => {
    const files = readdirSync(PHISH_POT).filter((name) => name.endsWith('.eml'));
    expect(files).toHaveLength(120);
    const verdicts: Record<string, number> = {};
    for (const file of files) {
      const analysis = await analyzeMessage(readFileSync(join(PHISH_POT, file)), bareDesk({ shopDomains: ['gadgetshop.de'], lookalikes: lookalikeIndex(['gadgetshop.de']) }));
      expect(codes(analysis), file).not.toContain('analysis_failed');
      expect(codes(analysis), file).not.toContain('unparsable');
      expect(analysis.verdict, file).not.toBe('genuine');
      verdicts[analysis.verdict] = (verdicts[analysis.verdict] ?? 0) + 1;
    }
    console.log(`phish-pot verdicts: ${JSON.stringify(verdicts)}`);
  });
});

describeEachDatabase('the phishing desk', (database) => {
  let ctx: OpenContext;
  let incidentId: string;
  let logged = '';
  let sent: { email: string; code: string };
  let person: { email: string; name: string; phone: string; country: string; imei: string };
  const shop = mkdtempSync(join(tmpdir(), 'tocsin-phishing-'));
  afterAll(() => rmSync(shop, { recursive: true, force: true }));

  beforeAll(async () => {
    await generateDemoShop({ outDir: shop, orders: 200, logLines: 200, seed: 11 });
    const sink = new Writable({ write: (chunk, _encoding, done) => void ((logged += String(chunk)), done()) });
    ctx = await database().context({ logger: pino({ level: 'trace' }, sink), now: () => new Date('2026-12-04T12:00:00Z') });
    Object.assign(ctx.config.shop, { domains: [SHOP] });
    Object.assign(ctx.config.phishing, { dns_servers: [dns.address] });
    incidentId = (await createDemoIncident(ctx)).id;
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, incidentId, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, incidentId, { rulesPath: rules, logs: readdirSync(shop).filter((name) => name.startsWith('access.log')).map((name) => join(shop, name)) });
    await buildNotices(ctx, incidentId, { shopAddress: SHOP });
    await ctx.db.updateTable('notices').set({ state: 'sent', sent_at: '2026-12-01T10:00:00.000Z' }).where('incident_id', '=', incidentId).where('seq', '=', 1).execute();
    const row = await ctx.db.selectFrom('notices').select(['email', 'subject']).where('incident_id', '=', incidentId).where('seq', '=', 1).executeTakeFirstOrThrow();
    sent = { email: row.email, code: deriveCode(loadSecret(ctx.dataDir, ctx.config), incidentId, row.subject) };
    const record = await ctx.db.selectFrom('records').select(['email', 'country', 'fields']).where('incident_id', '=', incidentId).where('fields', 'like', '%device_id%').where('fields', 'like', '%phone%').executeTakeFirstOrThrow();
    const fields = JSON.parse(record.fields) as Record<string, string>;
    person = { email: record.email, name: fields.name, phone: fields.phone, country: record.country ?? 'DE', imei: fields.device_id };
  });
  afterAll(() => ctx?.close());

  const imported = async (...messages: Buffer[]): Promise<ReportView[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-phish-in-'));
    try {
      messages.forEach((message, i) => writeFileSync(join(dir, `${i}.eml`), message));
      const views: ReportView[] = [];
      await importMessages(ctx, [dir], (view) => views.push(view));
      return views;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('calls one of the shop\'s own notices genuine: DKIM of the shop verifies and its code was sent to that address', async () => {
    const [genuine] = await imported(delivered(sign(notice(sent.email, `Your code: ${sent.code}`), new Date()), SHOP_IP));
    expect(genuine.verdict).toBe('genuine');
    expect(genuine.reasons.map((reason) => reason.code)).toEqual(['genuine_notice']);
    // The same notice sent to another address, or with the code of nobody, is no genuine notice.
    const [elsewhere] = await imported(delivered(sign(notice('stranger@example.org', `Your code: ${sent.code}`), new Date()), SHOP_IP));
    expect(elsewhere.verdict).not.toBe('genuine');
  });

  it('finds the incident\'s data quoted as bait, through hashes only, with a phone written another way', async () => {
    const national = parsePhoneNumberFromString(person.phone, person.country as CountryCode)!.formatNational();
    const imei = `${person.imei.slice(0, 8)} ${person.imei.slice(8)}`;
    const phish = Buffer.from(`From: Support <support@gadgetshop-secure.com>\r\nTo: ${person.email}\r\nSubject: Your device\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear ${person.name},\r\nwe could not reach you at ${national}. Your phone with IMEI ${imei} is blocked.\r\nVerify your account at https://gadgetshop-secure.com/login\r\n`, 'utf8');
    const [view] = await imported(phish);
    expect(view.leaked).toEqual([{ incident: incidentId, fields: ['name', 'phone', 'imei'] }]);
    expect(view.verdict).toBe('phishing');
    expect(view.reasons.find((reason) => reason.code === 'uses_leaked_data')!.text).toBe(`uses data from incident ${incidentId}`);
    // The table holds hashes, never the values; nothing personal reaches the log.
    const tokens = await ctx.db.selectFrom('phishing_bait_tokens').select(['hash', 'field']).where('incident_id', '=', incidentId).execute();
    expect(tokens.length).toBeGreaterThan(100);
    expect(tokens.every((token) => /^[0-9a-f]{64}$/.test(token.hash))).toBe(true);
    for (const secret of [person.name, person.email, person.phone, person.imei]) expect(logged).not.toContain(secret);
  });

  it('stores hostile messages as unknown with a reason, and lists portal reports with their verdicts', async () => {
    const views = await imported(Buffer.from('garbage\x00\xff'), Buffer.from('From: a@example.net\r\n\r\nhello'));
    expect(views[0]).toMatchObject({ verdict: 'unknown', reasons: [expect.objectContaining({ code: 'malformed_headers' })], campaign: null });
    const { reference } = await receiveReport(ctx, { message: Buffer.from('From: x@gadgetsh0p.de\r\nSubject: hi\r\n\r\nhttps://gadgetsh0p.de/\r\n'), received_as: 'file' });
    const before = await listReports(ctx);
    expect(before.find((view) => view.id === reference)!.verdict).toBeNull();
    expect(await analyzePendingReports(ctx)).toBe(1);
    const after = (await listReports(ctx)).find((view) => view.id === reference)!;
    expect(after.verdict).toBe('phishing');
    expect(after.lookalikes[0]).toMatchObject({ domain: 'gadgetsh0p.de', imitates: SHOP });
    expect((await listReports(ctx, { verdict: 'unknown' })).every((view) => view.verdict === 'unknown')).toBe(true);
  });

  it('takes messages and lists reports over the staff API, as the CLI does', async () => {
    const staff = await addStaff(ctx);
    const listeners = await startTestListeners(ctx);
    try {
      const as = (role: 'responder' | 'viewer') => asRole(listeners.staffUrl, staff, role);
      const mbox = Buffer.from('From x@y Thu Dec  3 10:00:00 2026\nFrom: a@gadgetsh0p.de\nSubject: one\n\nhttps://gadgetsh0p.de/\n\nFrom x@y Thu Dec  3 10:01:00 2026\nFrom: b@example.net\nSubject: two\n\nhello\n');
      const created = await as('responder')('/api/phishing/messages', { method: 'POST', headers: { 'content-type': 'application/mbox' }, body: mbox });
      expect(created.status).toBe(201);
      const { items } = (await created.json()) as { items: ReportView[] };
      expect(items.map((view: ReportView) => view.verdict)).toEqual(['phishing', 'unknown']);
      expect(items[0]).toMatchObject({ lookalikes: [expect.objectContaining({ domain: 'gadgetsh0p.de', imitates: SHOP })], campaign: expect.stringMatching(/^PC-\w{4}-\w{4}-\w{4}$/) });
      // Reports hold customers' mail: a viewer may not read them, nor import.
      expect((await as('viewer')('/api/phishing/reports')).status).toBe(403);
      expect((await as('viewer')('/api/phishing/messages', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: mbox })).status).toBe(403);
      const listed = await json(as('responder')('/api/phishing/reports?verdict=phishing'));
      expect(listed.items.map((view: ReportView) => view.id)).toContain(items[0].id);
      expect(await json(as('responder')(`/api/phishing/reports/${items[0].id}`))).toEqual(items[0]);
      expect((await as('responder')('/api/phishing/reports/R-0000-0000-0000')).status).toBe(404);
      expect((await as('responder')('/api/phishing/reports?verdict=bogus')).status).toBe(400);
    } finally {
      await listeners.close();
    }
  });

  it('analyses a portal report in a phishing_analysis job queued as it is received', async () => {
    const listeners = await startTestListeners(ctx);
    let runner: JobRunner | null = null;
    try {
      const sentReport = await fetch(`${listeners.publicUrl}/api/portal/reports`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: Buffer.from('From: x@gadget-shop.com\r\nSubject: order\r\n\nhttps://gadget-shop.com/verify\r\n') });
      expect(sentReport.status).toBe(202);
      const { reference } = (await sentReport.json()) as { reference: string };
      const [job] = (await listJobs(ctx)).filter((view) => view.kind === 'phishing_analysis');
      expect(job).toMatchObject({ state: 'queued', incident_id: null });
      runner = startJobRunner(ctx, { pollMs: 20 });
      let done: JobView | undefined;
      for await (const view of watchJob(ctx, job.id, AbortSignal.timeout(120_000), { intervalMs: 20 })) done = view;
      expect(done).toMatchObject({ state: 'succeeded', result: { reference, verdict: 'phishing', score: expect.any(Number) } });
      expect((await listReports(ctx, { reference }))[0].lookalikes[0]).toMatchObject({ domain: 'gadget-shop.com', imitates: SHOP });
      // A desk job takes no incident, and its parameters are checked like any job's.
      await expect(enqueueJob(ctx, { kind: 'phishing_analysis', incident_id: incidentId, params: { reference } })).rejects.toMatchObject({ code: 'JOB_INCIDENT_UNEXPECTED' });
      await expect(enqueueJob(ctx, { kind: 'phishing_analysis', params: { reference: 'nope' } })).rejects.toMatchObject({ code: 'JOB_PARAMS_INVALID' });
    } finally {
      await runner?.stop();
      await listeners.close();
    }
  });

  it('tocsin phishing import --json prints one object per message of an mbox, and reports lists them; a missing file is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-phish-cli-'));
    try {
      const mbox = join(dir, 'reported.mbox');
      writeFileSync(mbox, 'From x@y Thu Dec  3 10:00:00 2026\nFrom: "Shop \x1b[31m" <a@gadgetsh0p.de>\nSubject: \x1b]0;pwned\x07 order\n\nhttps://gadgetsh0p.de/\n\nFrom x@y Thu Dec  3 10:01:00 2026\nnot a header\n\nhello\n');
      const env = { TOCSIN_SHOP_DOMAINS: SHOP, TOCSIN_PHISHING_DNS_SERVERS: dns.address };
      const imported = await tocsinMain(['phishing', 'import', mbox, '--json'], { database: database().config, env });
      expect(imported.stderr).toBe('');
      expect(imported.status).toBe(0);
      const lines = imported.stdout.trim().split('\n').map((line) => JSON.parse(line) as ReportView);
      expect(lines.map((view) => view.verdict)).toEqual(['phishing', 'unknown']);
      for (const view of lines) expect(Object.keys(view)).toEqual(expect.arrayContaining(['id', 'verdict', 'score', 'reasons', 'auth', 'lookalikes', 'leaked', 'campaign']));
      expect(lines[0].lookalikes).toEqual([expect.objectContaining({ domain: 'gadgetsh0p.de', imitates: SHOP, kinds: expect.arrayContaining(['homoglyph']) })]);
      expect(imported.stdout).not.toContain('\x1b');

      const table = await tocsinMain(['phishing', 'reports', '--verdict', 'phishing'], { database: database().config, env });
      expect(table.status).toBe(0);
      expect(table.stdout).toContain(lines[0].id);
      expect(table.stdout).not.toContain(lines[1].id);

      const missing = await tocsinMain(['phishing', 'import', join(dir, 'nope.eml')], { database: database().config, env });
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('cannot read');
      expect(missing.stderr).toContain('give .eml or mbox files');
      expect(missing.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the desk from the configuration', async () => {
    const desk = await deskDependencies(ctx);
    expect(desk.shopDomains).toEqual([SHOP]);
    expect(desk.phoneCountries.length).toBeGreaterThan(0);
  });
});
