import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext, type OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { DEMO_INCIDENT } from '../src/demo/story.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { POSTGRES_SKIPPED, POSTGRES_URL, createSchema } from './helpers/databases.ts';
import { campaignOfDemoShop, spawnTocsin } from './helpers/delivery.ts';
import { configWith } from '../src/config.ts';

/** A TCP proxy between Tocsin and PostgreSQL that can be cut, as a network or a server fails. */
async function startProxy(target: URL): Promise<{ url: (url: string) => string; upstreamBytes: () => number; cut: () => void }> {
  const sockets = new Set<Socket>();
  let upstreamBytes = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    client.on('data', (chunk: Buffer) => (upstreamBytes += chunk.length));
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (url) => Object.assign(new URL(url), { hostname: '127.0.0.1', port: String(port) }).toString(),
    upstreamBytes: () => upstreamBytes,
    // Every connection drops and no new one is let through: the server is gone for good.
    cut: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Cuts the proxy once `condition` holds (or the command ended without it, which the test then reports). */
async function cutWhen(proxy: { cut: () => void }, child: { exited: Promise<unknown> }, condition: () => boolean): Promise<void> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (!condition() && !exited) await sleep(5);
  proxy.cut();
}

/** What a command cut off from its database must print: one line saying so, no stack trace. */
function expectOneClearLine(stderr: string): void {
  expect(stderr).toMatch(/^tocsin: lost the connection to PostgreSQL \([^\n]+\); what this command had not committed was rolled back: run it again once the server is reachable\n$/);
}

describe.runIf(POSTGRES_URL)(`a PostgreSQL connection lost mid-command${POSTGRES_URL ? '' : ` (${POSTGRES_SKIPPED})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-connection-loss-'));
  let ctx: OpenContext;
  let databaseUrl: string;
  let dropSchema: () => Promise<void>;
  const shop = join(dir, 'import-shop');
  let campaign: string;

  beforeAll(async () => {
    const schema = await createSchema(POSTGRES_URL!);
    dropSchema = schema.drop;
    databaseUrl = schema.url;
    ctx = await openContext({ config: configWith({ data_dir: dir, database_url: databaseUrl }), actor: 'test' });
    await generateDemoShop({ outDir: shop, orders: 30_000, logLines: 200, seed: 11 });
    campaign = await campaignOfDemoShop(ctx, join(dir, 'send-shop'), 3000);
  });
  afterAll(async () => {
    await ctx?.close();
    await dropSchema?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends an import with one clear line and exit 1, keeps none of it, and a second import loads it all', async () => {
    const { id } = await createIncident(ctx, DEMO_INCIDENT);
    const proxy = await startProxy(new URL(POSTGRES_URL!));
    const args = ['import', id, join(shop, 'orders.csv'), '--preset', 'tocsin-demo'];

    const child = spawnTocsin(args, { dataDir: dir, databaseUrl: proxy.url(databaseUrl) });
    // A mebibyte of rows on the wire: well into the import (its CSV is five), whatever the machine's speed.
    await cutWhen(proxy, child, () => proxy.upstreamBytes() > 1 << 20);
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(1);
    expectOneClearLine(stderr);

    const count = async (table: 'imports' | 'records') =>
      Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow()).n);
    expect(await count('imports')).toBe(0);
    expect(await count('records')).toBe(0);

    const again = await spawnTocsin(args, { dataDir: dir, databaseUrl }).exited;
    expect(again.code, again.stderr).toBe(0);
    expect(await count('imports')).toBe(1);
    expect(await count('records')).toBe(30_000);
  });

  it('ends an import whose session an administrator terminated (SQLSTATE 57P01) the same way', async () => {
    const { id } = await createIncident(ctx, DEMO_INCIDENT);
    const child = spawnTocsin(['import', id, join(shop, 'orders.csv'), '--preset', 'tocsin-demo'], { dataDir: dir, databaseUrl });
    const sessions = () => sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE application_name = ${`tocsin ${child.pid}`} AND query ILIKE '%INSERT INTO "records"%'`.execute(ctx.db);
    let terminated = 0;
    let exited = false;
    void child.exited.then(() => (exited = true));
    while (terminated === 0 && !exited) {
      for (const { pid } of (await sessions()).rows) terminated += Number(await sql`SELECT pg_terminate_backend(${pid})`.execute(ctx.db).then(() => 1));
      await sleep(5);
    }
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(1);
    // Which of the three the client sees is a race: the server's FATAL message, the socket's end, or its reset when both ends close at once.
    expect(stderr).toMatch(/\((terminating connection due to administrator command, SQLSTATE 57P01|Connection terminated unexpectedly|read ECONNRESET)\)/);
    expectOneClearLine(stderr);
    const imports = await ctx.db.selectFrom('imports').select('id').where('incident_id', '=', id).execute();
    expect(imports).toEqual([]);
  });

  it('ends a send with one clear line and exit 1; what it sent stays sent, and a second send sends the rest', async () => {
    const id = campaign;
    const notices = await ctx.db.selectFrom('notices').select(['seq']).where('incident_id', '=', id).execute();
    expect(notices.length).toBeGreaterThan(150);
    const outbox = join(dir, 'outbox');
    const proxy = await startProxy(new URL(POSTGRES_URL!));
    const send = ['send', id, '--from', 'notices@shop.example.com', '--transport', `file:${outbox}`];

    // 40 a second: the send takes several seconds, and the cut comes after 20 notices.
    const child = spawnTocsin([...send, '--rate', '40'], { dataDir: dir, databaseUrl: proxy.url(databaseUrl) });
    await cutWhen(proxy, child, () => existsSync(outbox) && readdirSync(outbox).length >= 20);
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(1);
    expectOneClearLine(stderr);

    // A notice is marked sent only once written: each one marked has its file.
    const sent = await ctx.db.selectFrom('notices').select(['seq']).where('incident_id', '=', id).where('state', '=', 'sent').execute();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(notices.length);
    for (const { seq } of sent) expect(existsSync(join(outbox, `${id}.${seq}.eml`))).toBe(true);

    const again = await spawnTocsin([...send, '--rate', '0'], { dataDir: dir, databaseUrl }).exited;
    expect(again.code, again.stderr).toBe(0);
    const states = await ctx.db.selectFrom('notices').select(['state']).distinct().where('incident_id', '=', id).execute();
    expect(states).toEqual([{ state: 'sent' }]);
    expect(readdirSync(outbox).filter((name) => name.endsWith('.eml'))).toHaveLength(notices.length);
  });
});
