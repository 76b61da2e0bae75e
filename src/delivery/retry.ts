/** How a notice that met a transient failure (4xx, lost connection, timeout) is tried again. */
export interface RetryPolicy {
  /** The wait after the first failure; it doubles after each further one. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Attempts in all, the first included; after the last one fails the notice is `failed`. */
  maxAttempts: number;
}

/** Greylisting lets a sender in after a few minutes; an outage may last hours: 1, 2, 4 … 60 min, about 7 h in all. */
export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 60_000, maxDelayMs: 3_600_000, maxAttempts: 12 };

/**
 * The wait before the next attempt, after `attempts` failed ones: exponential, with "equal
 * jitter" (between half and all of it) so that notices deferred together do not come back
 * together, yet none comes back much earlier than planned.
 */
export function retryDelay(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, attempts - 1));
  return full / 2 + random() * (full / 2);
}
