import { describe, expect, it } from 'vitest';
import { newRecoveryCodes, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.ts';

describe('recovery codes', () => {
  it('makes ten distinct codes that read back as themselves', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
      expect(normalizeRecoveryCode(code.toUpperCase().replace('-', ' '))).toBe(code.replace('-', ''));
    }
  });

  it('refuses what cannot be a code: a TOTP code, confusable letters, the wrong length', () => {
    expect(normalizeRecoveryCode('123456')).toBeNull();
    expect(normalizeRecoveryCode('abcde-fghi1')).toBeNull();
    expect(normalizeRecoveryCode('abcde-fghjkm')).toBeNull();
  });
});
