/**
 * The shop the server benchmarks run against (bench:api, bench:portal), and how they measure:
 * `people` affected people seeded once by bulk inserts into the tables and cached, SQLite in
 * bench/.cache/shop/ and PostgreSQL (TOCSIN_BENCH_DATABASE_URL, else TOCSIN_TEST_DATABASE_URL)
 * in a schema of its own kept for the next run. The shop is shaped like a real one: a quarter
 * more customers than affected people, one to three orders each in 12 countries (a few blank,
 * some orders from another country than the customer's first), holding varied categories, read
 * through two rules that expose different ones; each person's country on their affected row is
 * filled in by the SQL the scope run uses, and so is how to address them; every affected person was sent their notice; and the
 * incident's page is published on the portal.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { addAccount, createApiToken } from '../src/accounts/index.ts';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import { affectedPersonJson, bulkInsert, type Dialect, personAddressing, personCountry } from '../src/db/index.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { type Category, categoryMask } from '../src/domain/index.ts';
import { publishPage } from '../src/portal/index.ts';
import { NOTICE_COLUMNS, noticeRows } from './notify-data.ts';

/**
 * The command line of a server benchmark: `--people`, `--seconds` (of each run), `--runs`,
 * `--connections`, `--processes`: how many processes serve HTTP (tocsin serve --processes),
 * by default one per core, as a shop runs the server on a machine of its own; and `--database
 * sqlite|postgres` to measure one of them only (onEachDatabase).
 */
export function serverBenchOptions(defaults: { connections: number }): { people: number; seconds: number; runs: number; connections: number; processes: number; database?: Dialect } {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      people: { type: 'string', default: '1000000' },
      seconds: { type: 'string', default: '10' },
      runs: { type: 'string', default: '3' },
      connections: { type: 'string', default: String(defaults.connections) },
      processes: { type: 'string', default: String(availableParallelism()) },
    },
  });
  if (values.database !== undefined && !(DIALECTS as readonly string[]).includes(values.database)) throw new Error(`--database takes ${DIALECTS.join(' or ')}`);
  const options = { people: Number(values.people), seconds: Number(values.seconds), runs: Number(values.runs), connections: Number(values.connections), processes: Number(values.processes) };
  for (const [name, value] of Object.entries(options)) if (!(Number.isInteger(value) && value >= 1)) throw new Error(`--${name} takes a whole number from 1`);
  return { ...options, database: values.database as Dialect | undefined };
}

export const POSTGRES_URL = process.env.TOCSIN_BENCH_DATABASE_URL ?? process.env.TOCSIN_TEST_DATABASE_URL;
/** The staff account's password, for the sign-in bench. */
export const PASSWORD = 'glacier-violin-marmalade-7Q';
/** Countries with the share of customers (in %) who live there. */
const COUNTRIES: [string, number][] = [['FR', 30], ['DE', 20], ['GB', 10], ['IT', 8], ['ES', 8], ['NL', 6], ['BE', 5], ['PL', 4], ['SE', 3], ['AT', 2], ['IE', 2], ['PT', 2]];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.fr', 'web.de', 'orange.fr', 'gmx.de', 'libero.it', 'hotmail.co.uk', 'icloud.com', 'free.fr'];
/** What the two rules of the breach expose: the support lookup by IMEI, and the order API. */
const LOOKUP = categoryMask(['name', 'email', 'postal_address']);
const ORDER_API = categoryMask(['name', 'email', 'phone', 'postal_address', 'payment_card_last4']);
const CURSORS = 2_000;

const cache = fileURLToPath(new URL('./.cache/shop/', import.meta.url));

export interface Seeded {
  people: number;
  /** Customers in all; the first `people` of them were affected. */
  customers: number;
  incidentId: string;
  token: string;
  email: string;
  cursors: string[];
  /** The incident's page on the portal. */
  incidentPage: string;
}

export interface Shop {
  dialect: Dialect;
  /** A copy of the seeded data directory (the secret key; the SQLite file), removed afterwards. */
  dataDir: string;
  databaseUrl: string;
  meta: Seeded;
}

/** The address of customer `n`: the first `people` of them were affected. */
export function customerAddress(n: number): string {
  return `customer${n}@${DOMAINS[n % DOMAINS.length]}`;
}

/** The cached shop of `people` affected people on a database, seeded the first time. */
export async function seededShop(dialect: Dialect, people: number): Promise<Shop> {
  // v6: each affected row holds its person's JSON (0041).
  const dir = join(cache, `${dialect}-${people}-v6`);
  const metaFile = join(dir, 'seeded.json');
  const schema = `tocsin_bench_shop_${people}`;
  let fresh = !existsSync(metaFile);
  let databaseUrl = '';
  if (dialect === 'postgres') {
    const made = await postgresSchema(schema, fresh);
    databaseUrl = made.url;
    fresh ||= !made.existed;
  }
  if (fresh) {
    console.error(`seeding ${people.toLocaleString('en')} affected people into ${dialect === 'sqlite' ? 'SQLite' : `PostgreSQL (schema ${schema})`} (cached in ${dir})…`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ctx = await openContext({ config: configWith({ data_dir: dir, database_url: databaseUrl || undefined }), actor: 'bench' });
    try {
      writeFileSync(metaFile, JSON.stringify(await seed(ctx, people)), { mode: 0o600 });
    } finally {
      await ctx.close();
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-shop-'));
  cpSync(dir, dataDir, { recursive: true });
  return { dialect, dataDir, databaseUrl, meta: JSON.parse(readFileSync(metaFile, 'utf8')) as Seeded };
}

/** The URL of the bench's PostgreSQL schema, kept from an earlier run unless `fresh` (or gone), else made empty. */
async function postgresSchema(schema: string, fresh: boolean): Promise<{ url: string; existed: boolean }> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  let existed: boolean;
  try {
    existed = ((await admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).rowCount ?? 0) > 0;
    if (fresh || !existed) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`CREATE SCHEMA ${schema}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), existed };
}

/** A deterministic stream of numbers in [0, 1): the same shop on both databases. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function seed(ctx: OpenContext, people: number): Promise<Seeded> {
  const incident = await createDemoIncident(ctx);
  const notice = noticeRows(ctx, incident);
  const now = ctx.now().toISOString();
  const rand = random(2019);
  const country = () => {
    if (rand() < 0.04) return null;
    let left = rand() * 100;
    for (const [code, share] of COUNTRIES) if ((left -= share) < 0) return code;
    return COUNTRIES[0][0];
  };
  const customers = Math.round(people * 1.25);
  let orders = 0;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('imports')
      .values({ id: 1, incident_id: incident.id, at: now, path: 'orders.csv', sha256: '0'.repeat(64), bytes: 0, mapping: '{}', rows_read: 0, imported: 0, quarantined: 0, subjects: customers })
      .execute();
    const batch = 50_000;
    for (let start = 0; start < customers; start += batch) {
      const records: unknown[][] = [];
      const affected: unknown[][] = [];
      const notices: unknown[][] = [];
      for (let n = start; n < Math.min(start + batch, customers); n++) {
        const subject = customerAddress(n);
        const home = country();
        const count = rand() < 0.7 ? 1 : rand() < 0.67 ? 2 : 3;
        const keys: string[] = [];
        let held = 0;
        for (let k = 0; k < count; k++) {
          const key = `ORD-${++orders}`;
          keys.push(key);
          const fields: Partial<Record<Category, string>> = { name: `Customer ${n}`, email: subject, postal_address: `${n} Rue de la Paix` };
          if (rand() < 0.7) fields.phone = `+3361${String(n).padStart(7, '0')}`;
          if (rand() < 0.5) fields.payment_card_last4 = String(n % 10_000).padStart(4, '0');
          if (rand() < 0.1) fields.date_of_birth = '1980-01-01';
          const mask = categoryMask(Object.keys(fields) as Category[]);
          held |= mask;
          const where = k === 0 || rand() < 0.85 ? home : country();
          records.push([incident.id, key, subject, subject, 'en', where, null, JSON.stringify(fields), mask, 1, orders + 1]);
        }
        // The first `people` customers were read: by IMEI, through the order API, or both; each was sent a notice.
        if (n < people) {
          const how = rand();
          const exposed = how < 0.55 ? LOOKUP : how < 0.85 ? ORDER_API : LOOKUP | ORDER_API;
          const read = keys.slice(0, 1 + Math.floor(rand() * keys.length));
          affected.push([incident.id, 1, subject, '2019-11-01T10:00:00.000Z', '2019-11-02T10:00:00.000Z', read.length, JSON.stringify(read), exposed, held & ~exposed]);
          notices.push(notice(n + 1, subject, 'sent'));
        }
      }
      await bulkInsert(trx, ctx.dialect, 'records', ['incident_id', 'key', 'subject', 'email', 'locale', 'country', 'region', 'fields', 'held', 'import_id', 'line'], records);
      await bulkInsert(trx, ctx.dialect, 'affected', ['incident_id', 'run', 'subject', 'first_access', 'last_access', 'requests', 'records', 'exposed', 'not_exposed'], affected);
      await bulkInsert(trx, ctx.dialect, 'notices', NOTICE_COLUMNS, notices);
      console.error(`  ${Math.min(start + batch, customers).toLocaleString('en')} customers`);
    }
    await trx.updateTable('imports').set({ rows_read: orders, imported: orders }).where('incident_id', '=', incident.id).execute();
    await trx
      .insertInto('scope_runs')
      .values({ incident_id: incident.id, run: 1, at: now, rules_path: 'scope.yml', rules_sha256: '0'.repeat(64), rules: '', log_format: 'combined', attacker_requests: people, affected: people, exposed_records: people, unknown_values: 0, purged_requests: 0, purged_at: null, quarantined_rows: 0 })
      .execute();
    console.error('  countries and addressing of the affected rows, as the scope run writes them…');
    const addressing = personAddressing(ctx.dialect, sql.ref('affected.incident_id'), sql.ref('affected.subject'));
    await sql`UPDATE affected SET country = ${personCountry(sql.ref('affected.incident_id'), sql.ref('affected.subject'))},
      email = ${addressing.email}, name = ${addressing.name}, locale = ${addressing.locale}, region = ${addressing.region}`.execute(trx);
    await sql`UPDATE affected SET person_json = ${affectedPersonJson(ctx.dialect, 'affected')}`.execute(trx);
  });
  // A scope run writes each row once; the updates above left PostgreSQL dead copies of each.
  // Then as autovacuum would leave the tables: statistics, and on PostgreSQL hint bits set.
  if (ctx.dialect === 'postgres') await sql`VACUUM FULL affected`.execute(ctx.db);
  await (ctx.dialect === 'postgres' ? sql`VACUUM ANALYZE` : sql`ANALYZE`).execute(ctx.db);
  // Cursors spread over the whole list: requests page from anywhere in it, not from a cached start.
  const subjects = await ctx.db.selectFrom('affected').select('subject').where('incident_id', '=', incident.id).orderBy('subject').execute();
  const step = Math.max(1, Math.floor(subjects.length / CURSORS));
  const cursors = subjects.filter((_, i) => i % step === 0).map((row) => Buffer.from(row.subject, 'utf8').toString('base64url'));
  const email = 'bench@staff.example';
  await addAccount(ctx, { email, role: 'responder', password: PASSWORD });
  const { token } = await createApiToken(ctx, { name: 'bench', role: 'responder' });
  const { path } = await publishPage(ctx, incident.id);
  return { people, customers, incidentId: incident.id, token, email, cursors, incidentPage: path };
}

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds the server (and its PostgreSQL backends) spent per request: what a busy machine does not change much. */
  cpu: number;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU seconds each of the processes has used so far, from Linux's /proc; one that has ended is left out. */
function cpuByProcess(pids: readonly number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // utime and stime, the 14th and 15th fields; the command name (2nd) may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // the process ended: a PostgreSQL connection the pool closed
    }
  }
  return seconds;
}

/**
 * CPU seconds the processes `pids` used since `before` (cpuByProcess): one that started meanwhile
 * (a PostgreSQL connection the pool opened) counts all it did; one that ended meanwhile counts
 * nothing, its work lost rather than taken away (a run of /healthz once read −0.10 ms a request so).
 */
function cpuSince(before: ReadonlyMap<number, number>, pids: readonly number[]): number {
  let spent = 0;
  for (const [pid, seconds] of cpuByProcess(pids)) spent += seconds - (before.get(pid) ?? 0);
  return spent;
}

/**
 * Waits until the server has done its queued work (a lookup's answers are mailed by its job
 * runner after the request): no more than `idle` CPU seconds in a second, for up to a minute.
 * Each route is measured on a server that is not still working for the one before.
 */
export async function settled(pids: () => Promise<number[]>, idle = 0.05): Promise<void> {
  for (let waited = 0; waited < 60; waited++) {
    const serving = await pids();
    const before = cpuByProcess(serving);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (cpuSince(before, serving) < idle) return;
  }
}

/** One autocannon run (its `connections` and `duration` in the options) against the server whose processes `pids` gives (asked again for each run). */
export async function measure(options: autocannon.Options, pids: () => Promise<number[]>): Promise<Measured> {
  return measureLoad(async () => {
    const result = await autocannon(options);
    return { requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
  }, pids);
}

/** What a load generator's run reports: requests answered, their rate, latencies in ms, and requests that failed or were not 2xx. */
export type Load = Omit<Measured, 'cpu'> & { requests: number };

/**
 * One run of a load generator (`load`) against the server whose processes `pids` gives (asked
 * again for each run), its CPU per request counted until `until` resolves: the work the requests
 * left queued (settled) is theirs too.
 */
export async function measureLoad(load: () => Promise<Load>, pids: () => Promise<number[]>, until?: () => Promise<void>): Promise<Measured> {
  const before = cpuByProcess(await pids());
  const { requests, ...result } = await load();
  await until?.();
  return { ...result, cpu: (cpuSince(before, await pids()) * 1000) / Math.max(1, requests) };
}

/** A route as wrk requests it: each request takes one of `paths` at random. */
export interface WrkRoute {
  url: string;
  paths: readonly string[];
  method?: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

const WRK_SCRIPT = fileURLToPath(new URL('./wrk-requests.lua', import.meta.url));

/**
 * One run of wrk (one thread) against the server whose processes `pids` gives: a load generator in
 * C that takes a small part of the CPU autocannon takes in this process, on a machine the server shares.
 */
export async function measureWithWrk(route: WrkRoute, options: { connections: number; seconds: number }, pids: () => Promise<number[]>): Promise<Measured> {
  const lines = [`M ${route.method ?? 'GET'}`, ...Object.entries(route.headers ?? {}).map(([name, value]) => `H ${name}: ${value}`), ...route.paths.map((path) => `P ${path}`)];
  if (route.body !== undefined) lines.push(`B ${route.body}`);
  if (lines.some((line) => /[\r\n]/.test(line))) throw new Error('a wrk request line holds a line break');
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-wrk-'));
  try {
    const spec = join(dir, 'requests');
    writeFileSync(spec, `${lines.join('\n')}\n`, { mode: 0o600 });
    // The route before may leave work queued (sign-ins hashing): each route starts on an idle server.
    await settled(pids);
    const before = cpuByProcess(await pids());
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '30s', '-s', WRK_SCRIPT, route.url, '--', spec];
    const { stdout } = await promisify(execFile)('wrk', args).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new Error('the server benchmarks measure with wrk: install it (Debian: apt-get install wrk)') : error;
    });
    const run = JSON.parse(stdout.trim().split('\n').at(-1)!) as { requests: number; seconds: number; p50: number; p99: number; errors: number };
    const cpu = (cpuSince(before, await pids()) * 1000) / Math.max(1, run.requests);
    // Latencies in ms, to a tenth below 10 ms (/healthz answers in less than one).
    const ms = (us: number) => (us < 10_000 ? Math.round(us / 100) / 10 : Math.round(us / 1000));
    return { rps: run.requests / run.seconds, p50: ms(run.p50), p99: ms(run.p99), errors: run.errors, cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server's process, and on PostgreSQL the backends of its connections (named after its pid). */
export async function servingProcesses(shop: Shop, serverPid: number): Promise<number[]> {
  const processes = processTree(serverPid);
  if (shop.dialect === 'sqlite') return processes;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = ANY($1)', [processes.map((pid) => `tocsin ${pid}`)]);
    return [...processes, ...rows.map((row) => row.pid)];
  } finally {
    await client.end();
  }
}

/** A process and its descendants (tocsin serve --processes forks its serving processes), from Linux /proc. */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    }
  } catch {
    // It has exited meanwhile: nothing below it to count.
  }
  return [pid, ...children.flatMap(processTree)];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function medianOf(runs: Measured[]): Measured {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: Math.max(...runs.map((r) => r.errors)),
    cpu: median(runs.map((r) => r.cpu)),
  };
}

export const DATABASE_NAMES: Readonly<Record<Dialect, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** The table of a run's medians, each route's requests/s as a ratio of `base`'s. */
export function printRoutes(baseName: string, routes: [string, Measured][], base: Measured): void {
  const width = Math.max(...routes.map(([name]) => name.length));
  const cells = (...values: string[]) => values.map((value, k) => (k === 0 ? value.padEnd(width) : k < 6 ? value.padStart([8, 8, 8, 6, 11][k - 1]) : value)).join('  ');
  console.log(cells('route', 'req/s', 'p50', 'p99', 'errors', 'CPU/request', `ratio to ${baseName}`));
  for (const [name, m] of routes) console.log(cells(name, m.rps.toFixed(0), `${m.p50} ms`, `${m.p99} ms`, String(m.errors), `${m.cpu.toFixed(2)} ms`, (m.rps / base.rps).toFixed(m.rps / base.rps < 0.01 ? 4 : 3)));
}

/** Each route's runs as they went, beside the medians: a run after a busy spell of the machine shows. */
export function printRuns(routes: [string, Measured[]][]): void {
  for (const [name, runs] of routes) console.log(`  runs of ${name}: ${runs.map((m) => `${m.rps.toFixed(0)} req/s, p99 ${m.p99} ms`).join('; ')}`);
}

const DIALECTS = ['sqlite', 'postgres'] as const satisfies Dialect[];

/** Runs `bench` on SQLite, then on PostgreSQL when there is one to run on; or on `only` (`--database`). */
export async function onEachDatabase(bench: (dialect: Dialect) => Promise<void>, only?: Dialect): Promise<void> {
  if (only !== 'postgres') await bench('sqlite');
  if (only === 'sqlite') return;
  if (POSTGRES_URL) await bench('postgres');
  else console.error('PostgreSQL skipped: set TOCSIN_BENCH_DATABASE_URL or TOCSIN_TEST_DATABASE_URL');
}
