import { describe, expect, it } from 'vitest';
import { countOverTime, MAX_BUCKETS } from './time-buckets.ts';

/** A count as the database makes it: instants grouped by their first `prefix` characters. */
function counter(instants: readonly string[]) {
  const asked: number[] = [];
  const count = async (prefix: number) => {
    asked.push(prefix);
    const groups = new Map<string, number>();
    for (const at of instants) groups.set(at.slice(0, prefix), (groups.get(at.slice(0, prefix)) ?? 0) + 1);
    return [...groups].map(([bucket, n]) => ({ bucket, n: String(n) }));
  };
  return { count, asked };
}

describe('countOverTime', () => {
  it('counts per minute over a short span, asking again only then, gaps included', async () => {
    const { count, asked } = counter(['2019-11-02T14:05:10.000Z', '2019-11-02T14:05:50.000Z', '2019-11-02T14:08:00.000Z']);
    expect(await countOverTime(count, ['n'])).toEqual({
      unit: 'minute',
      buckets: [
        { start: '2019-11-02T14:05:00.000Z', n: 2 },
        { start: '2019-11-02T14:06:00.000Z', n: 0 },
        { start: '2019-11-02T14:07:00.000Z', n: 0 },
        { start: '2019-11-02T14:08:00.000Z', n: 1 },
      ],
    });
    expect(asked).toEqual([13, 16]);
  });

  it('takes the finest unit that fits MAX_BUCKETS: 62 minutes over three hours stay minutes, days are sums of hours', async () => {
    const minutes = counter(['2019-11-02T14:59:00.000Z', '2019-11-02T16:00:30.000Z']);
    const result = await countOverTime(minutes.count, ['n']);
    expect([result.unit, result.buckets.length]).toEqual(['minute', 62]);

    const days = counter(['2019-10-30T01:00:00.000Z', '2019-10-30T23:00:00.000Z', '2019-11-13T12:00:00.000Z']);
    const daily = await countOverTime(days.count, ['n']);
    expect(daily.unit).toBe('day');
    expect(daily.buckets.length).toBe(15);
    expect(daily.buckets[0]).toEqual({ start: '2019-10-30T00:00:00.000Z', n: 2 });
    expect(days.asked).toEqual([13]);
  });

  it('spans the extra instants too (a window), and falls back to months past MAX_BUCKETS days', async () => {
    const { count } = counter(['2019-11-02T14:05:00.000Z']);
    const result = await countOverTime(count, ['n'], ['2019-01-01T00:00:00.000Z', '2019-12-31T23:59:59.999Z']);
    expect(result.unit).toBe('month');
    expect(result.buckets.length).toBe(12);
    expect(result.buckets[10]).toEqual({ start: '2019-11-01T00:00:00.000Z', n: 1 });
    expect(MAX_BUCKETS).toBeLessThan(365);
    expect(await countOverTime(counter([]).count, ['n'])).toEqual({ unit: 'day', buckets: [] });
  });
});
