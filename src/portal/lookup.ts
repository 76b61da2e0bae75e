import { addressThrottleKey } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { invalidInput, type TocsinError } from '../lib/errors.ts';
import { LookupCounts } from './lookup-counts.ts';
import { windowOf, windowThrottled, withinLimit } from './windowed-count.ts';

/** "Was I affected?" as asked: the address, normalised, and the language to answer in. */
export interface LookupRequest {
  email: string;
  locale: string;
}

/** The address asked about, normalised as subjects are; a 400 for anything that is not one address. */
export function lookupAddress(email: string): string {
  const normalised = normalizeEmail(email);
  if (normalised === null) throw invalidInput('BAD_EMAIL', 'email: not an email address; give the one address to check');
  return normalised;
}

/** Queues the answers to admitted lookups in one statement (the jobs' front door's enqueuePortalAnswers). */
export type QueueAnswers = (ctx: Pick<Context, 'db' | 'dialect' | 'now'>, requests: readonly LookupRequest[]) => Promise<void>;

/**
 * How long the first lookup of a batch waits for others to commit with it: none but the next turn
 * of the event loop. In a rush the batches fill while the commit before is under way; a wait of
 * their own only added to each request's time, which is what a rush of 100 connections is held to:
 * bench:portal's lookups on SQLite, 0.33× the static page with 5 ms, 0.45× without.
 */
const GATHER_MS = 0;
/** Lookups committed together at most. */
const MOST_PER_BATCH = 1000;
/**
 * Batches committed at once: a batch's answers are queued by a commit that waits for the disk,
 * and a rush's next batch need not wait for it. With fewer connections (database_pool) the
 * second waits for one. bench:portal's lookups (2 serving processes, 100 connections), one batch at a time → two:
 * PostgreSQL 11,700–12,600/s → 13,100–13,900/s (0.29–0.32× the static page), SQLite 17,300 → 19,200/s
 * (0.38×); four at once, with 4 connections a process, gained no more (13,500/s).
 */
const MOST_AT_ONCE = 2;

interface Waiting {
  request: LookupRequest;
  clientKey: string;
  done: (error?: Error) => void;
}

/**
 * Counts a lookup from `client` against portal.lookup_address (per client address, an IPv6
 * /64) and portal.lookup_global, each in fixed windows (LookupCounts: this process's counts,
 * shared with the others' through the database), and queues its answer: resolves once it is
 * committed, and throws THROTTLED (429, with the seconds until the window ends) past either
 * limit, having queued nothing. Lookups arriving together (in one turn of the event loop, or
 * while MOST_AT_ONCE commits are under way) are queued together in one statement whatever their
 * number (group commit): the same work whatever the address asked about, as nothing here looks at it.
 */
export function admitLookup(ctx: Context, request: LookupRequest, client: string, queue: QueueAnswers): Promise<void> {
  return batchOf(ctx, queue).add(request, `lookup:${addressThrottleKey(client)}`);
}

/** Lookups not committed yet, when the listener closes: committed, so that each waiting request is answered; and their counts written. */
export async function settleLookups(ctx: Pick<Context, 'db' | 'config'>): Promise<void> {
  await Promise.all([...(batches.get(ctx.db)?.get(ctx.config)?.values() ?? [])].map((batch) => batch.settle()));
  await counts.get(ctx.db)?.sync();
}

/** Each database's lookup counts, kept by this process. */
const counts = new WeakMap<object, LookupCounts>();

function countsOf(ctx: Context): LookupCounts {
  let book = counts.get(ctx.db);
  if (!book) {
    book = new LookupCounts(ctx);
    counts.set(ctx.db, book);
  }
  return book;
}

/** The batches by database, configuration (each listener's limits are its configuration's) and the function that queues their answers. */
const batches = new WeakMap<object, WeakMap<object, Map<QueueAnswers, LookupBatch>>>();

function batchOf(ctx: Context, queue: QueueAnswers): LookupBatch {
  const byConfig = batches.get(ctx.db) ?? new WeakMap<object, Map<QueueAnswers, LookupBatch>>();
  batches.set(ctx.db, byConfig);
  const byQueue = byConfig.get(ctx.config) ?? new Map<QueueAnswers, LookupBatch>();
  byConfig.set(ctx.config, byQueue);
  let batch = byQueue.get(queue);
  if (!batch) {
    batch = new LookupBatch(ctx, queue);
    byQueue.set(queue, batch);
  }
  return batch;
}

class LookupBatch {
  readonly #ctx: Context;
  readonly #queue: QueueAnswers;
  #waiting: Waiting[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #committing = new Set<Promise<void>>();

  constructor(ctx: Context, queue: QueueAnswers) {
    this.#ctx = ctx;
    this.#queue = queue;
  }

  add(request: LookupRequest, clientKey: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ request, clientKey, done: (error) => (error ? reject(error) : resolve()) });
      this.#commitSoon();
    });
  }

  async settle(): Promise<void> {
    while (this.#committing.size > 0 || this.#waiting.length > 0) {
      if (this.#waiting.length > 0 && this.#committing.size < MOST_AT_ONCE) this.#commitNow();
      else await Promise.race(this.#committing);
    }
  }

  /** Commits the waiting lookups after GATHER_MS, or once a commit under way is done: those that came meanwhile waited as long. */
  #commitSoon(): void {
    if (this.#committing.size >= MOST_AT_ONCE || this.#timer) return;
    this.#timer = setTimeout(() => this.#commitNow(), GATHER_MS);
  }

  #commitNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#waiting.splice(0, MOST_PER_BATCH);
    if (batch.length === 0) return;
    const commit = this.#commitBatch(batch).finally(() => {
      this.#committing.delete(commit);
      if (this.#waiting.length > 0) this.#commitSoon();
    });
    this.#committing.add(commit);
    if (this.#waiting.length > 0) this.#commitSoon();
  }

  /** Counts the batch, queues what it admits, and answers each of its lookups: its refusal, or none. */
  async #commitBatch(batch: Waiting[]): Promise<void> {
    try {
      const { refusals, admitted } = this.#count(batch);
      if (admitted.length > 0) await this.#queue(this.#ctx, admitted);
      batch.forEach((waiting, k) => waiting.done(refusals[k]));
    } catch (error) {
      for (const waiting of batch) waiting.done(error as Error);
    }
  }

  /**
   * Counts the batch as if its lookups came one after another: each counts against its client's
   * limit, those within it against the global one too, and those within both are admitted.
   * Refused by the global limit, a lookup takes no place in its client's: the global window is
   * shorter, and a visitor who waits as told must not find the hour used up. Returns each
   * lookup's refusal, or undefined, and the requests admitted, which #commitBatch queues.
   */
  #count(batch: Waiting[]): { refusals: (TocsinError | undefined)[]; admitted: LookupRequest[] } {
    const { config } = this.#ctx;
    const book = countsOf(this.#ctx);
    const now = this.#ctx.now();
    const windows = { address: windowOf(config.portal.lookup_address, now), global: windowOf(config.portal.lookup_global, now) };
    const nthOfClient = new Map<string, number>();
    const withinClient = batch.map(({ clientKey }) => {
      const nth = (nthOfClient.get(clientKey) ?? 0) + 1;
      nthOfClient.set(clientKey, nth);
      return withinLimit(config.portal.lookup_address, book.held(clientKey, windows.address.start), nth);
    });
    const everyone = book.held(GLOBAL_KEY, windows.global.start);
    let nth = 0;
    const refusals = withinClient.map((within) => {
      if (!within) return windowThrottled(windows.address, now);
      return withinLimit(config.portal.lookup_global, everyone, ++nth) ? undefined : windowThrottled(windows.global, now);
    });
    book.add(GLOBAL_KEY, windows.global, nth);
    const counted = new Map<string, number>();
    batch.forEach(({ clientKey }, k) => {
      if (!withinClient[k] || refusals[k] === undefined) counted.set(clientKey, (counted.get(clientKey) ?? 0) + 1);
    });
    for (const [clientKey, count] of counted) book.add(clientKey, windows.address, count);
    return { refusals, admitted: batch.filter((_, k) => refusals[k] === undefined).map((waiting) => waiting.request) };
  }
}

const GLOBAL_KEY = 'lookup:global';
