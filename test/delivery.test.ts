import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { sendCampaign } from '../src/delivery/campaign.ts';
import { dkimDnsRecord, loadDkimKey } from '../src/mail/dkim.ts';
import { recipientAddress } from '../src/mail/recipient.ts';
import { initIncidentTemplates } from '../src/notices/templates.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-delivery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A key of each kind, written as PEM the way `openssl genpkey` would. */
function keyFile(type: 'rsa' | 'ed25519'): string {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const file = join(dir, `${type}.pem`);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

/** DNS as a receiver would see it: the one TXT record the sender publishes. */
function resolverFor(file: string) {
  const record = dkimDnsRecord(loadDkimKey('shop.example.com', 'tocsin', file));
  return async (name: string, type: string) => {
    if (name === record.name && type === 'TXT') return [[record.value]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
}

async function dkimResult(raw: Buffer, file: string) {
  const { results } = await dkimVerify(raw, { resolver: resolverFor(file) } as Parameters<typeof dkimVerify>[1]);
  return results.map((result) => ({ result: result.status.result, domain: result.signingDomain, algorithm: result.algo }));
}

describeEachDatabase('delivering a campaign', (database) => {
  let ctx: OpenContext;
  let id: string;
  let server: TestSmtpServer;
  let notices: { subject: string; email: string; locale: string }[];
  /** The addresses the server should see: as the shop wrote them, the domain in lower case. */
  const recipients = () => notices.map((notice) => recipientAddress(notice.email)!).sort();
  const rsa = () => join(dir, 'rsa.pem');
  const ed25519 = () => join(dir, 'ed25519.pem');

  beforeAll(async () => {
    keyFile('rsa');
    keyFile('ed25519');
    ctx = await database().context();
    id = await campaignOfDemoShop(ctx, join(dir, `shop-${database().dialect}`), 3000);
    notices = await ctx.db.selectFrom('notices').select(['subject', 'email', 'locale']).where('incident_id', '=', id).execute();
    server = await startSmtpServer();
  });
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
  });
  beforeEach(async () => {
    server.received.length = 0;
    await ctx.db.updateTable('notices').set({ state: 'queued', attempts: 0, sent_at: null, last_reply: null, message_id: null }).where('incident_id', '=', id).execute();
  });

  it('sends every affected person exactly one message, DKIM-signed, in their language, naming nobody else', async () => {
    const summary = await sendCampaign(ctx, id, {
      from: 'notices@shop.example.com',
      transport: `smtp://127.0.0.1:${server.port}`,
      rate: 0,
      perDomain: 0,
      dkim: { domain: 'shop.example.com', selector: 'tocsin', keyFile: rsa() },
    });
    expect(summary).toMatchObject({ completed: true, run: { sent: notices.length, bounced: 0, failed: 0 }, states: { sent: notices.length, sending: 0, queued: 0 } });
    expect(server.received.map((message) => message.to).sort()).toEqual(recipients());

    const byRecipient = new Map(notices.map((notice) => [recipientAddress(notice.email)!, notice]));
    for (const message of server.received) {
      expect(message.from).toBe('notices@shop.example.com');
      expect(await dkimResult(message.raw, rsa())).toEqual([{ result: 'pass', domain: 'shop.example.com', algorithm: 'rsa-sha256' }]);
      const parsed = await PostalMime.parse(message.raw);
      expect(parsed.to?.[0]).toMatchObject({ address: message.to });
      expect(parsed.from).toMatchObject({ name: 'Example Phone Shop Ltd', address: 'notices@shop.example.com' });
      expect(parsed.replyTo).toMatchObject([{ address: 'dpo@shop.example.com' }]);
      const notice = byRecipient.get(message.to)!;
      const text = `${parsed.subject}\n${parsed.text}\n${parsed.html}`.toLowerCase();
      for (const other of notices) if (other !== notice) expect(text).not.toContain(other.subject);
      if (notice.locale === 'fr') {
        expect(parsed.subject).toBe('Incident de sécurité concernant vos données personnelles – Example Phone Shop Ltd');
        expect(parsed.text).toContain('Nous vous informons');
      }
    }
    expect(notices.some((notice) => notice.locale === 'fr')).toBe(true);

    const stored = await ctx.db.selectFrom('notices').select(['state', 'attempts', 'sent_at', 'last_reply', 'message_id', 'seq']).where('incident_id', '=', id).execute();
    for (const notice of stored) {
      expect(notice).toMatchObject({ state: 'sent', attempts: 1, last_reply: expect.stringMatching(/^250 /), sent_at: expect.any(String) });
      expect(notice.message_id).toMatch(new RegExp(`^<${id}\\.${notice.seq}\\.[0-9a-f]{10}@shop\\.example\\.com>$`));
    }
    const trail = await ctx.db.selectFrom('audit_log').select(['action', 'details']).where('incident_id', '=', id).where('action', 'like', 'delivery.%').orderBy('seq').execute();
    expect(trail.map((entry) => [entry.action, JSON.parse(entry.details)])).toEqual([
      ['delivery.started', expect.objectContaining({ sender: summary.sender, transport: `smtp://127.0.0.1:${server.port}`, dkim: { domain: 'shop.example.com', selector: 'tocsin', algorithm: 'rsa-sha256' } })],
      ['delivery.ended', expect.objectContaining({ sender: summary.sender, sent: notices.length, completed: true })],
    ]);
  });

  it('writes one .eml per notice into a directory, signed with Ed25519, the same file again on a resend', async () => {
    const outbox = join(dir, `outbox-${database().dialect}`);
    const send = () => sendCampaign(ctx, id, { from: 'Example Shop <notices@shop.example.com>', transport: `file:${outbox}`, dkim: { domain: 'shop.example.com', selector: 'tocsin', keyFile: ed25519() } });
    expect((await send()).run.sent).toBe(notices.length);
    await ctx.db.updateTable('notices').set({ state: 'queued' }).where('incident_id', '=', id).execute();
    await send();
    const files = readdirSync(outbox);
    expect(files).toHaveLength(notices.length);
    for (const file of files.slice(0, 20)) {
      expect(file).toMatch(new RegExp(`^${id}\\.\\d+\\.eml$`));
      expect(await dkimResult(readFileSync(join(outbox, file)), ed25519())).toEqual([{ result: 'pass', domain: 'shop.example.com', algorithm: 'ed25519-sha256' }]);
    }
  });

  it('refuses notices built from templates that have changed since', async () => {
    const { dir: templates } = initIncidentTemplates(database().config.dataDir, id);
    const subject = join(templates, 'en-GB', 'notice.subject.liquid');
    writeFileSync(subject, `Important: ${readFileSync(subject, 'utf8')}`);
    try {
      await expect(sendCampaign(ctx, id, { from: 'notices@shop.example.com', transport: `smtp://127.0.0.1:${server.port}` })).rejects.toMatchObject({
        code: 'TEMPLATES_CHANGED',
        kind: 'conflict',
        message: 'templates changed since the notices were built; build them again',
        next: { action: 'build_notices', incident_id: id },
      });
      expect(server.received).toHaveLength(0);
    } finally {
      rmSync(templates, { recursive: true, force: true });
    }
  });

  it('refuses a second sender on SQLite; on PostgreSQL two senders share the campaign without sending anything twice', async () => {
    const second = await database().context();
    try {
      const options = { from: 'notices@shop.example.com', transport: `smtp://127.0.0.1:${server.port}`, rate: 200, perDomain: 0 };
      const runs = await Promise.allSettled([sendCampaign(ctx, id, options), sendCampaign(second, id, options)]);
      if (database().dialect === 'sqlite') {
        expect(runs.filter((run) => run.status === 'rejected').map((run) => (run as PromiseRejectedResult).reason.code)).toEqual(['CAMPAIGN_BUSY']);
      } else {
        expect(runs.map((run) => run.status)).toEqual(['fulfilled', 'fulfilled']);
        const [first, other] = runs.map((run) => (run as PromiseFulfilledResult<Awaited<ReturnType<typeof sendCampaign>>>).value);
        expect(first.run.sent).toBeGreaterThan(0);
        expect(other.run.sent).toBeGreaterThan(0);
      }
      expect(server.received.map((message) => message.to).sort()).toEqual(recipients());
    } finally {
      await second.close();
    }
  });
});
