/**
 * The campaign's delivery over time, counted in the database (GROUP BY): each tried notice in the
 * bucket of the moment it reached the state it is in now. A sent notice counts when it was sent;
 * a deferred one at its last attempt; a bounced or failed one when that was learnt (a bounce
 * report comes after the sending, and moves the notice from sent to bounced).
 */
import { sql } from 'kysely';
import type { Context } from '../context.ts';
import { getIncident } from '../incidents/index.ts';
import { countOverTime, type OverTime } from '../lib/time-buckets.ts';

/** The states a tried notice is in, as the chart's series. */
const DELIVERY_SERIES = ['sent', 'deferred', 'bounced', 'failed'] as const;
type Series = (typeof DELIVERY_SERIES)[number];

export type DeliveryOverTime = OverTime<Series>;

export async function deliveryOverTime(ctx: Pick<Context, 'db'>, incidentId: string): Promise<DeliveryOverTime> {
  const incident = await getIncident(ctx, incidentId);
  const reached = sql<string>`CASE WHEN state = 'sent' THEN sent_at ELSE updated_at END`;
  const counts = DELIVERY_SERIES.map((state) => sql`COUNT(*) FILTER (WHERE state = ${state}) AS ${sql.ref(state)}`);
  const count = async (prefix: number) =>
    (
      await sql<{ bucket: string } & Record<Series, number>>`
        SELECT substr(${reached}, 1, ${sql.lit(prefix)}) AS bucket, ${sql.join(counts)}
        FROM notices WHERE incident_id = ${incident.id} AND state IN (${sql.join([...DELIVERY_SERIES])}) GROUP BY 1`.execute(ctx.db)
    ).rows;
  return countOverTime(count, DELIVERY_SERIES);
}
