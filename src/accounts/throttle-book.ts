import { setImmediate } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Dialect, Tables } from '../db/index.ts';
import { bulkInsert, bulkTake } from '../db/index.ts';
import { reasonOf } from '../lib/errors.ts';
import { SWEEP_EVERY_MS, sweepDue } from '../lib/sweep.ts';
import { afterFailure, FORGET_AFTER_MS, isStale, throttleVerdict, type ThrottlePolicy, type ThrottleState, type Verdict } from './throttle.ts';
import { forgetStaleThrottles } from './throttle-store.ts';

/** How often a book writes its failures and hears of other processes': what a limit may overshoot by across processes. */
export const SYNC_EVERY_MS = 250;
/** Keys held in memory at most: past this, those whose last failure is oldest are let go (the database keeps those that failed twice). */
const MOST_KEYS = 500_000;
/** Keys written per transaction: a rush of wrong codes holds requests up no longer than one takes. */
const CHUNK = 200;
/** Another process writes its failures up to one sync interval late: rows are read back over a margin that covers that and clock skew. */
const HEARD_MARGIN_MS = 5_000;

export interface ThrottleBookOptions {
  db: Kysely<Tables>;
  dialect: Dialect;
  now: () => Date;
  logger: Logger;
  /** The keys this book holds all begin with it (`portal-verify:`); it reads back no other rows. */
  prefix: string;
  /** Keys held in memory at most (MOST_KEYS). */
  mostKeys?: number;
}

/**
 * The rows of keys beginning with `prefix` that failed since `since` and restrict: with at least
 * `from` failures, or locked at `now`; the latest MOST_KEYS, the latest first. Each condition is
 * read down its own index (migration 0043), never every row that failed since: after a rush of
 * wrong codes that read took SQLite 62 ms with 115,000 rows failed once in the last 5 s, on the
 * serving thread, four times a second; 0.3 ms so. SQLite, which keeps no statistics, is told the
 * index; PostgreSQL's planner finds it.
 */
export function restrictingThrottles(dialect: Dialect, prefix: string, since: Date, from: number, now: Date) {
  const by = (index: string) => sql.raw(dialect === 'sqlite' ? ` INDEXED BY ${index}` : '');
  const columns = sql.raw('key, failures, last_failure_at, locked_until');
  const recent = sql`last_failure_at >= ${since.toISOString()} AND key LIKE ${`${prefix}%`}`;
  return sql<{ key: string } & ThrottleState>`SELECT * FROM (
    SELECT ${columns} FROM login_throttles${by('login_throttles_failing')} WHERE failures >= ${from} AND ${recent}
    UNION
    SELECT ${columns} FROM login_throttles${by('login_throttles_locked')} WHERE locked_until > ${now.toISOString()} AND ${recent}
  ) AS restricting ORDER BY last_failure_at DESC LIMIT ${MOST_KEYS}`;
}

/**
 * Throttles that a hot path checks on every request without a query (the portal's code checks):
 * each key's state in this process's memory, its failures written to login_throttles, merged
 * there with other processes' (PostgreSQL), every SYNC_EVERY_MS; at the same time the keys that
 * restrict anywhere are read back. A limit thus holds across processes up to what each may count
 * in one interval before it hears of the others'; a restart reads back every key that restricts,
 * and a crash loses at most one interval's failures. A key's first failure stays in memory until
 * its second, when both are written: nearly every key of a rush fails once (a typo, a
 * distributed guess), and writing each was two fifths of a wrong code's cost (bench:portal's
 * wrong codes on SQLite: 0.30 → 0.16–0.20 ms of CPU a request, p99 90–98 → 28–33 ms). So each
 * process may let a key fail once more than the limit, and a stop or restart forgives a failure
 * that was a key's only one, as does letting the key go past MOST_KEYS: a rush of wrong codes
 * from new clients fills them within seconds, and writing each one let go had made every later
 * wrong code cost two writes (bench:portal's wrong codes on SQLite, three runs in turn: 32,504,
 * 20,504, 13,498 req/s → 33,014, 29,766, 30,446). A guesser gains one guess at an address for
 * every 500,000 other keys it makes fail first. Sign-ins, rarer and slower, count in the table
 * directly (throttle-store.ts).
 */
export class ThrottleBook {
  readonly #options: ThrottleBookOptions;
  /** Each key's state as this process knows it: the database's as last read, with this process's failures since. */
  readonly #states = new Map<string, ThrottleState>();
  /** Failures not written yet, by key, with the policy that counts them. */
  #pending = new Map<string, { policy: ThrottlePolicy; at: Date[] }>();
  /** Keys whose one failure (at their state's last_failure_at) is held here, written only with a second. */
  readonly #held = new Map<string, ThrottlePolicy>();
  /** The fewest free failures of any policy seen: rows with fewer failures restrict no one and are not read back. */
  #restrictingFrom = Number.POSITIVE_INFINITY;
  #loaded: Promise<void> | null = null;
  #heardAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #syncing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: ThrottleBookOptions) {
    this.#options = options;
  }

  /** Whether an attempt on `key` may go ahead now; the first call reads back what restricts (a restart forgets no lock). */
  async verdict(key: string, policy: ThrottlePolicy, now: Date): Promise<Verdict> {
    this.#restrictingFrom = Math.min(this.#restrictingFrom, policy.freeFailures);
    this.#loaded ??= this.#hear(new Date(now.getTime() - FORGET_AFTER_MS), 1).catch((error: unknown) => {
      this.#loaded = null;
      throw error;
    });
    await this.#loaded;
    this.#schedule();
    return throttleVerdict(this.#states.get(key), now, policy);
  }

  /** Counts a failure at `now` against `key`: at once here; in the database at the next sync, unless it is the key's first. */
  fail(key: string, policy: ThrottlePolicy, now: Date): void {
    const before = this.#states.get(key);
    const state = afterFailure(before, now, policy).state;
    if (before === undefined && state.failures === 1) this.#held.set(key, policy);
    else this.#addPending(key, policy, [now]);
    // Delete first: the map keeps keys in the order they last failed, the oldest first to go.
    this.#states.delete(key);
    this.#states.set(key, state);
    this.#schedule();
  }

  /** Adds failures to what the next sync writes; the key's held first failure, if any, goes before them. */
  #addPending(key: string, policy: ThrottlePolicy, failures: Date[]): void {
    const pending = this.#pending.get(key) ?? { policy, at: [] };
    this.#pending.set(key, pending);
    if (this.#held.delete(key)) pending.at.push(new Date(this.#states.get(key)!.last_failure_at));
    pending.at.push(...failures);
  }

  /** Has the next sync write the key's held failure, if it has one. */
  #releaseHeld(key: string): void {
    const policy = this.#held.get(key);
    if (policy) this.#addPending(key, policy, []);
  }

  /** Writes what is pending and stops syncing; a later call starts again. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#syncing;
    if (this.#pending.size > 0) await this.#sync();
    this.#closed = false;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    if (this.#pending.size === 0 && Date.now() - this.#heardAt < SYNC_EVERY_MS) return;
    this.#timer = setTimeout(() => {
      this.#syncing = this.#sync().finally(() => {
        this.#timer = null;
      });
    }, SYNC_EVERY_MS);
    this.#timer.unref();
  }

  async #sync(): Promise<void> {
    const now = this.#options.now();
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      const keys = [...batch.keys()].sort();
      for (let start = 0; start < keys.length; start += CHUNK) {
        const chunk = keys.slice(start, start + CHUNK);
        await this.#write(chunk, batch, now);
        // Written: a failure of what follows does not count them again.
        for (const key of chunk) batch.delete(key);
        // SQLite writes on this thread: requests waiting meanwhile go first between chunks.
        await setImmediate();
      }
      if (keys.length > 0) await forgetStaleThrottles(this.#options, now);
      this.#heardAt = Date.now();
      await this.#hear(new Date(now.getTime() - SYNC_EVERY_MS - HEARD_MARGIN_MS), this.#restrictingFrom);
      this.#tidy(now);
    } catch (error) {
      // Counted again at the next sync: the failures stay pending, before any that came since.
      for (const [key, { policy, at }] of this.#pending) {
        const earlier = batch.get(key);
        if (earlier) earlier.at.push(...at);
        else batch.set(key, { policy, at });
      }
      this.#pending = batch;
      this.#options.logger.warn({ reason: reasonOf(error) }, 'throttle failures not written; trying again');
    }
  }

  /**
   * Adds the failures of `keys` to their rows, in one transaction: on PostgreSQL the rows are
   * locked in key order (as every process locks them), so that two processes' failures both count.
   */
  async #write(keys: string[], batch: Map<string, { policy: ThrottlePolicy; at: Date[] }>, now: Date): Promise<void> {
    const { db, dialect } = this.#options;
    const merged = await db.transaction().execute(async (trx) => {
      // Made where missing and read in one statement: SQLite's write lock before the read; on PostgreSQL each row locked, in key order.
      const empty = keys.map((key) => [key, 0, new Date(0).toISOString(), null]);
      const rows = await bulkTake(trx, dialect, 'login_throttles', ['key', 'failures', 'last_failure_at', 'locked_until'], empty, ['key']);
      const states = rows.map((row) => {
        const { policy, at } = batch.get(row.key)!;
        let state: ThrottleState = row;
        for (const failure of at) state = afterFailure(state, failure, policy).state;
        return [row.key, state] as const;
      });
      await bulkInsert(
        trx,
        dialect,
        'login_throttles',
        ['key', 'failures', 'last_failure_at', 'locked_until'],
        states.map(([key, state]) => [key, state.failures, state.last_failure_at, state.locked_until]),
        { upsertOn: ['key'] },
      );
      return states;
    });
    // A key let go of meanwhile (past MOST_KEYS) stays so: the database keeps it, and reads it back if it restricts.
    for (const [key, state] of merged) if (this.#states.has(key)) this.#learn(key, state, now);
  }

  /** Reads back the rows of this book's keys that failed since `since` with at least `from` failures, or are locked. */
  async #hear(since: Date, from: number): Promise<void> {
    const { db, dialect, prefix } = this.#options;
    const now = this.#options.now();
    const { rows } = await restrictingThrottles(dialect, prefix, since, from, now).execute(db);
    for (const row of rows.reverse()) this.#learn(row.key, row, now);
  }

  /** Takes a key's state as stored, with this process's failures not written yet on top; a state that no longer restricts is let go. */
  #learn(key: string, stored: ThrottleState, now: Date): void {
    // The key has a row: a failure held back joins it.
    this.#releaseHeld(key);
    let state = stored;
    const pending = this.#pending.get(key);
    for (const failure of pending?.at ?? []) state = afterFailure(state, failure, pending!.policy).state;
    this.#states.delete(key);
    if (!isStale(state, now)) this.#states.set(key, state);
  }

  /** Lets go of keys that restrict no longer (once a minute), and past MOST_KEYS of those that failed longest ago; with either goes a failure held back. */
  #tidy(now: Date): void {
    if (sweepDue(this, 'memory', now, SWEEP_EVERY_MS)) {
      for (const [key, state] of this.#states) if (isStale(state, now)) this.#forget(key);
    }
    for (const key of this.#states.keys()) {
      if (this.#states.size <= (this.#options.mostKeys ?? MOST_KEYS)) return;
      this.#forget(key);
    }
  }

  #forget(key: string): void {
    this.#states.delete(key);
    this.#held.delete(key);
  }
}
