import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { sendCampaign } from '../src/delivery/campaign.ts';
import { campaignProgress } from '../src/jobs/index.ts';
import { domainOf } from '../src/mail/recipient.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop, spawnTocsin, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-delivery-throttle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Asks for the campaign's progress until `found` says it shows what the test waits for (a heartbeat is 5 s). */
async function progressWhen(ctx: OpenContext, id: string, found: (progress: Awaited<ReturnType<typeof campaignProgress>>) => boolean) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const progress = await campaignProgress(ctx, id);
    if (found(progress) || Date.now() > deadline) return progress;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describeEachDatabase('per-domain throttles seen from outside the sender', (database) => {
  let ctx: OpenContext;
  let id: string;
  let server: TestSmtpServer;
  /** The recipients' commonest domain, which answers 4xx, the recipient's address in its words. */
  let greylisting: string;

  beforeAll(async () => {
    ctx = await database().context();
    id = await campaignOfDemoShop(ctx, join(dir, `shop-${database().dialect}`), 3000);
    const subjects = await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', id).execute();
    const counts = new Map<string, number>();
    for (const { subject } of subjects) counts.set(domainOf(subject), (counts.get(domainOf(subject)) ?? 0) + 1);
    greylisting = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    server = await startSmtpServer({
      rcpt: (address) => (domainOf(address).toLowerCase() === greylisting ? { responseCode: 451, message: `4.7.1 <${address}>: Recipient address rejected: Greylisted, try again later` } : undefined),
    });
  });
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
  });

  it("shows the domain answering 4xx slowed down with the reply's codes (the others not) while the sender runs, and nothing once it stopped", async () => {
    const stop = new AbortController();
    const sending = sendCampaign(ctx, id, {
      from: 'notices@shop.example.com',
      transport: `smtp://127.0.0.1:${server.port}`,
      rate: 0,
      perDomain: 50,
      retry: { firstDelayMs: 50, maxDelayMs: 200, maxAttempts: 1000 },
      signal: stop.signal,
    });
    try {
      const { delivery } = await progressWhen(ctx, id, ({ delivery }) => delivery.throttles.domains.some((d) => d.domain === greylisting && d.slowed_since !== null));
      expect(delivery.senders).toHaveLength(1);
      const [sender] = delivery.senders;
      expect(sender.throttle).toEqual(delivery.throttles);
      const [slowed, ...others] = delivery.throttles.domains;
      expect(slowed).toMatchObject({ domain: greylisting, limit: 50, last_deferral: '451 4.7.1' });
      expect(slowed.pace).toBeLessThan(50);
      expect(slowed.deferrals).toBeGreaterThan(0);
      expect(Date.parse(slowed.slowed_since!)).toBeLessThanOrEqual(Date.parse(sender.heartbeat_at));
      expect(others.length).toBeGreaterThan(0);
      for (const domain of others) expect(domain).toMatchObject({ pace: 50, limit: 50, slowed_since: null, deferrals: 0, last_deferral: null });
      expect(JSON.stringify(delivery.throttles)).not.toContain('@');

      // `tocsin delivery`, from another process, names the slowed domain alone (in a child: the sender goes on meanwhile).
      const cli = spawnTocsin(['delivery', id], database().config);
      let stdout = '';
      cli.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      expect((await cli.exited).code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^slowed down: +${greylisting.replace(/\./g, '\\.')} at [\\d.]+/s since \\S+ \\(\\d+ × 4xx, last 451 4\\.7\\.1\\)$`, 'm'));
    } finally {
      stop.abort();
      await sending;
    }
    const { delivery } = await campaignProgress(ctx, id);
    expect(delivery.senders).toEqual([]);
    expect(delivery.throttles).toEqual({ domains: [], others: { domains: 0, slowed: 0, queued: 0, in_flight: 0, deferrals: 0 } });
    expect(await ctx.db.selectFrom('senders').select('throttle').execute()).toEqual([]);
  });
});
