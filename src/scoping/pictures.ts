/**
 * What the console's pictures of a scope run are drawn from, counted in the database (GROUP BY):
 * the attacker's requests over time beside the indicators' window, and the affected people by
 * country and by exposed category. However many people a breach reached, a few dozen rows come back.
 */
import { sql } from 'kysely';
import type { Context } from '../context.ts';
import type { Category } from '../domain/index.ts';
import { getIncident } from '../incidents/index.ts';
import { countOverTime, type OverTime } from '../lib/time-buckets.ts';
import { affectedPerCategory } from './exposures.ts';
import { latestRun } from './results.ts';
import { parseScopeFile } from './scope-file.ts';

/** Buckets from that of the earliest request or window start to that of the latest request or window end. */
export interface RequestsOverTime extends OverTime<'requests'> {
  run: number;
  /** The indicators' window as the run's rules set it, each end null when open. */
  window: { from: string | null; until: string | null };
}

/**
 * The latest run's attacker requests per minute, hour, day or month: each log line the run kept as
 * evidence once (it named a record, or revealed a value that named none), counted at its time.
 */
export async function requestsOverTime(ctx: Pick<Context, 'db'>, incidentId: string): Promise<RequestsOverTime> {
  const incident = await getIncident(ctx, incidentId);
  const run = await latestRun(ctx.db, incident.id);
  const { rules, rules_path } = await ctx.db.selectFrom('scope_runs').select(['rules', 'rules_path']).where('incident_id', '=', incident.id).where('run', '=', run).executeTakeFirstOrThrow();
  const indicators = parseScopeFile(rules, rules_path).indicators;
  const window = {
    from: indicators?.from == null ? null : new Date(indicators.from).toISOString(),
    until: indicators?.until == null ? null : new Date(indicators.until).toISOString(),
  };
  // A log line is one request, however many records it named (an evidence row each) or unknown
  // values it revealed: evidence is grouped by line along its primary key, in order, with no sort;
  // an unknown read counts when its line named no record.
  const count = async (prefix: number) =>
    (
      await sql<{ bucket: string; requests: number }>`
        SELECT substr(at, 1, ${sql.lit(prefix)}) AS bucket, COUNT(*) AS requests FROM (
          SELECT MIN(at) AS at FROM exposure_evidence WHERE incident_id = ${incident.id} AND run = ${run} GROUP BY path, line
          UNION ALL
          SELECT MIN(at) AS at FROM unknown_reads u WHERE incident_id = ${incident.id} AND run = ${run}
            AND NOT EXISTS (SELECT 1 FROM exposure_evidence e WHERE e.incident_id = u.incident_id AND e.run = u.run AND e.path = u.path AND e.line = u.line)
          GROUP BY path, line
        ) r GROUP BY 1`.execute(ctx.db)
    ).rows;
  const windowEnds = [window.from, window.until].filter((at): at is string => at !== null);
  return { run, window, ...(await countOverTime(count, ['requests'], windowEnds)) };
}

export interface AffectedBreakdown {
  run: number;
  affected: number;
  /** Most people first; null for people whose country no record gives. */
  countries: { country: string | null; subjects: number }[];
  /** In the fixed category order, the categories nobody lost left out. */
  categories: { category: Category; subjects: number }[];
}

/** The latest run's affected people counted by country and by exposed category. */
export async function affectedBreakdown(ctx: Pick<Context, 'db'>, incidentId: string): Promise<AffectedBreakdown> {
  const incident = await getIncident(ctx, incidentId);
  const run = await latestRun(ctx.db, incident.id);
  // The affected_country index holds incident, run and country first: the count reads it alone.
  const countries = await ctx.db
    .selectFrom('affected')
    .select((eb) => ['country', eb.fn.countAll<number>().as('subjects')])
    .where('incident_id', '=', incident.id)
    .where('run', '=', run)
    .groupBy('country')
    .execute();
  const byCount = countries
    .map((row) => ({ country: row.country, subjects: Number(row.subjects) }))
    .sort((a, b) => b.subjects - a.subjects || (a.country ?? '\uffff').localeCompare(b.country ?? '\uffff'));
  return {
    run,
    affected: byCount.reduce((sum, row) => sum + row.subjects, 0),
    countries: byCount,
    categories: await affectedPerCategory(ctx.db, incident.id, run),
  };
}
