import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { OpenContext } from '../src/context.ts';
import { servingPool } from '../src/db/index.ts';
import { describeEachDatabase, type TestDatabase } from './helpers/databases.ts';
import { startTocsin, tocsin, tocsinMain } from './helpers/cli.ts';
import { addStaff, type Staff } from './helpers/server.ts';

/** `tocsin serve` as a child process, once it has said where it listens. */
async function serve(database: TestDatabase, args: string[] = []) {
  const env = { ...process.env, TOCSIN_DATA_DIR: database.config.dataDir, DATABASE_URL: database.config.databaseUrl ?? '', TOCSIN_LISTEN: '127.0.0.1:0', TOCSIN_PUBLIC_LISTEN: '127.0.0.1:0' };
  const { found: lines, ...running } = await startTocsin(['serve', ...args], {
    env,
    ready: (stderr) => {
      const found = stderr.split('\n').filter((line) => /^(console|public): /.test(line));
      return found.length === 2 ? found : undefined;
    },
  });
  return { ...running, lines };
}

/** The processes `pid` started (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
}

describeEachDatabase('tocsin serve', (database) => {
  let ctx: OpenContext;
  let staff: Staff;
  beforeAll(async () => {
    ctx = await database().context();
    staff = await addStaff(ctx);
  });
  afterAll(() => ctx?.close());

  it('says where each listener is, finishes a request in flight on SIGTERM, and exits 0', async () => {
    const { child, lines, exited } = await serve(database());
    const [consoleUrl, publicUrl] = lines.map((line) => line.replace(/^\w+: /, ''));
    expect(lines[0]).toMatch(/^console: http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^public: http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${consoleUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${publicUrl}/healthz`)).status).toBe(404);

    // Half a request body, then SIGTERM, then the rest: the request is answered before the exit.
    const body = JSON.stringify({ title: 'In flight', aware_at: '2019-11-14T16:00:00Z' });
    const answered = new Promise<number>((resolve, reject) => {
      const outgoing = request(`${consoleUrl}/api/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${staff.tokens.responder}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => outgoing.end(body.slice(10)), 300);
      }, 200);
    });
    expect(await answered).toBe(201);
    expect(await exited).toBe(0);
  });

  it('serves from --processes serving processes: /metrics sums theirs, one that dies is replaced, SIGTERM stops them all and exits 0', async () => {
    const { child, lines, exited, stderr } = await serve(database(), ['--processes', '2']);
    const [consoleUrl, publicUrl] = lines.map((line) => line.replace(/^\w+: /, ''));
    const serving = () => childrenOf(child.pid!);
    expect(serving()).toHaveLength(2);
    // A connection each: the first process hands connections to its serving processes in turn.
    for (let n = 0; n < 6; n++) expect((await fetch(`${consoleUrl}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
    expect((await fetch(`${publicUrl}/healthz`, { headers: { connection: 'close' } })).status).toBe(404);
    const metrics = await (await fetch(`${consoleUrl}/metrics`)).text();
    expect(metrics).toContain('tocsin_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 6\n');

    const { databaseUrl } = database().config;
    if (databaseUrl) {
      // PostgreSQL runs on this machine: each serving process keeps its share of the cores in
      // connections (servingPool), however many requests wait on it.
      const listed = await Promise.all(Array.from({ length: 40 }, () => fetch(`${consoleUrl}/api/incidents`, { headers: { authorization: `Bearer ${staff.tokens.viewer}` } })));
      expect(listed.map((response) => response.status)).toEqual(Array(40).fill(200));
      const backends = await sql<{ name: string; count: number }>`SELECT application_name AS name, count(*)::int AS count FROM pg_stat_activity WHERE application_name = ANY(${serving().map((pid) => `tocsin ${pid}`)}) GROUP BY 1`.execute(ctx.db);
      expect(backends.rows.length).toBeGreaterThan(0);
      for (const { count } of backends.rows) expect(count).toBeLessThanOrEqual(servingPool(databaseUrl, 2));
    }

    const [killed] = serving();
    process.kill(killed, 'SIGKILL');
    await expect.poll(() => stderr()).toContain('tocsin: a serving process stopped (signal SIGKILL); starting another\n');
    await expect.poll(() => serving().filter((pid) => pid !== killed)).toHaveLength(2);
    expect((await fetch(`${consoleUrl}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);

    const last = serving();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of last) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses to start when a serving process cannot listen, saying why', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const refused = tocsin(['serve', '--processes', '2', '--listen', `127.0.0.1:${port}`, '--public-listen', '127.0.0.1:0'], { database: database().config });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`tocsin: cannot listen on 127.0.0.1:${port} (EADDRINUSE); choose another address as listen\n`);
      expect(refused.stderr).toContain('tocsin: a serving process stopped before it listened (exit 1); its message above says why\n');
    } finally {
      taken.close();
    }
  });

  it('refuses a listen address in use with a clear message', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const inUse = tocsin(['serve', '--listen', `127.0.0.1:${port}`, '--public-listen', '127.0.0.1:0'], { database: database().config });
      expect(inUse.status).toBe(1);
      expect(inUse.stderr).toBe(`tocsin: cannot listen on 127.0.0.1:${port} (EADDRINUSE); choose another address as listen\n`);
    } finally {
      taken.close();
    }
  });
});

// The settings are checked before anything opens: no database, no listener, in this process.
describe('tocsin serve refuses a bad setting with one line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-serve-settings-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const serveWith = (args: string[], env: Record<string, string> = {}) => tocsinMain(['serve', ...args], { env: { TOCSIN_DATA_DIR: dataDir, ...env } });

  it('a serving process count that is not a whole number from 1 to 64', async () => {
    for (const count of ['0', '2.5', 'two']) {
      expect(await serveWith(['--processes', count])).toMatchObject({ status: 2, stderr: 'tocsin: --processes: expected a whole number from 1 to 64\n' });
    }
    expect(await serveWith([], { TOCSIN_PROCESSES: '65' })).toMatchObject({ status: 2, stderr: 'tocsin: TOCSIN_PROCESSES: expected a whole number from 1 to 64\n' });
  });

  it('a listen address that is not HOST:PORT, a proxy that is not an address, a certificate without its key', async () => {
    expect(await serveWith(['--listen', 'localhost'])).toMatchObject({ status: 2, stderr: 'tocsin: --listen: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080\n' });
    expect(await serveWith(['--trust-proxy', 'proxy.example'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--trust-proxy, item 1: expected an address or CIDR') });
    expect(await serveWith(['--tls-cert', 'cert.pem'])).toMatchObject({ status: 2, stderr: expect.stringContaining('tls.cert_file and tls.key_file (--tls-cert, --tls-key) go together') });
  });
});
