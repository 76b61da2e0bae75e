import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { CompiledQuery } from 'kysely';
import { ThrottleBook, throttlePolicy } from '../src/accounts/index.ts';
import { restrictingThrottles } from '../src/accounts/throttle-book.ts';
import type { OpenContext } from '../src/context.ts';
import { describeEachDatabase } from './helpers/databases.ts';

/** Two free failures, then a wait; a lock after ten. */
const POLICY = throttlePolicy(2, 10);
/** A clock that stands still: a wait never runs out while the test looks. */
const NOW = new Date('2026-03-02T09:00:00.000Z');

describeEachDatabase('throttles held in memory and synced (ThrottleBook)', (database) => {
  // Each book on a connection of its own, as each server process has.
  const contexts: OpenContext[] = [];
  const books: ThrottleBook[] = [];
  const newBook = async () => {
    const ctx = await database().context({ now: () => NOW });
    contexts.push(ctx);
    const book = new ThrottleBook({ db: ctx.db, dialect: ctx.dialect, now: ctx.now, logger: ctx.logger, prefix: 'portal-verify:' });
    books.push(book);
    return { ctx, book };
  };
  let first: Awaited<ReturnType<typeof newBook>>;
  let second: Awaited<ReturnType<typeof newBook>>;
  beforeAll(async () => {
    first = await newBook();
    second = await newBook();
  });
  afterAll(async () => {
    for (const book of books) await book.close();
    for (const ctx of contexts) await ctx.close();
  });

  const failuresOf = async (key: string) =>
    (await first.ctx.db.selectFrom('login_throttles').select('failures').where('key', '=', key).executeTakeFirst())?.failures;

  it('restricts a key in this process at once, and in another once it has synced', async () => {
    const key = 'portal-verify:target:a';
    for (let i = 0; i < 3; i++) {
      expect((await first.book.verdict(key, POLICY, NOW)).allowed).toBe(true);
      first.book.fail(key, POLICY, NOW);
    }
    expect(await first.book.verdict(key, POLICY, NOW)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    await vi.waitFor(async () => expect((await second.book.verdict(key, POLICY, NOW)).allowed).toBe(false), { timeout: 10_000, interval: 50 });
  });

  it("counts both processes' failures of one key", async () => {
    const key = 'portal-verify:target:b';
    first.book.fail(key, POLICY, NOW);
    second.book.fail(key, POLICY, NOW);
    first.book.fail(key, POLICY, NOW);
    second.book.fail(key, POLICY, NOW);
    await Promise.all([first.book.close(), second.book.close()]);
    expect(await failuresOf(key)).toBe(4);
  });

  it("holds a key's first failure in memory, written with its second or once another process's row restricts", async () => {
    const once = 'portal-verify:target:once';
    first.book.fail(once, POLICY, NOW);
    await first.book.close();
    expect(await failuresOf(once)).toBeUndefined();
    first.book.fail(once, POLICY, NOW);
    await first.book.close();
    expect(await failuresOf(once)).toBe(2);

    const shared = 'portal-verify:target:shared';
    second.book.fail(shared, POLICY, NOW);
    for (let i = 0; i < 3; i++) first.book.fail(shared, POLICY, NOW);
    await first.book.close();
    // The second process hears of the row (3 failures restrict), and its held failure joins it.
    await vi.waitFor(async () => expect((await second.book.verdict(shared, POLICY, NOW)).allowed).toBe(false), { timeout: 10_000, interval: 50 });
    await second.book.close();
    expect(await failuresOf(shared)).toBe(4);
  });

  it('forgets a held failure of a key it lets go of, past the keys it holds at most; a key that failed twice keeps its row', async () => {
    const ctx = await database().context({ now: () => NOW });
    contexts.push(ctx);
    // A prefix of its own: it reads back none of the other tests' rows, which would crowd its keys out.
    const book = new ThrottleBook({ db: ctx.db, dialect: ctx.dialect, now: ctx.now, logger: ctx.logger, prefix: 'evict:', mostKeys: 2 });
    books.push(book);
    for (const key of ['twice', 'twice']) book.fail(`evict:${key}`, POLICY, NOW);
    await vi.waitFor(async () => expect(await failuresOf('evict:twice')).toBe(2), { timeout: 10_000, interval: 50 });
    await book.close();
    // The next sync writes 'newest' (its second failure), then lets go of the keys that failed longest ago past the two held: 'twice' and 'oldest'.
    for (const key of ['oldest', 'older', 'newest', 'newest']) book.fail(`evict:${key}`, POLICY, NOW);
    await vi.waitFor(async () => expect(await failuresOf('evict:newest')).toBe(2), { timeout: 10_000, interval: 50 });
    await book.close();
    expect(await failuresOf('evict:oldest')).toBeUndefined();
    expect(await failuresOf('evict:older')).toBeUndefined();
    expect(await failuresOf('evict:twice')).toBe(2);
    // 'older', kept, still holds its first failure back: a second writes both.
    book.fail('evict:older', POLICY, NOW);
    await book.close();
    expect(await failuresOf('evict:older')).toBe(2);
  });

  it('reads back what restricts when a process starts, and keeps nothing of other users of the table', async () => {
    await first.ctx.db.insertInto('login_throttles').values({ key: 'login:someone', failures: 9, last_failure_at: NOW.toISOString(), locked_until: null }).execute();
    const { book } = await newBook();
    expect((await book.verdict('portal-verify:target:a', POLICY, NOW)).allowed).toBe(false);
    expect((await book.verdict('portal-verify:target:b', POLICY, NOW)).allowed).toBe(false);
    expect((await book.verdict('portal-verify:target:c', POLICY, NOW)).allowed).toBe(true);
    expect((await book.verdict('login:someone', POLICY, NOW)).allowed).toBe(true);
  });

  it('hears of a lock set in another process; reads what restricts down its own indexes, not every row that failed lately', async () => {
    const key = 'portal-verify:target:locked';
    for (let i = 0; i < POLICY.lockAfter; i++) first.book.fail(key, POLICY, NOW);
    await first.book.close();
    // Locking starts the count again: the row restricts by its lock alone.
    expect(await failuresOf(key)).toBe(0);
    await vi.waitFor(async () => expect(await second.book.verdict(key, POLICY, NOW)).toMatchObject({ allowed: false, locked: true }), { timeout: 10_000, interval: 50 });
    if (first.ctx.dialect !== 'sqlite') return;
    // SQLite keeps no statistics: left to choose, it walked every row that failed in the last seconds (login_throttles_last_failure).
    const { sql: text, parameters } = restrictingThrottles('sqlite', 'portal-verify:', NOW, 2, NOW).compile(first.ctx.db);
    const plan = (await first.ctx.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${text}`, [...parameters]))).rows.map((row) => row.detail);
    expect(plan.filter((step) => /^(SEARCH|SCAN) login_throttles\b/.test(step))).toEqual([
      expect.stringMatching(/USING INDEX login_throttles_failing \(failures>\?\)/),
      expect.stringMatching(/USING INDEX login_throttles_locked \(locked_until>\?\)/),
    ]);
  });
});
