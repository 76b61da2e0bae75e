import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { recipientAddress } from '../src/mail/recipient.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop, spawnTocsin, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KILLS = 8;
/** Each kill comes after the server has accepted between 1 and this many more messages. */
const MOST_BETWEEN_KILLS = 120;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('a campaign killed again and again', (database) => {
  let ctx: OpenContext;
  let id: string;
  let server: TestSmtpServer;

  beforeAll(async () => {
    ctx = await database().context();
    id = await campaignOfDemoShop(ctx, join(dir, `shop-${database().dialect}`), 18_000);
    server = await startSmtpServer();
  });
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
  });

  /**
   * PostgreSQL ends a killed client's session only when it notices the closed socket; a commit
   * it was running still lands. Count what the dead sender left only once its sessions are gone.
   */
  async function deadSenderGone(pid: number): Promise<void> {
    if (database().dialect !== 'postgres') return;
    for (let waited = 0; waited < 10_000; waited += 20) {
      const { rows } = await sql<{ count: string }>`select count(*) as count from pg_stat_activity where application_name = ${`tocsin ${pid}`}`.execute(ctx.db);
      if (Number(rows[0]!.count) === 0) return;
      await sleep(20);
    }
    throw new Error(`the killed sender ${pid} still has PostgreSQL sessions after 10 s`);
  }

  it('reaches every person at least once, with no more duplicates than notices in flight at the kills', async () => {
    const notices = await ctx.db.selectFrom('notices').select(['subject', 'email']).where('incident_id', '=', id).execute();
    // Enough that the last kill still comes before the end, however late each comes.
    expect(notices.length).toBeGreaterThan(KILLS * MOST_BETWEEN_KILLS + 200);
    const args = ['send', id, '--from', 'notices@shop.example.com', '--transport', `smtp://127.0.0.1:${server.port}`, '--rate', '0', '--per-domain', '0'];

    // The in-flight bound: every notice in `sending` when its sender died may have reached the server already.
    let inFlightAtKills = 0;
    let kills = 0;
    while (kills < KILLS) {
      const child = spawnTocsin(args, database().config);
      let exited = false;
      void child.exited.then(() => (exited = true));
      const killAt = server.received.length + 1 + Math.floor(Math.random() * MOST_BETWEEN_KILLS);
      while (!exited && server.received.length < killAt) await sleep(2);
      child.kill('SIGKILL');
      const { code, signal, stderr } = await child.exited;
      if (code === 0) break; // finished before its kill came
      expect(signal, stderr).toBe('SIGKILL');
      kills++;
      await deadSenderGone(child.pid!);
      const sending = await ctx.db.selectFrom('notices').select((eb) => eb.fn.countAll<number>().as('count')).where('incident_id', '=', id).where('state', '=', 'sending').executeTakeFirstOrThrow();
      inFlightAtKills += Number(sending.count);
    }
    const last = await spawnTocsin(args, database().config).exited;
    expect(last.code, last.stderr).toBe(0);

    const received = new Map<string, number>();
    for (const message of server.received) received.set(message.to, (received.get(message.to) ?? 0) + 1);
    const missed = notices.filter((notice) => !received.has(recipientAddress(notice.email)!));
    const duplicates = server.received.length - received.size;
    expect(kills).toBe(KILLS);
    expect(missed).toEqual([]);
    expect(received.size).toBe(notices.length);
    expect(duplicates).toBeLessThanOrEqual(inFlightAtKills);

    const states = await ctx.db.selectFrom('notices').select('state').where('incident_id', '=', id).where('state', '!=', 'sent').execute();
    expect(states).toEqual([]);
    const takeOvers = await ctx.db.selectFrom('audit_log').select('details').where('incident_id', '=', id).where('action', '=', 'delivery.taken_over').execute();
    expect(takeOvers.reduce((sum, entry) => sum + JSON.parse(entry.details).notices, 0)).toBe(inFlightAtKills);
  });
});
