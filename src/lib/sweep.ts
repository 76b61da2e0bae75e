/** How often a process looks for stale rows of one kind: a row is dropped at most this much after it stops counting. */
export const SWEEP_EVERY_MS = 60_000;

/** When each database's stale rows of each kind were last looked for, by this process. */
const sweptAt = new WeakMap<object, Map<string, number>>();

/**
 * Whether it is time to look for `kind`'s stale rows in `db` again: at most once every
 * `everyMs` per process (a clock set back makes it due). Under a rush of requests, a sweep after
 * every one would be most of the work; rows past their use are harmless for that long.
 */
export function sweepDue(db: object, kind: string, now: Date, everyMs: number): boolean {
  const kinds = sweptAt.get(db) ?? new Map<string, number>();
  sweptAt.set(db, kinds);
  const last = kinds.get(kind);
  if (last !== undefined && now.getTime() >= last && now.getTime() - last < everyMs) return false;
  kinds.set(kind, now.getTime());
  return true;
}
