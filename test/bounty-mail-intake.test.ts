/**
 * Bug bounty reports sent by email, against real parts: Tocsin's SMTP listener spoken to by
 * Nodemailer, an IMAP mailbox on Debian's Dovecot, the reply delivered to a capture SMTP server,
 * the claim link opened by researchers signed in over HTTP on the public listener; on both databases.
 */
import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueResearcherLink, signUpResearcher, verifyResearcherEmail } from '../src/accounts/index.ts';
import { sendClaimReplies, showReport, UNKNOWN_ASSET } from '../src/bounty/index.ts';
import type { OpenContext } from '../src/context.ts';
import { listJobs } from '../src/jobs/index.ts';
import { pollMailbox, type Listeners } from '../src/server/index.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startDovecot, type ImapServer } from './helpers/dovecot.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { json, startTestListeners } from './helpers/server.ts';

const PHISHING = 'phishing@shop.example.com';
const SECURITY = 'security@shop.example.com';
const PASSWORD = 'quartz-lantern-harbour-93';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake image bytes')]);

describeEachDatabase('bug bounty reports sent by email, and their claim links', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let sink: TestSmtpServer;
  beforeAll(async () => {
    sink = await startSmtpServer();
    ctx = await database().context();
    Object.assign(ctx.config, {
      public_url: 'https://help.shop.example.com',
      bounty: { ...BOUNTY, report_address: SECURITY },
      shop: { ...ctx.config.shop, name: 'Example Phone Shop', domains: ['shop.example.com'] },
      sender: { ...ctx.config.sender, from: 'desk@shop.example.com' },
      smtp: { ...ctx.config.smtp, url: `smtp://127.0.0.1:${sink.port}` },
    });
    listeners = await startTestListeners(ctx, {
      phishing: { ...ctx.config.phishing, smtp: { listen: '127.0.0.1:0', size_limit: 16 * 1024 ** 2, recipients: [PHISHING], max_clients: 100 } },
    });
  });
  afterAll(async () => {
    await listeners?.close();
    await sink?.close();
    await ctx?.close();
  });

  const send = async (to: string, raw: string, from = 'finder@example.org'): Promise<string> => {
    const url = new URL(listeners.mailboxUrl!);
    const sent = await nodemailer.createTransport({ host: url.hostname, port: Number(url.port), secure: false, ignoreTLS: true }).sendMail({ envelope: { from, to: [to] }, raw });
    return /kept as report ([BR]-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(sent.response)![1];
  };
  const post = (path: string, body: unknown, cookie: string) => fetch(`${listeners.publicUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
  /** A verified researcher, signed in over HTTP: their cookie. */
  const researcher = async (email: string): Promise<string> => {
    const { researcher_id } = await signUpResearcher(ctx, { email, password: PASSWORD, locale: 'en-GB', address: '127.0.0.1' });
    await verifyResearcherEmail(ctx, await issueResearcherLink(ctx, researcher_id, 'verify'));
    const response = await fetch(`${listeners.publicUrl}/api/bounty/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(response.status).toBe(200);
    return response.headers.get('set-cookie')!.split(';')[0];
  };

  const REPORT = [
    'From: Finder <finder@example.org>',
    `To: ${SECURITY}`,
    'Subject: IDOR on /api/orders/<id>',
    'Content-Language: fr',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Any order is readable:</p><script>alert(1)</script><p>GET /api/orders/2 &amp; more</p>',
    '--b1',
    'Content-Type: image/png; name="proof.png"',
    'Content-Disposition: attachment; filename="../proof.png"',
    'Content-Transfer-Encoding: base64',
    '',
    PNG.toString('base64'),
    '--b1',
    'Content-Type: application/octet-stream; name="tool.exe"',
    'Content-Disposition: attachment; filename="tool.exe"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]).toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');

  let reference: string;
  let link: string;

  it('keeps a message to bounty.report_address as a bug bounty report, not a phishing report: subject, text, attachments by their bytes', async () => {
    reference = await send(SECURITY, REPORT);
    expect(reference).toMatch(/^B-/);
    expect(await ctx.db.selectFrom('phishing_reports').select('reference').execute()).toEqual([]);
    expect((await listJobs(ctx)).filter((job) => job.kind === 'phishing_analysis')).toEqual([]);
    const view = await showReport(ctx, reference);
    expect(view).toMatchObject({ title: 'IDOR on /api/orders/<id>', asset: UNKNOWN_ASSET, weakness: 'NVD-CWE-noinfo', state: 'new', researcher: null, researcher_cvss: null, severity: null });
    // The HTML body as text: tags out, never rendered.
    expect(view.description).toContain('Any order is readable:');
    expect(view.description).toContain('GET /api/orders/2 & more');
    expect(view.description).not.toMatch(/<p>|<script>/);
    expect(view.attachments).toEqual([expect.objectContaining({ filename: 'proof.png', content_type: 'image/png', size: PNG.byteLength })]);
    expect(view.events[0]).toMatchObject({ actor: 'email', event: 'submitted' });
    // The sender's address is kept only for the reply.
    expect(await ctx.db.selectFrom('bounty_report_claims').select(['reply_to', 'token_hash']).execute()).toEqual([{ reply_to: 'finder@example.org', token_hash: null }]);
  });

  it("replies to the sender in the message's language with the reference and a one-use claim link, then forgets the address", async () => {
    const before = sink.received.length;
    expect(await sendClaimReplies(ctx)).toEqual({ sent: 1, failed: 0 });
    const [reply] = sink.received.slice(before);
    expect(reply.to).toBe('finder@example.org');
    const parsed = await PostalMime.parse(reply.raw);
    expect(parsed.subject).toBe(`Signalement ${reference} reçu : rattachez-le à votre compte`);
    link = /https:\/\/help\.shop\.example\.com\/bounty\/claim#([A-Za-z0-9_-]{43})/.exec(parsed.text!)![1];
    const claim = await ctx.db.selectFrom('bounty_report_claims').select(['reply_to', 'token_hash', 'replied_at']).executeTakeFirstOrThrow();
    expect(claim.reply_to).toBeNull();
    expect(claim.replied_at).not.toBeNull();
    // Only a keyed hash of the token is kept.
    expect(claim.token_hash).not.toContain(link);
    expect(await sendClaimReplies(ctx)).toEqual({ sent: 0, failed: 0 });
  });

  it('lets a signed-in researcher claim the report with the link: it is theirs from then on; the link works once, for no one else', async () => {
    const ada = await researcher('ada@research.example');
    const bob = await researcher('bob@research.example');
    const page = await fetch(`${listeners.publicUrl}/bounty/claim?lang=en-GB`, { headers: { cookie: ada, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/bounty/claim.js"></script>');
    expect((await fetch(`${listeners.publicUrl}/api/bounty/reports/${reference}`, { headers: { cookie: ada } })).status).toBe(404);

    const claimed = await post('/api/bounty/claims', { token: link }, ada);
    expect(claimed.status).toBe(200);
    expect(await json(claimed)).toEqual({ reference });
    expect(await json(fetch(`${listeners.publicUrl}/api/bounty/reports`, { headers: { cookie: ada } }))).toMatchObject({ reports: [expect.objectContaining({ reference, title: 'IDOR on /api/orders/<id>' })] });
    expect((await showReport(ctx, reference)).researcher).toMatchObject({ email: 'ada@research.example' });

    for (const cookie of [ada, bob]) {
      const again = await post('/api/bounty/claims', { token: link }, cookie);
      expect(again.status).toBe(409);
      expect(await json(again)).toMatchObject({ error: { code: 'CLAIM_LINK_USED' } });
    }
    expect(await json(post('/api/bounty/claims', { token: 'not-a-token' }, bob))).toMatchObject({ error: { code: 'CLAIM_LINK_USED' } });
    expect(await json(fetch(`${listeners.publicUrl}/api/bounty/reports`, { headers: { cookie: bob } }))).toEqual({ reports: [] });
    // Signed out, the claim is refused before anything is looked up.
    expect((await fetch(`${listeners.publicUrl}/api/bounty/claims`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link }) })).status).toBe(401);
  });

  it('still keeps a message to the phishing address as a phishing report, and answers no automatic message', async () => {
    const phishing = await send(PHISHING, `From: anna@example.org\r\nTo: ${PHISHING}\r\nSubject: Fwd: verify your account\r\n\r\nhttps://shop-example.com.evil.example/login\r\n`);
    expect(phishing).toMatch(/^R-/);
    expect(await ctx.db.selectFrom('phishing_reports').select('reference').execute()).toEqual([{ reference: phishing }]);
    const automatic = await send(SECURITY, `From: robot@example.org\r\nTo: ${SECURITY}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nAway.\r\n`);
    expect(await ctx.db.selectFrom('bounty_report_claims').select('reply_to').where('report_reference', '=', automatic).executeTakeFirstOrThrow()).toEqual({ reply_to: null });
  });
});

describeEachDatabase('bug bounty reports sent by email, from the polled IMAP mailbox (Dovecot)', (database) => {
  let ctx: OpenContext;
  let imap: ImapServer;
  let client: ImapFlow;
  beforeAll(async () => {
    imap = await startDovecot();
    ctx = await database().context();
    Object.assign(ctx.config, { bounty: { ...BOUNTY, report_address: SECURITY } });
    Object.assign(ctx.config.phishing, { imap: { host: imap.host, port: imap.port, security: 'tls', ca_file: imap.caFile, user: imap.user, password: imap.password, mailbox: 'INBOX', interval_seconds: 5 } });
    client = new ImapFlow({ host: imap.host, port: imap.port, secure: true, tls: { ca: readFileSync(imap.caFile) }, auth: { user: imap.user, pass: imap.password }, logger: false });
    await client.connect();
  });
  afterAll(async () => {
    await client?.logout();
    await ctx?.close();
    await imap?.close();
  });

  it('keeps a message To, Cc or Delivered-To the bounty address as a bug bounty report, any other as a phishing report, each once', async () => {
    await client.append('INBOX', `From: finder@example.org\r\nTo: ${SECURITY}\r\nSubject: SQL injection in search\r\n\r\n' OR 1=1 --\r\n`);
    await client.append('INBOX', `Delivered-To: ${SECURITY}\r\nFrom: other@example.org\r\nTo: list@example.org\r\nSubject: Open redirect\r\n\r\n/login?next=//evil.example\r\n`);
    await client.append('INBOX', `From: anna@example.org\r\nTo: ${PHISHING}\r\nCc: friend@example.org\r\nSubject: Fwd: verify your account\r\n\r\nhttps://evil.example/login\r\n`);
    expect(await pollMailbox(ctx)).toEqual({ kept: 3 });
    expect((await ctx.db.selectFrom('bounty_reports').select('title').orderBy('title').execute()).map((row) => row.title)).toEqual(['Open redirect', 'SQL injection in search']);
    expect(await ctx.db.selectFrom('phishing_reports').select('received_as').execute()).toEqual([{ received_as: 'imap' }]);
    expect(await pollMailbox(ctx)).toEqual({ kept: 0 });
    expect(await ctx.db.selectFrom('bounty_reports').select('reference').execute()).toHaveLength(2);
  });
});
