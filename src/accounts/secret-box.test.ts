import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal, secretBoxKey } from './secret-box.ts';

describe('secret box', () => {
  const key = secretBoxKey(randomBytes(32));

  it('opens what it sealed, and the sealed text does not hold the secret', () => {
    const sealed = seal(key, 'account-1', 'JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(open(key, 'account-1', sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('seals the same secret differently each time', () => {
    expect(seal(key, 'a', 'x')).not.toBe(seal(key, 'a', 'x'));
  });

  it('refuses another key, another account, and altered bytes', () => {
    const sealed = seal(key, 'account-1', 'secret');
    expect(() => open(secretBoxKey(randomBytes(32)), 'account-1', sealed)).toThrow(expect.objectContaining({ code: 'TWO_FACTOR_SECRET_UNREADABLE' }));
    expect(() => open(key, 'account-2', sealed)).toThrow(expect.objectContaining({ code: 'TWO_FACTOR_SECRET_UNREADABLE' }));
    const [version, nonce, ciphertext, tag] = sealed.split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => open(key, 'account-1', [version, nonce, flipped.toString('base64url'), tag].join('.'))).toThrow(expect.objectContaining({ code: 'TWO_FACTOR_SECRET_UNREADABLE' }));
    expect(() => open(key, 'account-1', 'garbage')).toThrow(expect.objectContaining({ code: 'TWO_FACTOR_SECRET_UNREADABLE' }));
  });
});
