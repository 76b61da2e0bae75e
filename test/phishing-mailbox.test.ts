/**
 * The phishing desk's reporting mailboxes against real parts: Tocsin's own SMTP listener
 * (smtp-server) with STARTTLS on a test certificate, spoken to by Nodemailer; each accepted
 * message a report analysed by its `phishing_analysis` job, on both databases.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { listJobs, startJobRunner, watchJob, type JobView } from '../src/jobs/index.ts';
import { listReports } from '../src/phishing/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';
import { startTestListeners } from './helpers/server.ts';
import { makeTestCertificate } from './helpers/tls.ts';

const SHOP = 'gadgetshop.de';
const MAILBOX = `phishing@${SHOP}`;

let dns: DnsServer;
const certDir = mkdtempSync(join(tmpdir(), 'tocsin-mailbox-tls-'));
const certificate = makeTestCertificate(certDir);
beforeAll(async () => {
  dns = await startDnsmasq({});
});
afterAll(async () => {
  await dns?.close();
  rmSync(certDir, { recursive: true, force: true });
});

/** A phish as the customer got it. */
export const ORIGINAL = 'From: Gadget Shop <service@gadgetsh0p.de>\r\nTo: anna@example.org\r\nSubject: Verify your account\r\nMessage-ID: <p1@gadgetsh0p.de>\r\nDate: Thu, 03 Dec 2026 09:00:00 +0000\r\n\r\nYour order is on hold. Verify your account at https://gadgetsh0p.de/login\r\n';

/** The phish forwarded as an attachment by `from`. */
export function forwarded(from: string, language = 'de-DE'): Buffer {
  return Buffer.from(
    `From: Anna <${from}>\r\nTo: ${MAILBOX}\r\nSubject: Fwd: Verify your account\r\nContent-Language: ${language}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nIs this real?\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="original.eml"\r\n\r\n${ORIGINAL}\r\n--b1--\r\n`,
  );
}

describeEachDatabase('the reporting mailbox over SMTP', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date('2026-12-04T12:00:00Z') });
    Object.assign(ctx.config.shop, { domains: [SHOP] });
    Object.assign(ctx.config.phishing, { dns_servers: [dns.address] });
    listeners = await startTestListeners(ctx, {
      phishing: { ...ctx.config.phishing, smtp: { listen: '127.0.0.1:0', size_limit: 64 * 1024, recipients: [MAILBOX], cert_file: certificate.certFile, key_file: certificate.keyFile } },
    });
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  const transport = () => {
    const url = new URL(listeners.mailboxUrl!);
    // STARTTLS is required: a message never crosses in clear to a mailbox that offers it.
    return nodemailer.createTransport({ host: url.hostname, port: Number(url.port), secure: false, requireTLS: true, tls: { ca: readFileSync(certificate.certFile) } });
  };

  it('keeps each accepted message as a report over STARTTLS, and its job analyses the forwarded original', async () => {
    const sent = await transport().sendMail({ envelope: { from: 'anna@example.org', to: [MAILBOX] }, raw: forwarded('anna@example.org') });
    expect(sent.response).toMatch(/^250 .*kept as report R-/);
    const reference = /R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(sent.response)![0];
    const stored = await ctx.db.selectFrom('phishing_reports').select(['received_as', 'reply_to', 'message']).where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(stored.received_as).toBe('smtp');
    // The trace an MTA adds: the envelope sender and the connecting host, then the message as sent.
    expect(Buffer.from(stored.message).toString('latin1')).toMatch(/^Return-Path: <anna@example\.org>\r\nReceived: from \S+ \(\[(?:::ffff:)?127\.0\.0\.1\]\)\r\n by tocsin\.phishing-desk with ESMTPS;/);
    const [job] = (await listJobs(ctx)).filter((view) => view.kind === 'phishing_analysis');
    expect(job).toMatchObject({ state: 'queued' });
    const runner = startJobRunner(ctx, { pollMs: 20 });
    try {
      let done: JobView | undefined;
      for await (const view of watchJob(ctx, job.id, AbortSignal.timeout(120_000), { intervalMs: 20 })) done = view;
      expect(done).toMatchObject({ state: 'succeeded', result: { reference, verdict: 'phishing' } });
    } finally {
      await runner.stop();
    }
    const [view] = await listReports(ctx, { reference });
    expect(view.forward).toEqual({ kind: 'attachment', forwarder: 'anna@example.org' });
    expect(view.lookalikes).toContainEqual(expect.objectContaining({ domain: 'gadgetsh0p.de', imitates: SHOP }));
  });

  it('refuses other recipients and messages over the size limit, keeping nothing', async () => {
    const before = (await listReports(ctx)).length;
    await expect(transport().sendMail({ envelope: { from: 'anna@example.org', to: ['someone@gadgetshop.de'] }, raw: forwarded('anna@example.org') })).rejects.toMatchObject({ responseCode: 550 });
    const large = Buffer.concat([forwarded('anna@example.org'), Buffer.alloc(128 * 1024, 'A')]);
    await expect(transport().sendMail({ envelope: { from: 'anna@example.org', to: [MAILBOX] }, raw: large })).rejects.toMatchObject({ responseCode: 552 });
    expect((await listReports(ctx)).length).toBe(before);
  });

  it('refuses a certificate without its key before listening', async () => {
    await expect(startTestListeners(ctx, { phishing: { ...ctx.config.phishing, smtp: { listen: '127.0.0.1:0', size_limit: 1024, recipients: [], cert_file: certificate.certFile } } })).rejects.toMatchObject({ code: 'TLS_OPTIONS', kind: 'invalid' });
  });
});
