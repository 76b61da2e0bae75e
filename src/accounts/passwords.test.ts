import { describe, expect, it } from 'vitest';
import { hashPassword, passwordMatches, spendPasswordCheck } from './passwords.ts';

describe('password hashing', () => {
  it("stores argon2id with OWASP's parameters and a salt of its own each time", async () => {
    const first = await hashPassword('velvet harbour quietly juggles');
    const second = await hashPassword('velvet harbour quietly juggles');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(second).not.toBe(first);
    expect(await passwordMatches(first, 'velvet harbour quietly juggles')).toBe(true);
    expect(await passwordMatches(first, 'velvet harbour quietly juggle')).toBe(false);
  });

  it('matches nothing against a malformed hash, and the dummy check never succeeds', async () => {
    expect(await passwordMatches('not a hash', 'anything')).toBe(false);
    expect(await passwordMatches('', '')).toBe(false);
    expect(await spendPasswordCheck('')).toBe(false);
  });
});
