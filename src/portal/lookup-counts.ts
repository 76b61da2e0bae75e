import type { Context } from '../context.ts';
import { reasonOf } from '../lib/errors.ts';
import { addCounts, type WindowCount } from './windowed-count.ts';

/** How often a process adds the lookups it counted to the database's counts and learns the totals back: what a limit may be overshot by across processes. */
export const COUNTS_SYNC_MS = 250;
/** Keys held in memory at most: past this, those first seen longest ago, with nothing left to write, are let go. */
const MOST_KEYS = 200_000;

interface Held {
  windowStart: string;
  /** When that window ends (ms): past it, with nothing left to write, the key is let go. */
  endsAt: number;
  /** The database's count as this process last learned it, its own written counts in it. */
  stored: number;
  /** This process's counts being written. */
  writing: number;
  /** This process's counts not written yet. */
  pending: number;
}

/**
 * The "was I affected?" counts (per client address, and everyone's) as this process knows them:
 * each key's count in its window is the database's as last learned, with what this process
 * counted since. Every COUNTS_SYNC_MS, what it counted is added to the database's counts in one
 * statement (addCounts, committed without waiting for the disk), which answers each key's total
 * across processes. A lookup is so counted without a statement of its own: counting in the
 * database in each batch's commit was a third of a lookup's CPU (bench:portal, PostgreSQL, no
 * answers sent: 0.19 → 0.13 ms a request). What that costs: a limit may be overshot by what
 * each process lets through in one interval before it learns of the others', or of its own
 * counts before a restart; and a crash loses at most one interval's counts.
 */
export class LookupCounts {
  readonly #ctx: Pick<Context, 'db' | 'dialect' | 'logger' | 'now'>;
  readonly #keys = new Map<string, Held>();
  #timer: NodeJS.Timeout | null = null;
  #syncing: Promise<void> = Promise.resolve();

  constructor(ctx: Pick<Context, 'db' | 'dialect' | 'logger' | 'now'>) {
    this.#ctx = ctx;
  }

  /** What `key` has counted in the window that began at `windowStart`, as this process knows it. */
  held(key: string, windowStart: string): number {
    const held = this.#keys.get(key);
    return held !== undefined && held.windowStart === windowStart ? held.stored + held.writing + held.pending : 0;
  }

  /** Counts `count` requests against `key` in `window` (windowOf); written at the next sync. */
  add(key: string, window: { start: string; endsAt: number }, count: number): void {
    if (count === 0) return;
    const windowStart = window.start;
    const held = this.#keys.get(key);
    if (held === undefined || held.windowStart < windowStart) this.#keys.set(key, { windowStart, endsAt: window.endsAt, stored: 0, writing: 0, pending: count });
    // A window that is over takes no more counts: the later one has begun.
    else if (held.windowStart === windowStart) held.pending += count;
    this.#timer ??= setTimeout(() => void this.sync(), COUNTS_SYNC_MS).unref();
  }

  /** Writes what was counted since the last sync and learns the totals back; resolves once written (or failed, logged, to be written at the next). */
  sync(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#syncing = this.#syncing.then(() => this.#write());
    return this.#syncing;
  }

  async #write(): Promise<void> {
    const written: WindowCount[] = [];
    for (const [key, held] of this.#keys) {
      if (held.pending === 0) continue;
      written.push({ key, windowStart: held.windowStart, count: held.pending });
      held.writing = held.pending;
      held.pending = 0;
    }
    if (written.length > 0) {
      try {
        const totals = await addCounts(this.#ctx.db, this.#ctx.dialect, written, { asynchronousCommit: true });
        for (const { key, windowStart } of written) {
          const held = this.#keys.get(key);
          if (held?.windowStart !== windowStart) continue;
          held.stored = totals.get(key) ?? held.stored + held.writing;
          held.writing = 0;
        }
      } catch (error) {
        // Counted again at the next sync: the limits hold in this process meanwhile.
        for (const { key, windowStart } of written) {
          const held = this.#keys.get(key);
          if (held?.windowStart !== windowStart) continue;
          held.pending += held.writing;
          held.writing = 0;
        }
        this.#ctx.logger.warn({ keys: written.length, reason: reasonOf(error) }, 'lookup counts not written; trying again');
        this.#timer ??= setTimeout(() => void this.sync(), COUNTS_SYNC_MS).unref();
      }
    }
    this.#letGo();
  }

  /**
   * Keys whose window is over, with nothing to write, are let go; past MOST_KEYS, those first seen
   * longest ago too: one seen again in its window learns its total at the next sync.
   */
  #letGo(): void {
    const now = this.#ctx.now().getTime();
    for (const [key, held] of this.#keys) if (held.pending === 0 && held.endsAt <= now) this.#keys.delete(key);
    for (const [key, held] of this.#keys) {
      if (this.#keys.size <= MOST_KEYS) return;
      if (held.pending === 0) this.#keys.delete(key);
    }
  }
}
