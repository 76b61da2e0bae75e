import { parseAddress } from '../lib/ip-address.ts';

/**
 * Login throttling as plain arithmetic over one key's failures (an account's, or a client
 * address's): after a few free mistakes each failure doubles the wait before the next attempt,
 * and enough of them lock the key for a while. A quiet hour forgives everything.
 */
export interface ThrottlePolicy {
  /** Failures allowed before any wait: typos. */
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failures that lock the key, for lockMs. */
  lockAfter: number;
  lockMs: number;
  /** Failures older than this (since the last one) no longer count. */
  forgetAfterMs: number;
}

const MINUTE = 60_000;

/**
 * Every stored throttle's times (sign-ins, the portal's code checks): a second's first wait,
 * doubling up to five minutes, a 15-minute lock, a quiet hour that forgives. One set for all,
 * so that a row whose failures no longer count can be told whichever throttle wrote it.
 */
const TIMES = { firstDelayMs: 1000, maxDelayMs: 5 * MINUTE, lockMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE } as const;
export const FORGET_AFTER_MS = TIMES.forgetAfterMs;

/** A throttle with the shared times: this many free failures, and a lock after that many. */
export function throttlePolicy(freeFailures: number, lockAfter: number): ThrottlePolicy {
  return { freeFailures, lockAfter, ...TIMES };
}

/** Per account: 10 failures lock it for 15 minutes (OWASP's authentication cheat sheet's order of magnitude). */
export const ACCOUNT_POLICY = throttlePolicy(3, 10);
/** Per client address: more room, as an office shares one address; still stops one address trying many accounts. */
export const ADDRESS_POLICY = throttlePolicy(10, 50);

export interface ThrottleState {
  failures: number;
  last_failure_at: string;
  locked_until: string | null;
}

export type Verdict = { allowed: true } | { allowed: false; locked: boolean; retryAfterMs: number };

/** Whether an attempt at `now` may go ahead. */
export function throttleVerdict(state: ThrottleState | undefined, now: Date, policy: ThrottlePolicy): Verdict {
  if (!state) return { allowed: true };
  const at = now.getTime();
  if (state.locked_until && Date.parse(state.locked_until) > at) return { allowed: false, locked: true, retryAfterMs: Date.parse(state.locked_until) - at };
  const failures = countingFailures(state, at, policy);
  const delay = delayAfter(failures, policy);
  const waited = at - Date.parse(state.last_failure_at);
  return waited >= delay ? { allowed: true } : { allowed: false, locked: false, retryAfterMs: delay - waited };
}

/**
 * The state after a failure at `now`, and whether this failure locked the key. A failure counted
 * late (one process's, added to a state another wrote since) takes nothing away: a lock still in
 * force stays, and the last failure stays the latest.
 */
export function afterFailure(state: ThrottleState | undefined, now: Date, policy: ThrottlePolicy): { state: ThrottleState; lockedNow: boolean } {
  const at = now.getTime();
  const failures = (state ? countingFailures(state, at, policy) : 0) + 1;
  const lockedNow = failures >= policy.lockAfter;
  const later = (stored: string | null | undefined, ours: string | null) => (stored && (ours === null || Date.parse(stored) > Date.parse(ours)) ? stored : ours);
  return {
    // A lock starts the count again: after it, the key gets the same few free tries and backoff.
    state: {
      failures: lockedNow ? 0 : failures,
      last_failure_at: later(state?.last_failure_at, now.toISOString())!,
      locked_until: later(state?.locked_until, lockedNow ? new Date(at + policy.lockMs).toISOString() : null),
    },
    lockedNow,
  };
}

/** Whether a key's state restricts nothing any more and never will: its failures no longer count and its lock, if any, is over. */
export function isStale(state: ThrottleState, now: Date): boolean {
  const at = now.getTime();
  return at - Date.parse(state.last_failure_at) > FORGET_AFTER_MS && (state.locked_until === null || Date.parse(state.locked_until) <= at);
}

function countingFailures(state: ThrottleState, at: number, policy: ThrottlePolicy): number {
  return at - Date.parse(state.last_failure_at) > policy.forgetAfterMs ? 0 : state.failures;
}

function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (failures - policy.freeFailures - 1));
}

const HOST_BITS_OF_A_64 = (1n << 64n) - 1n;

/**
 * The key a client address is throttled under: an IPv4 address itself, an IPv6 address's /64
 * (one subscriber's usual allocation, so a client cannot get fresh tries by walking its
 * prefix), and anything else (an unparsable value) as it is.
 */
export function addressThrottleKey(address: string): string {
  const value = parseAddress(address.trim());
  if (value === null) return `address:${address}`;
  // IPv4 is held as ::ffff:a.b.c.d.
  if (value >> 32n === 0xffffn) return `address:${value.toString(16)}`;
  return `address:${(value & ~HOST_BITS_OF_A_64).toString(16)}/64`;
}
