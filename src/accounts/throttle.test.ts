import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, addressThrottleKey, afterFailure, throttleVerdict, type ThrottleState } from './throttle.ts';

const policy = ACCOUNT_POLICY;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

function fail(times: number, start = 0): { state: ThrottleState | undefined; clock: number; locks: number } {
  let state: ThrottleState | undefined;
  let clock = start;
  let locks = 0;
  for (let i = 0; i < times; i++) {
    const verdict = throttleVerdict(state, at(clock), policy);
    if (!verdict.allowed) clock += verdict.retryAfterMs;
    const next = afterFailure(state, at(clock), policy);
    state = next.state;
    if (next.lockedNow) locks++;
  }
  return { state, clock, locks };
}

describe('login throttle', () => {
  it('lets the first few mistakes through at once', () => {
    const { state, clock } = fail(policy.freeFailures);
    expect(throttleVerdict(state, at(clock), policy)).toEqual({ allowed: true });
  });

  it('doubles the wait with each failure after that', () => {
    const waits: number[] = [];
    let { state, clock } = fail(policy.freeFailures);
    for (let i = 0; i < 4; i++) {
      state = afterFailure(state, at(clock), policy).state;
      const verdict = throttleVerdict(state, at(clock), policy);
      if (verdict.allowed) throw new Error('expected a wait');
      waits.push(verdict.retryAfterMs);
      clock += verdict.retryAfterMs;
      expect(throttleVerdict(state, at(clock), policy)).toEqual({ allowed: true });
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
  });

  it('locks after the limit, for the lock time, then starts again', () => {
    const { state, clock, locks } = fail(policy.lockAfter);
    expect(locks).toBe(1);
    expect(throttleVerdict(state, at(clock + policy.lockMs - 1), policy)).toEqual({ allowed: false, locked: true, retryAfterMs: 1 });
    expect(throttleVerdict(state, at(clock + policy.lockMs), policy)).toEqual({ allowed: true });
  });

  it('forgets failures after a quiet hour', () => {
    const { state, clock } = fail(policy.lockAfter - 1);
    const later = clock + policy.forgetAfterMs + 1;
    expect(throttleVerdict(state, at(later), policy)).toEqual({ allowed: true });
    expect(afterFailure(state, at(later), policy)).toMatchObject({ state: { failures: 1 }, lockedNow: false });
  });

  it('takes nothing away when a failure is counted late: a lock set since stays, and the latest failure stays the last', () => {
    const { state: locked, clock } = fail(policy.lockAfter);
    const late = afterFailure(locked, at(clock - 5_000), policy).state;
    expect(late).toEqual({ failures: 1, last_failure_at: locked!.last_failure_at, locked_until: locked!.locked_until });
    expect(throttleVerdict(late, at(clock), policy)).toMatchObject({ allowed: false, locked: true });
  });
});

describe('address throttle keys', () => {
  it('throttles an IPv6 client by its /64, an IPv4 one by its address', () => {
    expect(addressThrottleKey('2001:db8:1:2::1')).toBe(addressThrottleKey('2001:db8:1:2:ffff:ffff:ffff:fffe'));
    expect(addressThrottleKey('2001:db8:1:2::1')).not.toBe(addressThrottleKey('2001:db8:1:3::1'));
    expect(addressThrottleKey('192.0.2.1')).not.toBe(addressThrottleKey('192.0.2.2'));
    expect(addressThrottleKey('::ffff:192.0.2.1')).toBe(addressThrottleKey('192.0.2.1'));
    expect(addressThrottleKey('not an address')).toBe('address:not an address');
  });
});
