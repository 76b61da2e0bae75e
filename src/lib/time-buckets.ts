/**
 * Time buckets for charts, read off stored instants by their text: an ISO 8601 UTC instant's
 * first 16 characters name its minute, 13 its hour, 10 its day, 7 its month. GROUP BY over
 * `substr(at, 1, n)` counts per bucket the same way on SQLite and PostgreSQL, in the database.
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
const SPAN: Record<Exclude<BucketUnit, 'month'>, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };

/** The finest unit that covers first…last in MAX_BUCKETS buckets or fewer; months beyond. */
export function bucketUnitFor(first: string, last: string): BucketUnit {
  const span = Date.parse(last) - Date.parse(first);
  for (const unit of ['minute', 'hour', 'day'] as const) {
    if (Math.floor(span / SPAN[unit]) + 1 <= MAX_BUCKETS) return unit;
  }
  return 'month';
}

/** The instant a bucket starts, from its prefix (`2019-11-02T14` → `2019-11-02T14:00:00.000Z`). */
export function bucketStart(prefix: string, unit: BucketUnit): string {
  return prefix + COMPLETION[unit];
}

/** The start of every bucket from the one `first` falls in to the one `last` falls in, empty ones included, so gaps show. */
export function bucketStarts(first: string, last: string, unit: BucketUnit): string[] {
  const end = bucketStart(last.slice(0, BUCKET_PREFIX[unit]), unit);
  const starts: string[] = [];
  const time = new Date(bucketStart(first.slice(0, BUCKET_PREFIX[unit]), unit));
  while (time.toISOString() <= end) {
    starts.push(time.toISOString());
    if (unit === 'month') time.setUTCMonth(time.getUTCMonth() + 1);
    else time.setTime(time.getTime() + SPAN[unit]);
  }
  return starts;
}

/** Counts keyed by bucket prefix, laid out over every bucket from first to last (zero where none). */
export function fillBuckets<S extends string>(
  first: string,
  last: string,
  unit: BucketUnit,
  counted: readonly ({ bucket: string } & Record<S, number>)[],
  series: readonly S[],
): ({ start: string } & Record<S, number>)[] {
  const byStart = new Map(counted.map((row) => [bucketStart(row.bucket, unit), row]));
  return bucketStarts(first, last, unit).map((start) => {
    const row = byStart.get(start);
    return { start, ...(Object.fromEntries(series.map((name) => [name, row ? Number(row[name]) : 0])) as Record<S, number>) };
  });
}
