/**
 * The staff API under load, side by side with the same server's /healthz, in one run:
 *
 *   npm run bench:api [-- --people 1000000 --seconds 10 --runs 3 --connections 50 --processes 2]
 *
 * `tocsin serve --processes` (by default one per core) runs as a child process on the shop of
 * bench/shop.ts with `--people` affected people, on SQLite and then PostgreSQL (TOCSIN_BENCH_DATABASE_URL, else TOCSIN_TEST_DATABASE_URL;
 * skipped when neither is set). wrk (one thread: a load generator in C, which leaves the server
 * the CPU autocannon in this process would take) then measures, with `--connections`:
 *
 * - GET /api/incidents/ID/affected?limit=100&cursor=… with a country filter, with a country and
 *   a category, and with a category alone: each request from a cursor drawn at random across the
 *   whole list, as a bearer token;
 * - GET /healthz: the same server doing no work, the ceiling a route can reach;
 * - POST /api/session: sign-in, bounded by argon2id (its cost is printed).
 *
 * After a few seconds of each affected page unmeasured (the database was just copied), runs the
 * pages and /healthz in turn `--runs` times, then sign-in `--runs` times, and prints
 * medians of the runs (and each run's pages): requests/s, p50 and p99 latency, the CPU time the server spent per
 * request (with its PostgreSQL backends'; Linux /proc), which a machine busy with other work
 * changes far less than the rest, and each route's requests/s as a ratio of /healthz's. Target:
 * p99 under 50 ms for the affected pages.
 */
import { rmSync } from 'node:fs';
import { ARGON2_OPTIONS } from '../src/accounts/passwords.ts';
import type { Dialect } from '../src/db/index.ts';
import { startServer } from './serve.ts';
import { type Measured, measureWithWrk, medianOf, PASSWORD, onEachDatabase, printRoutes, printRuns, seededShop, serverBenchOptions, servingProcesses, DATABASE_NAMES, type WrkRoute } from './shop.ts';

const { people: PEOPLE, seconds: SECONDS, runs: RUNS, connections: CONNECTIONS, processes: PROCESSES, database: DATABASE } = serverBenchOptions({ connections: 50 });
const WARM_UP_SECONDS = 3;
/** The filters measured: country (FR, the largest), country and category, category alone. */
const FILTERS = ['country=FR', 'country=DE&category=phone', 'category=payment_card_last4'];

const measure = (route: WrkRoute, pids: () => Promise<number[]>, seconds = SECONDS) => measureWithWrk(route, { connections: CONNECTIONS, seconds }, pids);

/** Every route on one database's server, `RUNS` times in turn, and the table of their medians. */
async function bench(dialect: Dialect): Promise<void> {
  const shop = await seededShop(dialect, PEOPLE);
  const { meta } = shop;
  const { url, child } = await startServer(shop.dataDir, { databaseUrl: shop.databaseUrl, flags: ['--processes', String(PROCESSES)] });
  try {
    const auth = { authorization: `Bearer ${meta.token}` };
    const pathOf = (filter: string) => `/api/incidents/${meta.incidentId}/affected?limit=100&${filter}`;
    for (const filter of FILTERS) {
      const first = await fetch(`${url}${pathOf(filter)}&cursor=${meta.cursors[1]}`, { headers: auth });
      const page = (await first.json()) as { items: unknown[] };
      if (first.status !== 200 || page.items.length !== 100) throw new Error(`the affected route with ${filter} answered ${first.status} with ${page.items?.length} people`);
    }

    const pages = (filter: string): WrkRoute => ({ url, headers: auth, paths: meta.cursors.map((cursor) => `${pathOf(filter)}&cursor=${cursor}`) });
    // The database was just copied: the first seconds would measure the disk, not the server.
    console.error(`${dialect}: warming up…`);
    const pids = () => servingProcesses(shop, child.pid!);
    for (const filter of FILTERS) await measure(pages(filter), pids, WARM_UP_SECONDS);

    const runs = { affected: FILTERS.map((): Measured[] => []), healthz: [] as Measured[], login: [] as Measured[] };
    for (let run = 1; run <= RUNS; run++) {
      console.error(`${dialect}: run ${run} of ${RUNS}…`);
      for (const [k, filter] of FILTERS.entries()) runs.affected[k].push(await measure(pages(filter), pids));
      runs.healthz.push(await measure({ url, paths: ['/healthz'] }, pids));
    }
    // Sign-in's runs come last: each is seconds of both cores hashing (argon2id), after which a machine of this kind does less work per CPU-second for a while (see bench:portal).
    const signIn = JSON.stringify({ email: meta.email, password: PASSWORD });
    for (let run = 1; run <= RUNS; run++) {
      console.error(`${dialect}: sign-in, run ${run} of ${RUNS}…`);
      runs.login.push(await measure({ url, paths: ['/api/session'], method: 'POST', headers: { 'content-type': 'application/json' }, body: signIn }, pids));
    }
    const affected = runs.affected.map(medianOf);
    const healthz = medianOf(runs.healthz);
    const login = medianOf(runs.login);
    const name = (filter: string) => `GET …/affected?limit=100&${filter}&cursor=…`;
    console.log(`\napi benchmark: ${meta.people.toLocaleString('en')} affected people in ${DATABASE_NAMES[dialect]}, ${CONNECTIONS} connections, ${PROCESSES} serving process${PROCESSES === 1 ? '' : 'es'}, ${SECONDS} s × ${RUNS} runs, medians\n`);
    printRoutes('/healthz', [
      ...FILTERS.map((filter, k): [string, Measured] => [name(filter), affected[k]]),
      ['GET /healthz', healthz],
      ['POST /api/session (sign-in)', login],
    ], healthz);
    printRuns(FILTERS.map((filter, k): [string, Measured[]] => [name(filter), runs.affected[k]]));
    console.log(`\nsign-in hashes with argon2id, m=${ARGON2_OPTIONS.memoryCost} KiB, t=${ARGON2_OPTIONS.timeCost}, p=${ARGON2_OPTIONS.parallelism}`);
    const worst = Math.max(...affected.map((m) => m.p99));
    console.log(`target: affected pages p99 < 50 ms: ${worst < 50 ? 'met' : 'NOT met'} (worst ${worst} ms)`);
  } finally {
    child.kill('SIGTERM');
    rmSync(shop.dataDir, { recursive: true, force: true });
  }
}

await onEachDatabase(bench, DATABASE);
