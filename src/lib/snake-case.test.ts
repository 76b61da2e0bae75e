import { describe, expect, it } from 'vitest';
import { snakeCase, snakeCaseKeys } from './snake-case.ts';

describe('snakeCaseKeys', () => {
  it('puts camelCase keys in snake_case and leaves snake_case ones, one level deep only', () => {
    const view = snakeCaseKeys({ firstSentAt: 'x', run: 2, not_exposed: [], nested: { keptAsIs: 1 } });
    expect(view).toEqual({ first_sent_at: 'x', run: 2, not_exposed: [], nested: { keptAsIs: 1 } });
    expect(view.first_sent_at).toBe('x');
  });

  it('keeps a key named __proto__ as a key, never as the prototype', () => {
    const view = snakeCaseKeys(JSON.parse('{"__proto__": {"polluted": true}, "sentAt": 1}') as object) as Record<string, unknown>;
    expect(Object.keys(view)).toEqual(['__proto__', 'sent_at']);
    expect(Object.getPrototypeOf(view)).toBe(Object.prototype);
    expect((view as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('splits every capital, digits staying with their word', () => {
    expect(snakeCase('distinctiveUserAgent')).toBe('distinctive_user_agent');
    expect(snakeCase('last4Digits')).toBe('last4_digits');
  });
});
