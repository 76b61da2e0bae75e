import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelay } from './retry.ts';

describe('retryDelay', () => {
  it('doubles from the first delay up to the cap, with between half and all of it as jitter', () => {
    const policy = { firstDelayMs: 1000, maxDelayMs: 10_000, maxAttempts: 5 };
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelay(policy, attempts, () => 1))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(retryDelay(policy, 3, () => 0)).toBe(2000);
  });

  it('keeps trying for hours by default, as mail servers expect of a sender', () => {
    const total = Array.from({ length: DEFAULT_RETRY.maxAttempts - 1 }, (_, i) => retryDelay(DEFAULT_RETRY, i + 1, () => 0.5)).reduce((sum, ms) => sum + ms, 0);
    expect(total / 3_600_000).toBeGreaterThan(4);
  });
});
