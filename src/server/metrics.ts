import cluster from 'node:cluster';
import { sql } from 'kysely';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Context } from '../context.ts';
import { reasonOf } from '../lib/errors.ts';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  failedLogins: Counter;
  /** The portal's code checks by answer: genuine, not_genuine, typo, throttled. */
  portalVerifications: Counter<'result'>;
  /** Suspicious messages the portal kept. */
  portalReports: Counter;
  /** "Was I affected?" requests: accepted (queued) or throttled. */
  portalLookups: Counter<'result'>;
}

/**
 * What Prometheus scrapes at /metrics. Requests are labelled by their route's pattern, never
 * the URL itself (it can hold an email address); notices and jobs are counted from the database
 * at each scrape, so every process (`tocsin send`, workers) shows in them. In a serving process
 * (tocsin serve --processes), the first process sums every serving process's (metricsText).
 */
export function createMetrics(ctx: Pick<Context, 'db'>): Metrics {
  const registry = new Registry();
  const requestDuration = new Histogram({
    name: 'tocsin_http_request_duration_seconds',
    help: 'HTTP request durations by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const failedLogins = new Counter({ name: 'tocsin_failed_logins_total', help: 'Sign-ins refused by this server', registers: [registry] });
  const portalVerifications = new Counter({
    name: 'tocsin_portal_verifications_total',
    help: "The portal's code checks answered by this server, by answer (throttled: refused before any lookup)",
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const portalReports = new Counter({ name: 'tocsin_portal_reports_total', help: 'Suspicious messages the portal kept in this server', registers: [registry] });
  const portalLookups = new Counter({
    name: 'tocsin_portal_lookups_total',
    help: '"Was I affected?" requests answered by this server: accepted (an answer queued) or throttled (refused before anything was queued)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'tocsin_portal_answers',
    help: 'Letters /verify recognises that the portal and the phishing desk mailed so far ("Was I affected?" answers and replies to reporters), by any process, counted from the database',
    registers: [registry],
    aggregator: 'first',
    async collect() {
      const row = await ctx.db.selectFrom('portal_answers').select(sql<number>`count(*)`.as('count')).executeTakeFirst();
      this.set(Number(row?.count ?? 0));
    },
  });
  countedByState(registry, 'tocsin_notices', 'Notices of every incident by state (sent: the SMTP server accepted them)', () =>
    ctx.db.selectFrom('notices').select(['state', sql<number>`count(*)`.as('count')]).groupBy('state').execute(),
  );
  countedByState(registry, 'tocsin_jobs', 'Jobs by state, whichever process runs them', () =>
    ctx.db.selectFrom('jobs').select(['state', sql<number>`count(*)`.as('count')]).groupBy('state').execute(),
  );
  if (cluster.isWorker) {
    // The first process's AggregatorRegistry asks for this registry; constructing one here is what makes prom-client answer it.
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
  }
  return { registry, requestDuration, failedLogins, portalVerifications, portalReports, portalLookups };
}

type MetricsMessage = { type: 'tocsin:metrics?'; id: number } | { type: 'tocsin:metrics'; id: number; text?: string; error?: string };

/** The text /metrics answers: this process's metrics, or in a serving process every serving process's, summed by the first. */
export function metricsText(metrics: Metrics): Promise<string> {
  return cluster.isWorker ? askFirstProcess() : metrics.registry.metrics();
}

let asked = 0;

function askFirstProcess(): Promise<string> {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const take = (message: MetricsMessage) => {
      if (message?.type !== 'tocsin:metrics' || message.id !== id) return;
      process.off('message', take);
      if (message.text === undefined) reject(new Error(`the first process could not sum the metrics: ${message.error}`));
      else resolve(message.text);
    };
    process.on('message', take);
    process.send!({ type: 'tocsin:metrics?', id } satisfies MetricsMessage);
  });
}

/**
 * In the first process of tocsin serve --processes: answers each serving process's request for
 * the metrics with the sum of every serving process's (prom-client's AggregatorRegistry asks
 * each). Returns what stops it.
 */
export function answerMetricsRequests(): () => void {
  const aggregator = new AggregatorRegistry();
  const answer = (worker: { send(message: MetricsMessage): void }, message: MetricsMessage) => {
    if (message?.type !== 'tocsin:metrics?') return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: 'tocsin:metrics', id: message.id, text }),
      (error: unknown) => worker.send({ type: 'tocsin:metrics', id: message.id, error: reasonOf(error) }),
    );
  };
  cluster.on('message', answer);
  return () => void cluster.off('message', answer);
}

/** A gauge by state, counted from the database at each scrape. */
function countedByState(registry: Registry, name: string, help: string, count: () => Promise<{ state: string; count: number }[]>): void {
  new Gauge({
    name,
    help,
    labelNames: ['state'] as const,
    registers: [registry],
    // Each serving process counts the same rows: their sum would count them again.
    aggregator: 'first',
    async collect() {
      const rows = await count();
      this.reset();
      for (const row of rows) this.set({ state: row.state }, Number(row.count));
    },
  });
}
