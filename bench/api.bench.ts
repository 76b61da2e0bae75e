/**
 * The staff API under load, side by side with the same server's /healthz, in one run:
 *
 *   npm run bench:api [-- --people 1000000 --seconds 10 --runs 3 --connections 50]
 *
 * `tocsin serve` runs as a child process on a SQLite database of `--people` affected people
 * (one record each, in 12 countries), seeded once by bulk inserts into the tables and cached in
 * bench/.cache/api/. autocannon (in this process) then measures, with `--connections`:
 *
 * - GET /api/incidents/ID/affected?limit=100&country=FR&cursor=…: a page of people with a
 *   filter, each request from a cursor drawn at random across the whole list, as a bearer token;
 * - GET /healthz: the same server doing no work, the ceiling a route can reach;
 * - POST /api/session: sign-in, bounded by argon2id (its cost is printed).
 *
 * Prints medians of `--runs` runs: requests/s, p50 and p99 latency, and the affected route's
 * requests/s as a ratio of /healthz's. Target: p99 under 50 ms for the affected pages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { addAccount, createApiToken } from '../src/accounts/index.ts';
import { ARGON2_OPTIONS } from '../src/accounts/passwords.ts';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import { bulkInsert } from '../src/db/index.ts';
import { DEMO_INCIDENT } from '../src/demo/index.ts';
import { categoryMask } from '../src/domain/index.ts';
import { createIncident } from '../src/incidents/index.ts';

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});
const PEOPLE = Number(args.people);
const SECONDS = Number(args.seconds);
const RUNS = Number(args.runs);
const CONNECTIONS = Number(args.connections);
const PASSWORD = 'glacier-violin-marmalade-7Q';
const COUNTRIES = ['FR', 'DE', 'GB', 'IT', 'ES', 'NL', 'BE', 'PL', 'SE', 'AT', 'IE', 'PT'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.fr', 'web.de', 'orange.fr', 'gmx.de', 'libero.it', 'hotmail.co.uk', 'icloud.com', 'free.fr'];
const CURSORS = 2_000;

const cache = fileURLToPath(new URL('./.cache/api/', import.meta.url));
const tocsin = fileURLToPath(new URL('../bin/tocsin.ts', import.meta.url));

interface Seeded {
  people: number;
  incidentId: string;
  token: string;
  email: string;
  cursors: string[];
}

/** The cached database of `PEOPLE` affected people, seeded the first time. */
async function seeded(): Promise<{ dataDir: string; meta: Seeded }> {
  const dir = join(cache, `sqlite-${PEOPLE}`);
  const metaFile = join(dir, 'seeded.json');
  if (!existsSync(metaFile)) {
    console.error(`seeding ${PEOPLE.toLocaleString('en')} affected people into SQLite (cached in ${dir})…`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ctx = await openContext({ config: configWith({ data_dir: dir }), actor: 'bench' });
    try {
      writeFileSync(metaFile, JSON.stringify(await seed(ctx)), { mode: 0o600 });
    } finally {
      await ctx.close();
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-api-'));
  cpSync(dir, dataDir, { recursive: true });
  return { dataDir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) as Seeded };
}

async function seed(ctx: OpenContext): Promise<Seeded> {
  const incident = await createIncident(ctx, DEMO_INCIDENT);
  const now = ctx.now().toISOString();
  const exposed = categoryMask(['name', 'email', 'phone', 'postal_address']);
  const notExposed = categoryMask(['payment_card_number', 'password_hash']);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('imports')
      .values({ id: 1, incident_id: incident.id, at: now, path: 'orders.csv', sha256: '0'.repeat(64), bytes: 0, mapping: '{}', rows_read: PEOPLE, imported: PEOPLE, quarantined: 0, subjects: PEOPLE })
      .execute();
    await trx
      .insertInto('scope_runs')
      .values({ incident_id: incident.id, run: 1, at: now, rules_path: 'scope.yml', rules_sha256: '0'.repeat(64), rules: '', log_format: 'combined', attacker_requests: PEOPLE, affected: PEOPLE, exposed_records: PEOPLE, unknown_values: 0, purged_requests: 0, purged_at: null, quarantined_rows: 0 })
      .execute();
    const batch = 50_000;
    for (let start = 0; start < PEOPLE; start += batch) {
      const records: unknown[][] = [];
      const affected: unknown[][] = [];
      for (let n = start; n < Math.min(start + batch, PEOPLE); n++) {
        const subject = `customer${n}@${DOMAINS[n % DOMAINS.length]}`;
        const key = `ORD-${n}`;
        records.push([incident.id, key, subject, subject, 'en', COUNTRIES[n % COUNTRIES.length], null, JSON.stringify({ name: `Customer ${n}`, email: subject }), exposed | notExposed, 1, n + 2]);
        affected.push([incident.id, 1, subject, '2019-11-01T10:00:00.000Z', '2019-11-02T10:00:00.000Z', 1, JSON.stringify([key]), exposed, notExposed]);
      }
      await bulkInsert(trx, ctx.dialect, 'records', ['incident_id', 'key', 'subject', 'email', 'locale', 'country', 'region', 'fields', 'held', 'import_id', 'line'], records);
      await bulkInsert(trx, ctx.dialect, 'affected', ['incident_id', 'run', 'subject', 'first_access', 'last_access', 'requests', 'records', 'exposed', 'not_exposed'], affected);
      console.error(`  ${Math.min(start + batch, PEOPLE).toLocaleString('en')}`);
    }
  });
  await sql`analyze`.execute(ctx.db);
  // Cursors spread over the whole list: requests page from anywhere in it, not from a cached start.
  const subjects = await ctx.db.selectFrom('affected').select('subject').where('incident_id', '=', incident.id).orderBy('subject').execute();
  const step = Math.max(1, Math.floor(subjects.length / CURSORS));
  const cursors = subjects.filter((_, i) => i % step === 0).map((row) => Buffer.from(row.subject, 'utf8').toString('base64url'));
  const email = 'bench@staff.example';
  await addAccount(ctx, { email, role: 'responder', password: PASSWORD });
  const { token } = await createApiToken(ctx, { name: 'bench', role: 'responder' });
  return { people: PEOPLE, incidentId: incident.id, token, email, cursors };
}

/** `tocsin serve` in a child process, once it says where the console is. */
async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [tocsin, 'serve', '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0'], {
    env: { ...process.env, TOCSIN_DATA_DIR: dataDir, DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const line = /^console: (\S+)$/m.exec(stderr);
      if (line) resolve(line[1]);
    });
    child.on('exit', (code) => reject(new Error(`tocsin serve exited ${code}: ${stderr}`)));
  });
  return { url, child };
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(options: autocannon.Options): Promise<Measured> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  const bad = result.non2xx + result.errors + result.timeouts;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: bad };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function medianOf(runs: Measured[]): Measured {
  return { rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), errors: Math.max(...runs.map((r) => r.errors)) };
}

async function main(): Promise<void> {
  const { dataDir, meta } = await seeded();
  const { url, child } = await startServer(dataDir);
  try {
    const affectedPath = `/api/incidents/${meta.incidentId}/affected?limit=100&country=FR`;
    const first = await fetch(`${url}${affectedPath}&cursor=${meta.cursors[1]}`, { headers: { authorization: `Bearer ${meta.token}` } });
    const page = (await first.json()) as { items: unknown[] };
    if (first.status !== 200 || page.items.length !== 100) throw new Error(`the affected route answered ${first.status} with ${page.items?.length} people`);

    const runs = { affected: [] as Measured[], healthz: [] as Measured[], login: [] as Measured[] };
    for (let run = 1; run <= RUNS; run++) {
      console.error(`run ${run} of ${RUNS}…`);
      runs.affected.push(
        await measure({
          url,
          headers: { authorization: `Bearer ${meta.token}` },
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `${affectedPath}&cursor=${meta.cursors[Math.floor(Math.random() * meta.cursors.length)]}` }) }],
        }),
      );
      runs.healthz.push(await measure({ url: `${url}/healthz` }));
      runs.login.push(await measure({ url: `${url}/api/session`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: meta.email, password: PASSWORD }) }));
    }
    const affected = medianOf(runs.affected);
    const healthz = medianOf(runs.healthz);
    const login = medianOf(runs.login);
    const row = (name: string, m: Measured, ratio = '') =>
      `${name.padEnd(44)}  ${m.rps.toFixed(0).padStart(8)}  ${`${m.p50} ms`.padStart(8)}  ${`${m.p99} ms`.padStart(8)}  ${String(m.errors).padStart(6)}  ${ratio}`;
    console.log(`\napi benchmark: ${meta.people.toLocaleString('en')} affected people in SQLite, ${CONNECTIONS} connections, ${SECONDS} s × ${RUNS} runs, medians\n`);
    console.log(`${'route'.padEnd(44)}  ${'req/s'.padStart(8)}  ${'p50'.padStart(8)}  ${'p99'.padStart(8)}  ${'errors'.padStart(6)}  ratio to /healthz`);
    console.log(row('GET …/affected?limit=100&country=FR&cursor=…', affected, `${(affected.rps / healthz.rps).toFixed(3)}`));
    console.log(row('GET /healthz', healthz, '1.000'));
    console.log(row('POST /api/session (sign-in)', login, `${(login.rps / healthz.rps).toFixed(4)}`));
    console.log(`\nsign-in hashes with argon2id, m=${ARGON2_OPTIONS.memoryCost} KiB, t=${ARGON2_OPTIONS.timeCost}, p=${ARGON2_OPTIONS.parallelism}`);
    console.log(`target: affected pages p99 < 50 ms: ${affected.p99 < 50 ? 'met' : 'NOT met'} (${affected.p99} ms)`);
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
