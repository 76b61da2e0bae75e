/**
 * The portal on the day the notices go out, side by side with the same server's static page,
 * in one run:
 *
 *   npm run bench:portal [-- --people 1000000 --seconds 10 --runs 3 --connections 100]
 *
 * `tocsin serve` runs as a child process on the shop of bench/shop.ts (`--people` affected
 * people, each sent a notice; a quarter more customers), on SQLite and then PostgreSQL
 * (TOCSIN_BENCH_DATABASE_URL, else TOCSIN_TEST_DATABASE_URL; skipped when neither is set),
 * behind a trusted proxy: every request comes from another client address (X-Forwarded-For),
 * as a rush of customers does, so the per-client limits hold no one back. autocannon (in this
 * process) measures, with `--connections`:
 *
 * - the static page: the incident's published page, the same for everyone;
 * - POST /api/portal/verify with an affected customer's address and the code of their notice;
 * - the same with a wrong code for a random customer or stranger (each counted against the
 *   client and the address, as the throttles do);
 * - POST /api/portal/lookup with a customer's address (affected or not) or a stranger's, each
 *   once (an address is answered once a day), the answers mailed by the server's job runner
 *   into its outbox meanwhile, on the same two cores;
 *
 * and prints medians of `--runs` runs: requests/s, p50 and p99, the server's CPU time per
 * request (with its PostgreSQL backends'), and each route's requests/s as a ratio of the static
 * page's; each route starts once the server is idle again. Target: lookup and verify each at least 0.5× the static page, p99 under 100 ms.
 * The global lookup limit is raised for the run (portal.lookup_global), as a shop expecting the
 * rush would; the per-client limits stay as configured.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import type { Dialect } from '../src/db/index.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { deriveCode } from '../src/notices/verification-code.ts';
import { startServer } from './serve.ts';
import { customerAddress, type Measured, measure, medianOf, onEachDatabase, printRoutes, seededShop, settled, serverBenchOptions, servingProcesses, DATABASE_NAMES } from './shop.ts';

const { people: PEOPLE, seconds: SECONDS, runs: RUNS, connections: CONNECTIONS } = serverBenchOptions({ connections: 100 });
const WARM_UP_SECONDS = 3;
/** Distinct (address, code) pairs the genuine checks draw from. */
const GENUINE = 20_000;

/** A client address no request has used yet in this run: 10.x.y.z, then 11.x.y.z… */
let nextClient = 0;
/** Each lookup asks about another address: one that was answered today would be answered no more. */
let nextAddress = 0;
function client(): string {
  const n = nextClient++;
  return `${10 + (n >>> 24)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const random = (below: number) => Math.floor(Math.random() * below);

interface Route {
  name: string;
  options(url: string): autocannon.Options;
}

function post(path: string, body: () => unknown): (url: string) => autocannon.Options {
  return (url) => ({
    url,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          path,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client() },
          body: JSON.stringify(body()),
        }),
      },
    ],
  });
}

async function bench(dialect: Dialect): Promise<void> {
  const shop = await seededShop(dialect, PEOPLE);
  const { meta } = shop;
  const secret = loadSecret(shop.dataDir);
  const genuine = Array.from({ length: GENUINE }, () => {
    const email = customerAddress(random(meta.people));
    return { email, code: deriveCode(secret, meta.incidentId, email) };
  });
  writeFileSync(join(shop.dataDir, 'tocsin.yml'), 'portal:\n  lookup_global: {requests: 100000000, seconds: 60}\n');
  const { publicUrl, child } = await startServer(shop.dataDir, { databaseUrl: shop.databaseUrl, flags: ['--trust-proxy', '127.0.0.1'] });
  try {
    const probe = await fetch(`${publicUrl}/api/portal/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(genuine[0]) });
    const answer = (await probe.json()) as { genuine?: boolean };
    if (probe.status !== 200 || answer.genuine !== true) throw new Error(`verify answered ${probe.status} ${JSON.stringify(answer)} for a notice that was sent`);

    const routes: Route[] = [
      { name: `GET ${meta.incidentPage} (static page)`, options: (url) => ({ url: `${url}${meta.incidentPage}` }) },
      { name: 'POST /api/portal/verify (genuine)', options: post('/api/portal/verify', () => genuine[random(GENUINE)]) },
      {
        name: 'POST /api/portal/verify (wrong code)',
        options: post('/api/portal/verify', () => ({ email: random(2) ? customerAddress(random(meta.customers)) : `stranger${random(1e9)}@example.net`, code: '7KQ2M-X9D4H-RT8ZC' })),
      },
      { name: 'POST /api/portal/lookup', options: post('/api/portal/lookup', () => ({ email: random(4) ? customerAddress(nextAddress++) : `stranger${nextAddress++}@example.net` })) },
    ];
    const pids = () => servingProcesses(shop, child.pid!);
    const run = async (route: Route, seconds: number) => {
      await settled(pids);
      return measure({ connections: CONNECTIONS, duration: seconds, ...route.options(publicUrl) }, pids);
    };
    // The database was just copied: the first seconds would measure the disk, not the server.
    console.error(`${dialect}: warming up…`);
    for (const route of routes) await run(route, WARM_UP_SECONDS);

    const runs = routes.map((): Measured[] => []);
    for (let n = 1; n <= RUNS; n++) {
      console.error(`${dialect}: run ${n} of ${RUNS}…`);
      for (const [k, route] of routes.entries()) runs[k].push(await run(route, SECONDS));
    }
    const medians = runs.map(medianOf);
    const page = medians[0];
    console.log(`\nportal benchmark: ${meta.people.toLocaleString('en')} affected people (${meta.customers.toLocaleString('en')} customers) in ${DATABASE_NAMES[dialect]}, ${CONNECTIONS} connections, ${SECONDS} s × ${RUNS} runs, medians\n`);
    printRoutes('the static page', routes.map((route, k): [string, Measured] => [route.name, medians[k]]), page);
    const checked = medians.slice(1);
    const ratio = Math.min(...checked.map((m) => m.rps / page.rps));
    const worst = Math.max(...checked.map((m) => m.p99));
    console.log(`target: each ≥ 0.5× the static page and p99 < 100 ms: ${ratio >= 0.5 && worst < 100 ? 'met' : 'NOT met'} (lowest ratio ${ratio.toFixed(3)}, worst p99 ${worst} ms)`);
  } finally {
    child.kill('SIGTERM');
    rmSync(shop.dataDir, { recursive: true, force: true });
  }
}

await onEachDatabase(bench);
