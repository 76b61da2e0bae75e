import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { LookupCounts } from '../src/portal/lookup-counts.ts';
import { windowOf } from '../src/portal/windowed-count.ts';
import { describeEachDatabase } from './helpers/databases.ts';

describeEachDatabase('lookup counts held in memory (LookupCounts)', (database) => {
  let ctx: OpenContext;
  let clock = new Date('2026-04-01T10:00:00.000Z');
  const hourly = { requests: 10, seconds: 3600 };
  beforeAll(async () => {
    ctx = await database().context({ now: () => clock });
  });
  afterAll(() => ctx?.close());

  const stored = async (key: string) => (await ctx.db.selectFrom('portal_lookup_counts').select(['window_start', 'count']).where('key', '=', key).execute()).map((row) => [row.window_start, Number(row.count)]);

  it('counts what is being written as well as what is not yet, and learns the total with other processes\' counts once written', async () => {
    const book = new LookupCounts(ctx);
    const window = windowOf(hourly, clock);
    book.add('counts:a', window, 2);
    const writing = book.sync();
    // The statement is under way: its counts still count.
    await Promise.resolve();
    expect(book.held('counts:a', window.start)).toBe(2);
    book.add('counts:a', window, 1);
    expect(book.held('counts:a', window.start)).toBe(3);
    await writing;
    expect(await stored('counts:a')).toEqual([[window.start, 2]]);
    // Another process adds 5 of its own; this one learns of them when it next writes.
    await ctx.db.updateTable('portal_lookup_counts').set({ count: 7 }).where('key', '=', 'counts:a').execute();
    expect(book.held('counts:a', window.start)).toBe(3);
    await book.sync();
    expect(book.held('counts:a', window.start)).toBe(8);
    expect(await stored('counts:a')).toEqual([[window.start, 8]]);
  });

  it('keeps the counts a failed write held, still counting them, and writes them at the next sync', async () => {
    const book = new LookupCounts(ctx);
    const window = windowOf(hourly, clock);
    book.add('counts:d', window, 3);
    await sql`ALTER TABLE portal_lookup_counts RENAME TO portal_lookup_counts_away`.execute(ctx.db);
    try {
      await book.sync();
    } finally {
      await sql`ALTER TABLE portal_lookup_counts_away RENAME TO portal_lookup_counts`.execute(ctx.db);
    }
    expect(book.held('counts:d', window.start)).toBe(3);
    expect(await stored('counts:d')).toEqual([]);
    book.add('counts:d', window, 1);
    await book.sync();
    expect(await stored('counts:d')).toEqual([[window.start, 4]]);
    expect(book.held('counts:d', window.start)).toBe(4);
  });

  it('starts a key again in a later window, takes no count into a window that is over, and lets go of keys whose window is over', async () => {
    const book = new LookupCounts(ctx);
    const first = windowOf(hourly, clock);
    book.add('counts:b', first, 4);
    await book.sync();
    clock = new Date(clock.getTime() + 3_600_000);
    const next = windowOf(hourly, clock);
    expect(book.held('counts:b', next.start)).toBe(0);
    book.add('counts:b', next, 1);
    // A batch a moment behind, in the window before: nothing more to count there.
    book.add('counts:b', first, 3);
    expect(book.held('counts:b', first.start)).toBe(0);
    expect(book.held('counts:b', next.start)).toBe(1);
    await book.sync();
    expect(await stored('counts:b')).toEqual([[next.start, 1]]);
    clock = new Date(clock.getTime() + 3_600_000);
    book.add('counts:c', windowOf(hourly, clock), 1);
    await book.sync();
    // counts:b's window is over and nothing of it is left to write: let go, its count 0 in any window now.
    expect(book.held('counts:b', next.start)).toBe(0);
  });
});
