import { sql } from 'kysely';
import { endpoint } from '../endpoint.ts';
import { metricsText } from '../metrics.ts';

export const healthz = endpoint({
  summary: 'The process is up and answering',
  handle: async () => ({ status: 'ok' }),
});

export const readyz = endpoint({
  summary: 'The process can serve: its database answers (503 when it does not)',
  handle: async ({ ctx, reply }) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ error: { code: 'DATABASE_UNREACHABLE', message: 'the database does not answer' } });
    }
  },
});

export const metrics = endpoint({
  summary: "Prometheus metrics: request durations by route on both listeners, notices and jobs by state, failed sign-ins, the portal's code checks and reports",
  handle: async ({ reply, metrics }) => reply.type(metrics.registry.contentType).send(await metricsText(metrics)),
});
