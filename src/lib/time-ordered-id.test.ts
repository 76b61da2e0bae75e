import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { timeOrderedId } from './time-ordered-id.ts';

describe('timeOrderedId', () => {
  it('is a UUIDv7 holding its milliseconds, with the RFC variant', () => {
    const at = Date.parse('2026-12-06T04:00:00.123Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('sorts as the times it was made at, and differs within a millisecond', () => {
    const at = Date.parse('2026-12-06T04:00:00Z');
    const ids = [at, at + 1, at + 1000, at + 86_400_000].map((ms) => timeOrderedId(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => timeOrderedId(at))).size).toBe(1000);
  });
});
