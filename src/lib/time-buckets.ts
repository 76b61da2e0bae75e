/**
 * Counts over time for charts, made in the database: an ISO 8601 UTC instant's first 16
 * characters name its minute, 13 its hour, 10 its day, 7 its month, so GROUP BY over
 * `substr(at, 1, n)` counts per bucket the same way on SQLite and PostgreSQL. One pass counts per
 * hour, and days and months are sums of hours; only a span of three hours or less is counted
 * again per minute. However many rows are counted, what comes back grows with the span of time alone.
 */
export const BUCKET_UNITS = ['minute', 'hour', 'day', 'month'] as const;
export type BucketUnit = (typeof BUCKET_UNITS)[number];

/** The characters of an instant that name its bucket. */
export const BUCKET_PREFIX: Record<BucketUnit, number> = { minute: 16, hour: 13, day: 10, month: 7 };

/** What a bucket's prefix lacks to be an instant again. */
const COMPLETION: Record<BucketUnit, string> = { minute: ':00.000Z', hour: ':00:00.000Z', day: 'T00:00:00.000Z', month: '-01T00:00:00.000Z' };

/** The most buckets a chart gets: a bar a few pixels wide at the least. */
export const MAX_BUCKETS = 72;

const MINUTE = 60_000;
/** The most hours MAX_BUCKETS minutes touch: from the last minute of one hour on. */
const MINUTE_SPAN_HOURS = Math.floor((59 + MAX_BUCKETS - 1) / 60) + 1;
const SPAN: Record<Exclude<BucketUnit, 'month'>, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };

/** The instant a bucket starts, from its prefix (`2019-11-02T14` → `2019-11-02T14:00:00.000Z`). */
const bucketStart = (prefix: string, unit: BucketUnit) => prefix + COMPLETION[unit];
const bucketOf = (at: string, unit: BucketUnit) => bucketStart(at.slice(0, BUCKET_PREFIX[unit]), unit);

/** How many buckets of `unit` run from the one `first` falls in to the one `last` falls in. */
function bucketCount(first: string, last: string, unit: BucketUnit): number {
  const [a, b] = [new Date(bucketOf(first, unit)), new Date(bucketOf(last, unit))];
  if (unit === 'month') return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
  return (b.getTime() - a.getTime()) / SPAN[unit] + 1;
}

/** The start of every bucket from the one `first` falls in to the one `last` falls in, empty ones included, so gaps show. */
function bucketStarts(first: string, last: string, unit: BucketUnit): string[] {
  const end = bucketOf(last, unit);
  const starts: string[] = [];
  for (const time = new Date(bucketOf(first, unit)); time.toISOString() <= end; ) {
    starts.push(time.toISOString());
    if (unit === 'month') time.setUTCMonth(time.getUTCMonth() + 1);
    else time.setTime(time.getTime() + SPAN[unit]);
  }
  return starts;
}

/** Rows a count per bucket gives: the bucket's prefix and a count per series. */
export type BucketRow<S extends string> = { bucket: string } & Record<S, number | string>;

export interface OverTime<S extends string> {
  unit: BucketUnit;
  /** From the bucket of the first instant to that of the last, empty ones included. */
  buckets: ({ start: string } & Record<S, number>)[];
}

/**
 * Counts per bucket of the finest unit that spans the counted instants, and `alsoSpan`, in
 * MAX_BUCKETS buckets or fewer. `count(prefix)` counts per bucket of that many characters.
 */
export async function countOverTime<S extends string>(count: (prefix: number) => Promise<BucketRow<S>[]>, series: readonly S[], alsoSpan: readonly string[] = []): Promise<OverTime<S>> {
  const zeros = () => Object.fromEntries(series.map((name) => [name, 0])) as Record<S, number>;
  let rows = await count(BUCKET_PREFIX.hour);
  let counted: BucketUnit = 'hour';
  let ends = [...rows.map((row) => bucketStart(row.bucket, counted)), ...alsoSpan].sort();
  if (ends.length === 0) return { unit: 'day', buckets: [] };
  // Only a span within MINUTE_SPAN_HOURS hours can fit in minutes: then count again per minute.
  if (bucketCount(ends[0], ends.at(-1)!, 'hour') <= MINUTE_SPAN_HOURS) {
    rows = await count(BUCKET_PREFIX.minute);
    counted = 'minute';
    ends = [...rows.map((row) => bucketStart(row.bucket, counted)), ...alsoSpan].sort();
  }
  const [first, last] = [ends[0], ends.at(-1)!];
  const coarser = BUCKET_UNITS.slice(BUCKET_UNITS.indexOf(counted));
  const unit = coarser.find((candidate) => bucketCount(first, last, candidate) <= MAX_BUCKETS) ?? 'month';
  const sums = new Map<string, Record<S, number>>();
  for (const row of rows) {
    const start = bucketOf(row.bucket, unit);
    const sum = sums.get(start) ?? zeros();
    for (const name of series) sum[name] += Number(row[name]);
    sums.set(start, sum);
  }
  return { unit, buckets: bucketStarts(first, last, unit).map((start) => ({ start, ...(sums.get(start) ?? zeros()) })) };
}
