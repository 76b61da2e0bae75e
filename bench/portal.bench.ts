/**
 * The portal on the day the notices go out, side by side with the same server's static page,
 * in one run:
 *
 *   npm run bench:portal [-- --people 1000000 --seconds 10 --runs 3 --connections 100 --processes 2]
 *
 * `tocsin serve --processes` (by default one per core) runs as a child process on the shop of bench/shop.ts (`--people` affected
 * people, each sent a notice; a quarter more customers), on SQLite and then PostgreSQL
 * (TOCSIN_BENCH_DATABASE_URL, else TOCSIN_TEST_DATABASE_URL; skipped when neither is set; the
 * rows earlier runs left in its kept schema are deleted first), behind a trusted proxy: every
 * request comes from another client address (X-Forwarded-For), as a rush of customers does, so
 * the per-client limits hold no one back. wrk (Debian's `wrk`, with portal.lua; far lighter than
 * a load generator in Node on the same cores) measures, with `--connections`:
 *
 * - the static page: the incident's published page, the same for everyone;
 * - POST /api/portal/verify with an affected customer's address and the code of their notice;
 * - the same with a wrong code for a random customer or stranger (each counted against the
 *   client and the address, as the throttles do);
 * - POST /api/portal/lookup with a customer's address (affected or not) or a stranger's, each
 *   once (an address is answered once a day), the answers mailed meanwhile as a shop's are:
 *   from its sender, DKIM-signed (RSA 2048), written into the outbox (file transport), by the
 *   server's job runner on SQLite and by a `tocsin worker --kinds portal_answer` at niceness 10
 *   on PostgreSQL, on the same two cores;
 *
 * and prints medians of `--runs` runs: requests/s, p50 and p99, the CPU time per request of the
 * server (with its PostgreSQL backends', and the worker's) from the run's start until it is idle
 * again (so a lookup pays for its answer), and each route's requests/s as a ratio of the static
 * page's; then each run's requests/s and p99. Each route starts once the server is idle again.
 * In two rounds, each route of a round in turn `--runs` times: the page and the code checks, then
 * the page and the lookups, each compared with its round's page. Target: lookup and verify each at
 * least 0.5× the static page, p99 under 100 ms. The global lookup limit is raised for the run
 * (portal.lookup_global), as a shop expecting the rush would; the per-client limits stay as
 * configured.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import { createReadStream, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import type { Dialect } from '../src/db/index.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { deriveCode } from '../src/notices/verification-code.ts';
import { startServer, startWorker } from './serve.ts';
import { customerAddress, type Load, type Measured, measureLoad, medianOf, onEachDatabase, printRoutes, printRuns, seededShop, settled, serverBenchOptions, servingProcesses, type Shop, DATABASE_NAMES } from './shop.ts';

const { people: PEOPLE, seconds: SECONDS, runs: RUNS, connections: CONNECTIONS, processes: PROCESSES, database: DATABASE } = serverBenchOptions({ connections: 100 });
const WARM_UP_SECONDS = 3;
/** Distinct (address, code) pairs the genuine checks draw from. */
const GENUINE = 20_000;
/** Bodies written for a run of a route, a second: more than any route is sent (lookups reached 30,817 a second on a fast machine, past the 30,000 once written, and repeated addresses), so each lookup asks about another address. */
const BODIES_A_SECOND = 60_000;
/** wrk's threads: the machine's two cores are shared with the server. */
const THREADS = 2;
/** The portal's answers a worker (PostgreSQL) works on at once, and its niceness: as `tocsin serve` runs them on SQLite. */
const WORKER_FLAGS = ['--kinds', 'portal_answer', '--concurrency', '16'];
const WORKER_NICENESS = 10;
const SCRIPT = fileURLToPath(new URL('./portal.lua', import.meta.url));

/** The client address (10.0.0.0 onwards) the next request takes: none is used twice in a run of the bench. */
let nextClient = 0;
/** Each lookup asks about another address: one that was answered today would be answered no more. */
let nextAddress = 0;

const random = (below: number) => Math.floor(Math.random() * below);

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** The bodies of a run of `seconds`, one a request in turn. */
  bodies?: (seconds: number) => unknown[];
}

/** One wrk run of `route` at `url` for `seconds`, its bodies in `file`. */
async function wrk(url: string, route: Route, seconds: number, file: string | undefined): Promise<Load> {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '10s', '-s', SCRIPT, `${url}${route.path}`];
  const { stdout } = await promisify(execFile)('wrk', [...args, '--', route.method, route.path, String(THREADS), String(nextClient), ...(file ? [file] : [])]).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new Error('wrk is not installed: apt-get install wrk') : error;
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { requests: number; duration_us: number; p50_us: number; p99_us: number; errors: number; next_client: number };
  nextClient = result.next_client;
  const ms = (us: number) => Math.round(us / 1000);
  return { requests: result.requests, rps: result.requests / (result.duration_us / 1e6), p50: ms(result.p50_us), p99: ms(result.p99_us), errors: result.errors };
}

/** Takes away what earlier runs left in the kept PostgreSQL schema (SQLite's file is a fresh copy): each run starts as the first did. */
async function forgetEarlierRuns(ctx: OpenContext): Promise<void> {
  await ctx.db.deleteFrom('jobs').where('kind', '=', 'portal_answer').execute();
  for (const table of ['portal_answers', 'portal_answered', 'portal_lookup_counts'] as const) await ctx.db.deleteFrom(table).execute();
  await ctx.db.deleteFrom('login_throttles').where('key', 'like', 'portal-verify:%').execute();
  if (ctx.dialect === 'postgres') await sql`VACUUM ANALYZE jobs, portal_answers, portal_answered, portal_lookup_counts, login_throttles`.execute(ctx.db);
}

/** The answers' jobs by state. */
function answerJobs(ctx: OpenContext): Promise<{ state: string; count: number }[]> {
  return ctx.db.selectFrom('jobs').select(['state', (eb) => eb.fn.countAll<number>().as('count')]).where('kind', '=', 'portal_answer').groupBy('state').orderBy('state').execute();
}

/** Once every lookup so far is answered (no answer's job queued or running), for up to half an hour. */
async function answered(ctx: OpenContext): Promise<void> {
  for (let waited = 0; waited < 1800; waited++) {
    if (!(await answering(ctx))) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Whether an answer's job is queued or running: a probe of each down its index, where counting the jobs by state read them all (50 ms a second on PostgreSQL, beside the answers measured). */
async function answering(ctx: OpenContext): Promise<boolean> {
  for (const state of ['queued', 'running'] as const) {
    if (await ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').where('state', '=', state).limit(1).executeTakeFirst()) return true;
  }
  return false;
}

/**
 * Reads the shop's records of notices once, as a server that has run a while holds them in memory:
 * the database was just copied (SQLite) and genuine checks read rows from all over it, so the
 * runs would measure the disk, not the server.
 */
async function warm(shop: Shop, ctx: OpenContext): Promise<void> {
  if (shop.dialect === 'postgres') await sql`SELECT sum(length(vars)) FROM notices`.execute(ctx.db);
  else for await (const chunk of createReadStream(join(shop.dataDir, 'tocsin.db'), { highWaterMark: 16 * 2 ** 20 })) void chunk;
}

/** Once `child` has exited (at once if it had). */
function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function bench(dialect: Dialect): Promise<void> {
  const shop = await seededShop(dialect, PEOPLE);
  const { meta, dataDir } = shop;
  const secret = loadSecret(dataDir);
  const genuine = Array.from({ length: GENUINE }, () => {
    const email = customerAddress(random(meta.people));
    return { email, code: deriveCode(secret, meta.incidentId, email) };
  });
  // The bench's own connection to the shop's database: to start clean and to see the answers out.
  const db = await openContext({ config: configWith({ data_dir: dataDir, database_url: shop.databaseUrl || undefined }), actor: 'bench' });
  await forgetEarlierRuns(db);
  console.error(`${dialect}: reading the database into memory…`);
  await warm(shop, db);
  const keyFile = join(dataDir, 'dkim.pem');
  writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(
    join(dataDir, 'tocsin.yml'),
    [
      'shop: {name: Example Phone Shop, domains: [shop.example.com]}',
      `sender: {from: help@shop.example.com, dkim: {domain: shop.example.com, selector: tocsin, key_file: ${JSON.stringify(keyFile)}}}`,
      'portal:',
      '  lookup_global: {requests: 100000000, seconds: 60}',
      '',
    ].join('\n'),
  );
  const { publicUrl, child } = await startServer(dataDir, { databaseUrl: shop.databaseUrl, flags: ['--trust-proxy', '127.0.0.1', '--processes', String(PROCESSES)] });
  const worker = dialect === 'postgres' ? await startWorker(dataDir, shop.databaseUrl, WORKER_FLAGS) : undefined;
  if (worker) os.setPriority(worker.pid!, WORKER_NICENESS);
  try {
    const probe = await fetch(`${publicUrl}/api/portal/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(genuine[0]) });
    const answer = (await probe.json()) as { genuine?: boolean };
    if (probe.status !== 200 || answer.genuine !== true) throw new Error(`verify answered ${probe.status} ${JSON.stringify(answer)} for a notice that was sent`);

    const many = (seconds: number, body: () => unknown) => Array.from({ length: seconds * BODIES_A_SECOND }, body);
    const routes: Route[] = [
      { name: `GET ${meta.incidentPage} (static page)`, method: 'GET', path: meta.incidentPage },
      { name: 'POST /api/portal/verify (genuine)', method: 'POST', path: '/api/portal/verify', bodies: () => genuine },
      {
        name: 'POST /api/portal/verify (wrong code)',
        method: 'POST',
        path: '/api/portal/verify',
        bodies: (seconds) => many(seconds, () => ({ email: random(2) ? customerAddress(random(meta.customers)) : `stranger${random(1e9)}@example.net`, code: '7KQ2M-X9D4H-RT8ZC' })),
      },
      {
        name: 'POST /api/portal/lookup',
        method: 'POST',
        path: '/api/portal/lookup',
        bodies: (seconds) => many(seconds, () => ({ email: random(4) ? customerAddress(nextAddress++) : `stranger${nextAddress++}@example.net` })),
      },
    ];
    const pids = async () => [...(await servingProcesses(shop, child.pid!)), ...(worker ? await servingProcesses(shop, worker.pid!) : [])];
    const bodiesFile = join(dataDir, 'bodies.jsonl');
    const run = async (route: Route, seconds: number) => {
      const bodies = route.bodies?.(seconds);
      if (bodies) writeFileSync(bodiesFile, `${bodies.map((body) => JSON.stringify(body)).join('\n')}\n`);
      await settled(pids);
      return measureLoad(() => wrk(publicUrl, route, seconds, bodies && bodiesFile), pids, async () => {
        await answered(db);
        await settled(pids);
      });
    };
    // Two rounds, each with the page to compare with: the code checks, then the lookups. Answering
    // a rush of lookups keeps both cores busy for minutes (each answer DKIM-signed), and a machine
    // of this kind then does less work per CPU-second for minutes: taken in turn with the others,
    // the route measured next paid for it (see README). In the lookups' round the page pays alike.
    const [page, ...checks] = routes;
    const lookups = checks.filter((route) => route.path === '/api/portal/lookup');
    const rounds = [[page, ...checks.filter((route) => !lookups.includes(route))], [page, ...lookups]].map((round) => ({ routes: round, runs: round.map((): Measured[] => []) }));
    for (const [r, round] of rounds.entries()) {
      // Each route briefly first: the server's code compiled and its caches filled before anything counts.
      console.error(`${dialect}: round ${r + 1} of ${rounds.length}, warming up…`);
      for (const route of round.routes) await run(route, WARM_UP_SECONDS);
      for (let n = 1; n <= RUNS; n++) {
        console.error(`${dialect}: round ${r + 1} of ${rounds.length}, run ${n} of ${RUNS}…`);
        for (const [k, route] of round.routes.entries()) round.runs[k].push(await run(route, SECONDS));
      }
    }
    const mailed = readdirSync(join(dataDir, 'outbox')).length;
    const jobs = (await answerJobs(db)).map((row) => `${row.state} ${Number(row.count).toLocaleString('en')}`).join(', ');
    console.log(`\nportal benchmark: ${meta.people.toLocaleString('en')} affected people (${meta.customers.toLocaleString('en')} customers) in ${DATABASE_NAMES[dialect]}, ${CONNECTIONS} connections, ${PROCESSES} serving process${PROCESSES === 1 ? '' : 'es'}, ${SECONDS} s × ${RUNS} runs, medians; ${mailed.toLocaleString('en')} answers mailed (their jobs: ${jobs})`);
    let lowest = Infinity;
    let worst = 0;
    for (const [r, round] of rounds.entries()) {
      const medians = round.runs.map(medianOf);
      console.log(`\nround ${r + 1}:`);
      printRoutes('the static page', round.routes.map((route, k): [string, Measured] => [route.name, medians[k]]), medians[0]);
      printRuns(round.routes.map((route, k): [string, Measured[]] => [route.name, round.runs[k]]));
      for (const measured of medians.slice(1)) {
        lowest = Math.min(lowest, measured.rps / medians[0].rps);
        worst = Math.max(worst, measured.p99);
      }
    }
    console.log(`\ntarget: each ≥ 0.5× the static page of its round and p99 < 100 ms: ${lowest >= 0.5 && worst < 100 ? 'met' : 'NOT met'} (lowest ratio ${lowest.toFixed(3)}, worst p99 ${worst} ms)`);
  } finally {
    worker?.kill('SIGTERM');
    child.kill('SIGTERM');
    await Promise.all([exited(child), worker && exited(worker), db.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await onEachDatabase(bench, DATABASE);
