import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { sendCampaign } from '../src/delivery/campaign.ts';
import { recipientAddress } from '../src/mail/recipient.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-delivery-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** About one address in eight does not exist: the same ones every time. */
const unknownUser = (address: string) => createHash('sha256').update(address).digest()[0] < 32;

describeEachDatabase('delivering through a server that fails', (database) => {
  let ctx: OpenContext;
  let id: string;
  let server: TestSmtpServer;
  const refusals = { rcpt4xx: 0, data4xx: 0, drops: 0 };

  beforeAll(async () => {
    ctx = await database().context();
    id = await campaignOfDemoShop(ctx, join(dir, `shop-${database().dialect}`), 3000);
    server = await startSmtpServer({
      rcpt(address) {
        if (unknownUser(address)) return { responseCode: 550, message: `5.1.1 <${address}>: Recipient address rejected: User unknown` };
        if (Math.random() < 0.2 && ++refusals.rcpt4xx) return { responseCode: 451, message: '4.7.1 Greylisted, please try again later' };
      },
      data() {
        if (Math.random() < 0.1 && ++refusals.drops) return 'drop';
        if (Math.random() < 0.1 && ++refusals.data4xx) return { responseCode: 452, message: '4.3.1 Insufficient system storage' };
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
  });

  it('ends with every deliverable notice sent once, every undeliverable one bounced with its reason, none lost', async () => {
    const summary = await sendCampaign(ctx, id, {
      from: 'notices@shop.example.com',
      transport: `smtp://127.0.0.1:${server.port}`,
      rate: 0,
      perDomain: 0,
      retry: { firstDelayMs: 20, maxDelayMs: 200, maxAttempts: 30 },
    });
    expect(summary.completed).toBe(true);
    expect(refusals.rcpt4xx).toBeGreaterThan(0);
    expect(refusals.data4xx).toBeGreaterThan(0);
    expect(refusals.drops).toBeGreaterThan(0);
    expect(summary.run.deferred).toBeGreaterThanOrEqual(refusals.rcpt4xx + refusals.data4xx);

    const notices = await ctx.db.selectFrom('notices').select(['subject', 'email', 'state', 'attempts', 'last_reply']).where('incident_id', '=', id).execute();
    const received = server.received.map((message) => message.to);
    const undeliverable = notices.filter((notice) => unknownUser(recipientAddress(notice.email)!));
    expect(undeliverable.length).toBeGreaterThan(0);
    for (const notice of notices) {
      const address = recipientAddress(notice.email)!;
      if (unknownUser(address)) {
        expect(notice).toMatchObject({ state: 'bounced', last_reply: `550 5.1.1 <${address}>: Recipient address rejected: User unknown` });
        expect(received).not.toContain(address);
      } else {
        expect(notice.state).toBe('sent');
        expect(received.filter((to) => to === address)).toHaveLength(1);
      }
    }
    expect(summary.states).toMatchObject({ sent: notices.length - undeliverable.length, bounced: undeliverable.length, queued: 0, deferred: 0, sending: 0, failed: 0 });
    expect(notices.some((notice) => notice.attempts > 1)).toBe(true);
  });
});
