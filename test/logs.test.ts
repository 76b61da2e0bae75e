import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { formatCombinedLine } from '../src/evidence/combined.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { TocsinError } from '../src/lib/errors.ts';
import { importRecords } from '../src/records/import.ts';
import { affectedSubjects, evidenceFiles, explainSubject, latestRun } from '../src/scoping/results.ts';
import { runScope, withLogFiles } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const ORDERS = file('orders.csv', 'order_id,email,name\nSO1,ana@example.com,Ana\nSO2,bob@example.com,Bob\nSO3,cem@example.com,Cem\n');
const RULES = file(
  'scope.yml',
  'rules:\n  - name: order-api\n    request: GET /api/orders/:order_id\n    exposes: [name, email]\nindicators:\n  ips: ["203.0.113.0/24"]\n',
);
const BALANCER = '10.0.0.2';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64)';

/** A Caddy 2 access log line (caddyserver.com/docs/caddyfile/directives/log): behind a balancer, Caddy's client_ip is the client. */
const caddyLine = (client: string, order: string, ts: number) =>
  JSON.stringify({
    level: 'info',
    ts,
    logger: 'http.log.access',
    msg: 'handled request',
    request: { remote_ip: BALANCER, remote_port: '41342', client_ip: client, proto: 'HTTP/1.1', method: 'GET', host: 'shop.example.com', uri: `/api/orders/${order}`, headers: { 'User-Agent': ['curl/7.64.0'] } },
    bytes_read: 0,
    user_id: '',
    duration: 0.0012,
    size: 512,
    status: 200,
    resp_headers: { 'Content-Type': ['application/json'] },
  });
const CADDY_LOG = file('caddy.log', `${[caddyLine('203.0.113.9', 'SO1', 1572602400.25), caddyLine('91.92.117.197', 'SO3', 1572602401), caddyLine('203.0.113.9', 'SO2', 1572602402.5)].join('\n')}\n`);

/** A combined line with `"$http_x_forwarded_for"` appended, as nginx's usual variant logs it. */
const combined = (ip: string, order: string, at: string, forwardedFor: string | null = null, userAgent = BROWSER) =>
  formatCombinedLine({ ip, ident: null, user: null, time: Date.parse(at), method: 'GET', target: `/api/orders/${order}`, protocol: 'HTTP/1.1', status: 200, bytes: 512, referer: null, userAgent, forwardedFor }, 60);

describeEachDatabase('logs from real infrastructure', (database) => {
  let ctx: OpenContext;
  let id: string;
  const run = (args: string[], input?: string | Buffer) => tocsinMain(args, { database: database().config, input });
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, { title: 'Logs', aware_at: '2019-11-14T16:00:00Z' }));
    await importRecords(ctx, id, ORDERS, { key: 'order_id', subject: 'email', map: { name: 'name' } });
  });
  afterAll(() => ctx?.close());

  it('finds the attacker in a Caddy log read with the caddy preset, and refuses it read as nginx JSON, storing nothing', async () => {
    const found = await runScope(ctx, id, { rulesPath: RULES, logs: [CADDY_LOG], reading: { format: 'caddy' } });
    expect(found).toMatchObject({ attackerRequests: 2, affected: 2 });
    expect((await affectedSubjects(ctx, id)).subjects.map((s) => s.subject)).toEqual(['ana@example.com', 'bob@example.com']);
    expect(found.files[0]).toMatchObject({ lines: 3, parsed: 3, firstTime: 1572602400250, lastTime: 1572602402500 });

    const wrong = await runScope(ctx, id, { rulesPath: RULES, logs: [CADDY_LOG], reading: { format: 'nginx-json' } }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(TocsinError);
    expect(wrong).toMatchObject({ code: 'LOG_UNPARSED', kind: 'unsupported_media' });
    expect((wrong as Error).message).toContain(`${CADDY_LOG}: 0 of 3 lines parsed; the first unparseable line is ${CADDY_LOG}:1 (missing client address: looked for "remote_addr"): {"level":"info"`);
    expect(await latestRun(ctx.db, id)).toBe(found.run);

    const cli = await run(['scope', id, '--rules', RULES, '--logs', CADDY_LOG, '--log-format', 'nginx-json']);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('is --log-format nginx-json the right format for this log? Nothing was stored.');
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    expect(cli.stdout).toBe('');
    expect(await latestRun(ctx.db, id)).toBe(found.run);
    const assessed = JSON.parse((await run(['affected', id, '--format', 'json'])).stdout);
    expect(assessed).toMatchObject({ run: found.run, subjects: [{ subject: 'ana@example.com' }, { subject: 'bob@example.com' }] });
  });

  it('refuses an orders export given as a log and a one-line gzip bomb, unless told the lines are expected', async () => {
    const bomb = file('bomb.log.gz', gzipSync(Buffer.alloc(3 << 20, 0x41)));
    const before = await latestRun(ctx.db, id);
    for (const log of [ORDERS, bomb]) {
      await expect(runScope(ctx, id, { rulesPath: RULES, logs: [log] })).rejects.toMatchObject({ code: 'LOG_UNPARSED' });
    }
    expect(await latestRun(ctx.db, id)).toBe(before);

    const kept = await runScope(ctx, id, { rulesPath: RULES, logs: [ORDERS], allowUnparsed: true });
    expect(kept).toMatchObject({ run: before + 1, affected: 0 });
    const evidence = (await evidenceFiles(ctx, id)).find((f) => f.path === ORDERS && f.kind === 'log');
    expect(evidence).toMatchObject({ lines: 4, unparseable: 4, error: '0 of 4 lines parsed; kept with --allow-unparsed' });
  });

  it('reads a log from standard input, gzip or not, keeping it as evidence named (stdin) and no copy behind', async () => {
    const log = `${combined('203.0.113.9', 'SO2', '2019-11-01T10:00:00Z')}\n${combined('91.92.117.197', 'SO3', '2019-11-01T10:00:01Z')}\n`;
    for (const input of [gzipSync(log), Buffer.from(log)]) {
      const scoped = await run(['scope', id, '--rules', RULES, '--logs', '-', '--json'], input);
      expect(scoped.status, scoped.stderr).toBe(0);
      expect(JSON.parse(scoped.stdout)).toMatchObject({ affected: 1, files: [{ file: '(stdin)', lines: 2, sha256: createHash('sha256').update(input).digest('hex') }] });
    }
    const explained = JSON.parse((await run(['explain', id, 'bob@example.com', '--json'])).stdout);
    expect(explained.requests).toMatchObject([{ file: '(stdin)', line: 1, ip: '203.0.113.9' }]);
    expect(readdirSync(join(database().config.dataDir, 'tmp'))).toEqual([]);
  });

  it('behind a load balancer, matches the right-most untrusted address of X-Forwarded-For and keeps the peer too', async () => {
    const log = file(
      'balanced.log',
      [
        combined(BALANCER, 'SO1', '2019-11-02T10:00:00Z', '203.0.113.9'),
        // A customer's client claiming the attacker's address: left of what the balancer appended, so not believed.
        combined(BALANCER, 'SO3', '2019-11-02T10:00:01Z', '203.0.113.9, 91.92.117.197'),
        combined('203.0.113.50', 'SO2', '2019-11-02T10:00:02Z', '198.51.100.1'),
      ].join('\n'),
    );
    const peerOnly = await run(['scope', id, '--rules', RULES, '--logs', log, '--json']);
    expect(JSON.parse(peerOnly.stdout)).toMatchObject({ attacker_requests: 1, affected: 1 });

    const resolved = await run(['scope', id, '--rules', RULES, '--logs', log, '--client-ip-from', 'x-forwarded-for', '--trusted-proxies', '10.0.0.0/8', '--json']);
    expect(resolved.status, resolved.stderr).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ attacker_requests: 2, affected: 2 });
    // An untrusted peer's X-Forwarded-For is not believed: 203.0.113.50 stays the client.
    expect((await explainSubject(ctx, id, 'bob@example.com')).requests).toMatchObject([{ line: 3, ip: '203.0.113.50', peer: null }]);
    expect((await explainSubject(ctx, id, 'ana@example.com')).requests).toMatchObject([{ line: 1, ip: '203.0.113.9', peer: BALANCER }]);
    expect((await explainSubject(ctx, id, 'cem@example.com')).affected).toBe(false);

    const noProxies = await run(['scope', id, '--rules', RULES, '--logs', log, '--client-ip-from', 'x-forwarded-for']);
    expect(noProxies.status).toBe(2);
    expect(noProxies.stderr).toContain('needs --trusted-proxies');
  });

  it('spans a log from its earliest to its latest request, wherever they are in it', async () => {
    const log = file(
      'out-of-order.log',
      [
        combined('91.92.117.197', 'SO3', '2019-11-05T12:00:00Z'),
        combined('91.92.117.197', 'SO3', '2019-11-20T09:30:00Z'),
        combined('203.0.113.9', 'SO1', '2019-11-05T10:00:00Z'),
        combined('91.92.117.197', 'SO3', '2019-10-01T00:00:07Z'),
        combined('91.92.117.197', 'SO3', '2019-11-06T00:00:00Z'),
      ].join('\n'),
    );
    await runScope(ctx, id, { rulesPath: RULES, logs: [log] });
    const evidence = (await evidenceFiles(ctx, id)).find((f) => f.path === log)!;
    expect(evidence).toMatchObject({ firstTime: '2019-10-01T00:00:07.000Z', lastTime: '2019-11-20T09:30:00.000Z' });
  });

  it('reads JSON with a field mapping given on the command line, and names a wrong field', async () => {
    const mapping = 'time=ts,ip=request.client_ip,method=request.method,target=request.uri,status=status';
    const mapped = await run(['scope', id, '--rules', RULES, '--logs', CADDY_LOG, '--log-fields', mapping, '--json']);
    expect(mapped.status, mapped.stderr).toBe(0);
    expect(JSON.parse(mapped.stdout)).toMatchObject({ attacker_requests: 2, affected: 2 });

    const typo = await run(['scope', id, '--rules', RULES, '--logs', CADDY_LOG, '--log-fields', mapping.replace('time=ts', 'time=timestamp')]);
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain(`${CADDY_LOG}:1 (missing timestamp: looked for "timestamp")`);
    const unknown = await run(['detect', id, '--rules', RULES, '--logs', CADDY_LOG, '--log-fields', 'when=ts']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--log-fields: unknown field 'when'");
  });
});

it('keeps what --logs - reads in a file only its owner can read, and only while the run lasts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-spool-'));
  try {
    const ctx = { db: null as never, dataDir, now: () => new Date() };
    const mode = await withLogFiles(ctx, 'x', { logs: ['-'], stdin: Readable.from([Buffer.from('line\n')]) }, async (logs) => {
      expect(logs).toMatchObject([{ name: '(stdin)', bytes: 5 }]);
      return statSync(logs[0].path).mode & 0o777;
    });
    expect(mode).toBe(0o600);
    expect(statSync(join(dataDir, 'tmp')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
