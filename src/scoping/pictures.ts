/**
 * What the console's pictures of a scope run are drawn from, counted in the database (GROUP BY):
 * the attacker's requests over time beside the indicators' window, and the affected people by
 * country and by exposed category. However many people a breach reached, a few dozen rows come back.
 */
import { sql } from 'kysely';
import type { Context } from '../context.ts';
import type { Category } from '../domain/index.ts';
import { getIncident } from '../incidents/index.ts';
import { BUCKET_PREFIX, type BucketUnit, bucketUnitFor, fillBuckets } from '../lib/time-buckets.ts';
import { affectedPerCategory } from './exposures.ts';
import { latestRun } from './results.ts';
import { parseScopeFile } from './scope-file.ts';

export interface RequestsOverTime {
  run: number;
  /** The indicators' window as the run's rules set it, each end null when open. */
  window: { from: string | null; until: string | null };
  unit: BucketUnit;
  /** From the bucket of the earliest request or window start to that of the latest request or window end. */
  buckets: { start: string; requests: number }[];
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
  // A line of a log is one request: its evidence rows (one per record it named) and unknown reads collapse to one.
  const lines = sql`(SELECT path, line, at FROM exposure_evidence WHERE incident_id = ${incident.id} AND run = ${run}
    UNION SELECT path, line, at FROM unknown_reads WHERE incident_id = ${incident.id} AND run = ${run})`;
  const { rows: [span] } = await sql<{ first: string | null; last: string | null }>`SELECT MIN(at) AS first, MAX(at) AS last FROM ${lines} r`.execute(ctx.db);
  const ends = [span.first, span.last, window.from, window.until].filter((at): at is string => at !== null).sort();
  if (ends.length === 0) return { run, window, unit: 'day', buckets: [] };
  const [first, last] = [ends[0], ends.at(-1)!];
  const unit = bucketUnitFor(first, last);
  const { rows } = await sql<{ bucket: string; requests: number }>`
    SELECT substr(at, 1, ${sql.lit(BUCKET_PREFIX[unit])}) AS bucket, COUNT(*) AS requests FROM ${lines} r GROUP BY 1`.execute(ctx.db);
  return { run, window, unit, buckets: fillBuckets(first, last, unit, rows, ['requests']) };
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
