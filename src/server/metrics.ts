import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Context } from '../context.ts';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  failedLogins: Counter;
}

/**
 * What Prometheus scrapes at /metrics. Requests are labelled by their route's pattern, never
 * the URL itself (it can hold an email address); notices are counted from the database at
 * each scrape, so every process and `tocsin send` shows in them.
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
  const failedLogins = new Counter({ name: 'tocsin_failed_logins_total', help: 'Sign-ins refused by this process', registers: [registry] });
  new Gauge({
    name: 'tocsin_notices',
    help: 'Notices of every incident by state (sent: the SMTP server accepted them)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = await ctx.db
        .selectFrom('notices')
        .select(['state', sql<number>`count(*)`.as('count')])
        .groupBy('state')
        .execute();
      this.reset();
      for (const row of rows) this.set({ state: row.state }, Number(row.count));
    },
  });
  return { registry, requestDuration, failedLogins };
}
