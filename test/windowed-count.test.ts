import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import type { Kysely } from 'kysely';
import type { Tables } from '../src/db/index.ts';
import { addCounts } from '../src/portal/windowed-count.ts';
import { describeEachDatabase } from './helpers/databases.ts';

/** Counts each of `keys` once a request (a key given twice counts twice) and returns what each held before them. */
async function countRequests(db: Kysely<Tables>, dialect: OpenContext['dialect'], keys: readonly string[], windowStart: () => string, options: { asynchronousCommit?: boolean } = {}) {
  const requests = new Map<string, number>();
  for (const key of keys) requests.set(key, (requests.get(key) ?? 0) + 1);
  const totals = await addCounts(db, dialect, [...requests].map(([key, count]) => ({ key, windowStart: windowStart(), count })), options);
  return new Map([...totals].map(([key, total]) => [key, total - requests.get(key)!]));
}

describeEachDatabase('windowed counts (addCounts)', (database) => {
  let ctx: OpenContext;
  let other: OpenContext;
  beforeAll(async () => {
    ctx = await database().context();
    other = await database().context();
  });
  afterAll(async () => {
    await ctx?.close();
    await other?.close();
  });

  const count = (on: OpenContext, keys: string[], windowStart: string) => countRequests(on.db, on.dialect, keys, () => windowStart);
  const stored = (prefix: string) =>
    ctx.db.selectFrom('portal_lookup_counts').select(['key', 'window_start', 'count']).where('key', 'like', `${prefix}%`).orderBy('key').execute().then((rows) => rows.map((row) => ({ ...row, count: Number(row.count) })));

  it('counts each key once a request and returns what it held before them; a window that is over starts again', async () => {
    expect(Object.fromEntries(await count(ctx, ['count:b', 'count:a', 'count:b'], 'W1'))).toEqual({ 'count:a': 0, 'count:b': 0 });
    expect(Object.fromEntries(await count(ctx, ['count:b'], 'W1'))).toEqual({ 'count:b': 2 });
    expect(await stored('count:')).toEqual([
      { key: 'count:a', window_start: 'W1', count: 1 },
      { key: 'count:b', window_start: 'W1', count: 3 },
    ]);
    // The next window: what the last one held counts no more.
    expect(Object.fromEntries(await count(ctx, ['count:a', 'count:a'], 'W2'))).toEqual({ 'count:a': 0 });
    expect(await stored('count:a')).toEqual([{ key: 'count:a', window_start: 'W2', count: 2 }]);
  });

  it('adds a batch still in the window before to the later one', async () => {
    await count(ctx, ['roll:a'], 'W2');
    // A process a moment behind: its count goes to the later window, which it does not start again.
    expect(Object.fromEntries(await count(other, ['roll:a', 'roll:a'], 'W1'))).toEqual({ 'roll:a': 1 });
    expect(await stored('roll:')).toEqual([{ key: 'roll:a', window_start: 'W2', count: 3 }]);
  });

  it('adds counts of several requests at once and answers each key\'s total after them (addCounts)', async () => {
    const totals = await addCounts(ctx.db, ctx.dialect, [
      { key: 'add:b', windowStart: 'W1', count: 5 },
      { key: 'add:a', windowStart: 'W1', count: 2 },
    ]);
    expect(Object.fromEntries(totals)).toEqual({ 'add:a': 2, 'add:b': 5 });
    expect(Object.fromEntries(await addCounts(other.db, other.dialect, [{ key: 'add:b', windowStart: 'W1', count: 1 }]))).toEqual({ 'add:b': 6 });
    expect(await addCounts(ctx.db, ctx.dialect, [])).toEqual(new Map());
  });

  it('loses no request counted at once from two connections, each learning a different count before it', async () => {
    const rounds = 40;
    // Each statement counts two keys; the two connections give them in opposite orders, sorted the same way inside.
    const befores = await Promise.all(
      Array.from({ length: rounds }, (_, n) => count(n % 2 ? ctx : other, n % 4 < 2 ? ['race:x', 'race:y'] : ['race:y', 'race:x'], 'W1')),
    );
    expect(await stored('race:')).toEqual([
      { key: 'race:x', window_start: 'W1', count: rounds },
      { key: 'race:y', window_start: 'W1', count: rounds },
    ]);
    for (const key of ['race:x', 'race:y']) expect(befores.map((before) => before.get(key)).sort((a, b) => a! - b!)).toEqual(Array.from({ length: rounds }, (_, n) => n));
  });

  it('commits without waiting for the disk when asked, that statement alone (PostgreSQL: synchronous_commit off for its transaction)', async () => {
    const setting = async (db: typeof ctx.db) => (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(db)).rows[0]?.synchronous_commit;
    const asynchronous = (db: typeof ctx.db) => countRequests(db, ctx.dialect, ['async:a'], () => 'W1', { asynchronousCommit: true });
    if (ctx.dialect !== 'postgres') {
      expect(await asynchronous(ctx.db)).toEqual(new Map([['async:a', 0]]));
      return;
    }
    await ctx.db.connection().execute(async (connection) => {
      expect(await setting(connection)).toBe('on');
      await asynchronous(connection);
      // The connection goes back to the pool as it came: the next statement on it waits for the disk again.
      expect(await setting(connection)).toBe('on');
      // In a transaction it would make the whole transaction's commit so: refused.
      await expect(connection.transaction().execute((trx) => asynchronous(trx))).rejects.toThrow(/in a transaction/);
      expect(await setting(connection)).toBe('on');
    });
    expect((await stored('async:'))[0]).toMatchObject({ count: 1 });
  });
});
