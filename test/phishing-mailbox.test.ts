/**
 * The phishing desk's reporting mailboxes against real parts: Tocsin's own SMTP listener
 * (smtp-server) with STARTTLS on a test certificate, spoken to by Nodemailer; an IMAP mailbox on
 * Debian's Dovecot, started here unprivileged; each message a report analysed by its
 * `phishing_analysis` job, on both databases.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { listJobs, startJobRunner, type JobView } from '../src/jobs/index.ts';
import { verifyNotice } from '../src/notices/index.ts';
import { analyzeReport, listReports, replyToReporter } from '../src/phishing/index.ts';
import { pollMailbox, startMailboxPolling, type Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';
import { startDovecot, type ImapServer } from './helpers/dovecot.ts';
import { startTocsin, tocsin } from './helpers/cli.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { startTestListeners } from './helpers/server.ts';
import { makeTestCertificate } from './helpers/tls.ts';

const SHOP = 'gadgetshop.de';
const MAILBOX = `phishing@${SHOP}`;

let dns: DnsServer;
let imap: ImapServer;
const certDir = mkdtempSync(join(tmpdir(), 'tocsin-mailbox-tls-'));
const certificate = makeTestCertificate(certDir);
const dkimKeyFile = join(certDir, 'dkim.pem');
writeFileSync(dkimKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
beforeAll(async () => {
  [dns, imap] = await Promise.all([startDnsmasq({}), startDovecot()]);
});
afterAll(async () => {
  await Promise.all([dns?.close(), imap?.close()]);
  rmSync(certDir, { recursive: true, force: true });
});

/** A phish as the customer got it. */
const ORIGINAL = 'From: Gadget Shop <service@gadgetsh0p.de>\r\nTo: anna@example.org\r\nSubject: Verify your account\r\nMessage-ID: <p1@gadgetsh0p.de>\r\nDate: Thu, 03 Dec 2026 09:00:00 +0000\r\n\r\nYour order is on hold. Verify your account at https://gadgetsh0p.de/login\r\n';

/** The phish forwarded as an attachment by `from`. */
function forwarded(from: string, language = 'de-DE'): Buffer {
  return Buffer.from(
    `From: Anna <${from}>\r\nTo: ${MAILBOX}\r\nSubject: Fwd: Verify your account\r\nContent-Language: ${language}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nIs this real?\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="original.eml"\r\n\r\n${ORIGINAL}\r\n--b1--\r\n`,
  );
}

describeEachDatabase('the reporting mailbox over SMTP, and the replies to reporters', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let sink: TestSmtpServer;
  beforeAll(async () => {
    sink = await startSmtpServer();
    ctx = await database().context({ now: () => new Date('2026-12-04T12:00:00Z') });
    Object.assign(ctx.config, {
      shop: { ...ctx.config.shop, name: 'Gadget Shop', domains: [SHOP] },
      sender: { from: `desk@${SHOP}`, dkim: { domain: SHOP, selector: 'tocsin', key_file: dkimKeyFile } },
      smtp: { url: `smtp://127.0.0.1:${sink.port}` },
    });
    Object.assign(ctx.config.phishing, { dns_servers: [dns.address] });
    listeners = await startTestListeners(ctx, {
      phishing: { ...ctx.config.phishing, smtp: { listen: '127.0.0.1:0', size_limit: 64 * 1024, recipients: [MAILBOX], max_clients: 100, cert_file: certificate.certFile, key_file: certificate.keyFile } },
      // The property test below sends more than one address may report in an hour.
      portal: { ...ctx.config.portal, report_address: { requests: 1000, seconds: 3600 } },
    });
  });
  afterAll(async () => {
    await listeners?.close();
    await sink?.close();
    await ctx?.close();
  });

  const transport = () => {
    const url = new URL(listeners.mailboxUrl!);
    // STARTTLS is required: a message never crosses in clear to a mailbox that offers it.
    return nodemailer.createTransport({ host: url.hostname, port: Number(url.port), secure: false, requireTLS: true, tls: { ca: readFileSync(certificate.certFile) } });
  };
  const report = async (raw: Buffer): Promise<string> => {
    const sent = await transport().sendMail({ envelope: { from: 'anna@example.org', to: [MAILBOX] }, raw });
    expect(sent.response).toMatch(/^250 .*kept as report R-/);
    return /R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(sent.response)![0];
  };
  /** Runs the desk's jobs until none is left; their results, by reference. */
  const runDeskJobs = async (): Promise<Map<string, JobView>> => {
    const runner = startJobRunner(ctx, { pollMs: 20 });
    try {
      for (let i = 0; i < 6000; i++) {
        const jobs = (await listJobs(ctx)).filter((view) => view.kind === 'phishing_analysis');
        if (jobs.every((view) => view.state !== 'queued' && view.state !== 'running')) return new Map(jobs.map((view) => [(view.result as { reference: string } | null)?.reference ?? view.id, view]));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the desk jobs did not finish');
    } finally {
      await runner.stop();
    }
  };
  const replyTo = (address: string) => sink.received.filter((message) => message.to === address);

  it('keeps each accepted message as a report over STARTTLS; its job analyses the forwarded original and answers the forwarder in their language, DKIM-signed', async () => {
    const reference = await report(forwarded('anna@example.org', 'de-DE'));
    const stored = await ctx.db.selectFrom('phishing_reports').select(['received_as', 'reply_to', 'message']).where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(stored.received_as).toBe('smtp');
    // The trace an MTA adds: the envelope sender and the connecting host, then the message as sent.
    expect(Buffer.from(stored.message).toString('latin1')).toMatch(/^Return-Path: <anna@example\.org>\r\nReceived: from \S+ \(\[(?:::ffff:)?127\.0\.0\.1\]\)\r\n by tocsin\.phishing-desk with ESMTPS;/);
    expect((await listJobs(ctx)).filter((view) => view.kind === 'phishing_analysis')).toEqual([expect.objectContaining({ state: 'queued' })]);
    const jobs = await runDeskJobs();
    expect(jobs.get(reference)).toMatchObject({ state: 'succeeded', result: { reference, verdict: 'phishing', replied: true } });
    const [view] = await listReports(ctx, { reference });
    expect(view.forward).toEqual({ kind: 'attachment', forwarder: 'anna@example.org' });
    expect(view.lookalikes).toContainEqual(expect.objectContaining({ domain: 'gadgetsh0p.de', imitates: SHOP }));

    const [reply] = replyTo('anna@example.org');
    expect(reply.from).toBe(`desk@${SHOP}`);
    const parsed = await PostalMime.parse(reply.raw);
    expect(parsed.subject).toBe(`Ihre Meldung ${reference}: die Nachricht ist Phishing – Gadget Shop`);
    expect(parsed.text).not.toContain('.eml');
    expect(parsed.headers.find((header) => header.key === 'dkim-signature')?.value).toContain(`d=${SHOP}`);
    // The reply carries a code the portal's verify page recognises for that address, and nothing is kept of the address.
    const code = /[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/.exec(parsed.text!)![0];
    expect(await verifyNotice(ctx, code, 'anna@example.org')).toMatchObject({ genuine: true, subject: parsed.subject });
    expect(await ctx.db.selectFrom('phishing_reports').select(['reply_to', 'replied_at']).where('reference', '=', reference).executeTakeFirst()).toEqual({ reply_to: null, replied_at: '2026-12-04T12:00:00.000Z' });
    // A job run again does not answer twice.
    expect(await replyToReporter(ctx, reference, await analyzeReport(ctx, reference))).toEqual({ replied: false });
    expect(replyTo('anna@example.org')).toHaveLength(1);
  });

  it("tells an inline forwarder how to forward as an attachment, answers the address left on the portal's form in the page's language, and answers no message that came as itself", async () => {
    const inline = await report(Buffer.from(`From: ben@example.org\r\nTo: ${MAILBOX}\r\nSubject: TR: votre compte\r\nContent-Language: fr\r\n\r\nRegardez :\r\n\r\n---------- Forwarded message ---------\r\nFrom: Service <service@gadget-shop.com>\r\nSubject: verify your account\r\n\r\nhxxps://gadget-shop[.]com/login\r\n`));
    const direct = await report(Buffer.from(`From: Gadget Shop <service@gadgetsh0p.de>\r\nTo: ${MAILBOX}\r\nSubject: Verify your account\r\n\r\nhttps://gadgetsh0p.de/login\r\n`));
    const portal = await fetch(`${listeners.publicUrl}/api/portal/reports?lang=it`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: ORIGINAL, reply_to: 'carla@example.org' }) });
    expect(portal.status).toBe(202);
    const { reference: fromPortal } = (await portal.json()) as { reference: string };
    const jobs = await runDeskJobs();
    expect(jobs.get(inline)).toMatchObject({ state: 'succeeded', result: { replied: true } });
    expect(jobs.get(direct)).toMatchObject({ state: 'succeeded', result: { verdict: 'phishing', replied: false } });
    expect(jobs.get(fromPortal)).toMatchObject({ state: 'succeeded', result: { verdict: 'phishing', replied: true } });
    const toBen = await PostalMime.parse(replyTo('ben@example.org')[0].raw);
    expect(toBen.subject).toContain(`Votre signalement ${inline}`);
    expect(toBen.text).toContain('Transférer en tant que pièce jointe');
    const toCarla = await PostalMime.parse(replyTo('carla@example.org')[0].raw);
    expect(toCarla.subject).toBe(`La sua segnalazione ${fromPortal}: il messaggio è phishing – Gadget Shop`);
    expect(sink.received.map((message) => message.to).sort()).toEqual(['anna@example.org', 'ben@example.org', 'carla@example.org']);
  });

  it('replies to an address once a period, however many reports name it, and keeps none of the addresses it did not reply to', async () => {
    const references: string[] = [];
    for (const replyAddress of ['dora@example.org', 'Dora@Example.ORG', 'dora+desk@example.org']) {
      const portal = await fetch(`${listeners.publicUrl}/api/portal/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: ORIGINAL, reply_to: replyAddress }) });
      references.push(((await portal.json()) as { reference: string }).reference);
    }
    const jobs = await runDeskJobs();
    expect(references.map((reference) => (jobs.get(reference)?.result as { replied: boolean }).replied).filter(Boolean)).toHaveLength(1);
    expect(sink.received.filter((message) => /^dora(\+desk)?@example\.org$/i.test(message.to))).toHaveLength(1);
    const kept = await ctx.db.selectFrom('phishing_reports').select('reply_to').where('reference', 'in', references).execute();
    expect(kept.map((row) => row.reply_to)).toEqual([null, null, null]);
  });

  it('keeps whatever bytes a client sends as a report', async () => {
    const smtp = transport();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2_000 }), async (bytes) => {
        const before = (await ctx.db.selectFrom('phishing_reports').select('reference').where('received_as', '=', 'smtp').execute()).length;
        const sent = await smtp.sendMail({ envelope: { from: 'anna@example.org', to: [MAILBOX] }, raw: Buffer.from(bytes) });
        expect(sent.response).toMatch(/^250 .*kept as report R-/);
        expect((await ctx.db.selectFrom('phishing_reports').select('reference').where('received_as', '=', 'smtp').execute()).length).toBe(before + 1);
      }),
      { numRuns: 25 },
    );
    smtp.close();
  });

  it('refuses other recipients and messages over the size limit, keeping nothing', async () => {
    const before = (await listReports(ctx)).length;
    await expect(transport().sendMail({ envelope: { from: 'anna@example.org', to: ['someone@gadgetshop.de'] }, raw: forwarded('anna@example.org') })).rejects.toMatchObject({ responseCode: 550 });
    const large = Buffer.concat([forwarded('anna@example.org'), Buffer.alloc(128 * 1024, 'A')]);
    await expect(transport().sendMail({ envelope: { from: 'anna@example.org', to: [MAILBOX] }, raw: large })).rejects.toMatchObject({ responseCode: 552 });
    expect((await listReports(ctx)).length).toBe(before);
  });

  it("limits the reports of one client address, on the mailbox and the portal together, and the connections open at once", async () => {
    const limited = await startTestListeners(ctx, {
      phishing: { ...ctx.config.phishing, smtp: { listen: '127.0.0.1:0', size_limit: 64 * 1024, recipients: [MAILBOX], max_clients: 1 } },
      portal: { ...ctx.config.portal, report_address: { requests: 2, seconds: 3600 } },
    });
    try {
      await ctx.db.deleteFrom('portal_lookup_counts').where('key', 'like', 'report:%').execute();
      const url = new URL(limited.mailboxUrl!);
      const send = (options: { pool?: boolean } = {}) => nodemailer.createTransport({ host: url.hostname, port: Number(url.port), secure: false, ignoreTLS: true, ...options }).sendMail({ envelope: { from: 'anna@example.org', to: [MAILBOX] }, raw: forwarded('anna@example.org') });
      const before = (await listReports(ctx)).length;
      expect((await send()).response).toMatch(/^250 .*kept as report R-/);
      const portal = await fetch(`${limited.publicUrl}/api/portal/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: ORIGINAL }) });
      expect(portal.status).toBe(202);
      // The third from 127.0.0.1 in the hour, whichever way it comes: a temporary refusal, nothing kept.
      await expect(send()).rejects.toMatchObject({ responseCode: 450, response: expect.stringMatching(/too many reports from your address; try again in \d+ s/) });
      const refused = await fetch(`${limited.publicUrl}/api/portal/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: ORIGINAL }) });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await listReports(ctx)).length).toBe(before + 2);

      // One connection at a time: a second client is turned away while the first stays open.
      const holder = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => holder.once('data', resolve));
      await expect(send()).rejects.toMatchObject({ responseCode: 421 });
      holder.destroy();
    } finally {
      await limited.close();
    }
  });

  it('refuses a certificate without its key before listening', async () => {
    await expect(startTestListeners(ctx, { phishing: { ...ctx.config.phishing, smtp: { listen: '127.0.0.1:0', size_limit: 1024, recipients: [], max_clients: 100, cert_file: certificate.certFile } } })).rejects.toMatchObject({ code: 'TLS_OPTIONS', kind: 'invalid' });
  });
});

describeEachDatabase('the reporting mailbox over IMAP (Dovecot)', (database) => {
  let ctx: OpenContext;
  let client: ImapFlow;
  // A mailbox per database: the two suites share one Dovecot.
  const mailbox = `Reports-${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date('2026-12-04T12:00:00Z') });
    Object.assign(ctx.config.shop, { domains: [SHOP] });
    Object.assign(ctx.config.phishing, {
      dns_servers: [dns.address],
      imap: { host: imap.host, port: imap.port, security: 'tls', ca_file: imap.caFile, user: imap.user, password: imap.password, mailbox, interval_seconds: 5 },
    });
    client = new ImapFlow({ host: imap.host, port: imap.port, secure: true, tls: { ca: readFileSync(imap.caFile) }, auth: { user: imap.user, pass: imap.password }, logger: false });
    await client.connect();
    await client.mailboxCreate(mailbox);
    await client.mailboxCreate(`${mailbox}-reviewed`);
  });
  afterAll(async () => {
    await client?.logout();
    await ctx?.close();
  });

  const append = async (message: Buffer | string): Promise<number> => {
    const appended = await client.append(mailbox, message);
    return Number((appended as { uid: number }).uid);
  };
  const imapReports = async () => (await ctx.db.selectFrom('phishing_reports').select('reference').where('received_as', '=', 'imap').execute()).length;
  const unseen = async (name = mailbox) => {
    const status = await client.status(name, { unseen: true, messages: true });
    if (status === false) throw new Error(`no mailbox ${name}`);
    return { unseen: status.unseen, messages: status.messages };
  };

  it('keeps each unseen message as a report queued for analysis and marks it seen; the next poll keeps nothing again', async () => {
    await append(forwarded('anna@example.org'));
    await append(Buffer.from('garbage\x00\xff no header at all'));
    expect(await pollMailbox(ctx)).toEqual({ kept: 2 });
    expect(await imapReports()).toBe(2);
    expect(await unseen()).toEqual({ unseen: 0, messages: 2 });
    expect((await listJobs(ctx)).filter((view) => view.kind === 'phishing_analysis' && view.state === 'queued')).toHaveLength(2);
    expect(await pollMailbox(ctx)).toEqual({ kept: 0 });
    expect(await imapReports()).toBe(2);
  });

  it('after a crash between keeping a message and marking it, keeps it no second time and misses none', async () => {
    const first = await append(forwarded('ben@example.org'));
    await append(forwarded('carla@example.org'));
    // The process died after the first message's transaction committed, before it marked it seen.
    await ctx.db.updateTable('phishing_mailbox_cursors').set({ last_uid: first }).execute();
    expect(await pollMailbox(ctx)).toEqual({ kept: 1 });
    expect(await imapReports()).toBe(3);
    expect(await unseen()).toEqual({ unseen: 0, messages: 4 });
  });

  it('two pollers at once keep each message once', async () => {
    for (const name of ['dora', 'emil', 'fred']) await append(forwarded(`${name}@example.org`));
    const [one, two] = await Promise.all([pollMailbox(ctx), pollMailbox(ctx)]);
    expect(one.kept + two.kept).toBe(3);
    expect(await imapReports()).toBe(6);
  });

  it('moves kept messages to move_to when it is set, and polls on its own until stopped', async () => {
    Object.assign(ctx.config.phishing.imap!, { move_to: `${mailbox}-reviewed` });
    try {
      const before = { reports: await imapReports(), messages: (await unseen()).messages };
      await append(forwarded('gina@example.org'));
      const polling = startMailboxPolling(ctx)!;
      try {
        for (let i = 0; i < 600 && (await imapReports()) === before.reports; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await polling.stop();
      }
      expect(await imapReports()).toBe(before.reports + 1);
      expect(await unseen()).toEqual({ unseen: 0, messages: before.messages });
      expect(await unseen(`${mailbox}-reviewed`)).toEqual({ unseen: 1, messages: 1 });
    } finally {
      delete ctx.config.phishing.imap!.move_to;
    }
  });

  it('tocsin serve --smtp-listen takes reports over SMTP and polls the configured IMAP mailbox, until SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-mailbox-serve-'));
    try {
      const configFile = join(dir, 'tocsin.yml');
      writeFileSync(configFile, `phishing:\n  imap:\n    host: ${imap.host}\n    port: ${imap.port}\n    ca_file: ${imap.caFile}\n    user: ${imap.user}\n    mailbox: ${mailbox}\n    interval_seconds: 5\n`);
      const before = await imapReports();
      const smtpBefore = (await ctx.db.selectFrom('phishing_reports').select('reference').where('received_as', '=', 'smtp').execute()).length;
      await append(forwarded('hugo@example.org'));
      const env = { ...process.env, TOCSIN_CONFIG: configFile, TOCSIN_DATA_DIR: database().config.dataDir, DATABASE_URL: database().config.databaseUrl ?? '', TOCSIN_LISTEN: '127.0.0.1:0', TOCSIN_PUBLIC_LISTEN: '127.0.0.1:0', TOCSIN_PHISHING_IMAP_PASSWORD: imap.password, TOCSIN_PHISHING_DNS_SERVERS: dns.address };
      const { child, found, exited } = await startTocsin(['serve', '--smtp-listen', '127.0.0.1:0'], { env, ready: (stderr) => /^mailbox: (smtp:\/\/127\.0\.0\.1:\d+)$/m.exec(stderr)?.[1] });
      try {
        const url = new URL(found);
        const sent = await nodemailer.createTransport({ host: url.hostname, port: Number(url.port), secure: false, ignoreTLS: true }).sendMail({ envelope: { from: 'ivan@example.org', to: [MAILBOX] }, raw: forwarded('ivan@example.org') });
        expect(sent.response).toMatch(/^250 /);
        for (let i = 0; i < 600 && (await imapReports()) === before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await imapReports()).toBe(before + 1);
        expect((await ctx.db.selectFrom('phishing_reports').select('reference').where('received_as', '=', 'smtp').execute()).length).toBe(smtpBefore + 1);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      const missing = tocsin(['serve'], { database: database().config, env: { TOCSIN_CONFIG: configFile, TOCSIN_LISTEN: '127.0.0.1:0', TOCSIN_PUBLIC_LISTEN: '127.0.0.1:0' } });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('phishing.imap needs the mailbox password: set TOCSIN_PHISHING_IMAP_PASSWORD');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with a missing or wrong password, keeping nothing', async () => {
    const settings = ctx.config.phishing.imap!;
    const before = await imapReports();
    await append(forwarded('jana@example.org'));
    await expect(pollMailbox({ ...ctx, config: { ...ctx.config, phishing: { ...ctx.config.phishing, imap: { ...settings, password: 'wrong' } } } })).rejects.toThrow();
    expect(() => startMailboxPolling({ ...ctx, config: { ...ctx.config, phishing: { ...ctx.config.phishing, imap: { ...settings, password: undefined } } } })).toThrow(expect.objectContaining({ code: 'IMAP_PASSWORD_MISSING', kind: 'invalid' }));
    expect(await imapReports()).toBe(before);
  });
});
