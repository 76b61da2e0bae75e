import { describe, expect, it } from 'vitest';
import { checkPassword } from './password-policy.ts';

const email = 'dana.okafor@shop.example';
const refused = (password: string) => checkPassword(password, email).then(() => 'accepted', (error: { code: string; message: string }) => `${error.code}: ${error.message}`);

describe('password policy', () => {
  it('accepts a long passphrase', async () => {
    expect(await refused('velvet harbour quietly juggles 42 lanterns')).toBe('accepted');
  });

  it('refuses a short password, saying how long it must be', async () => {
    expect(await refused('Xk3$pq9!')).toMatch(/^WEAK_PASSWORD: .*at least 12 characters; this one has 8/);
  });

  it('refuses common and breached-looking passwords however long', async () => {
    expect(await refused('password1234')).toMatch(/^WEAK_PASSWORD: the password is too easy to guess/);
    expect(await refused('qwertyuiop123')).toMatch(/^WEAK_PASSWORD/);
    expect(await refused('iloveyou2024!')).toMatch(/^WEAK_PASSWORD/);
  });

  it("refuses a password that holds the email's local part", async () => {
    expect(await refused('xX-Dana.Okafor-Zz-91!qp')).toMatch(/email name/);
  });

  it('counts characters, not bytes, and caps the length', async () => {
    expect(await refused('ñandú-çà-ü-ö')).toMatch(/this one has 12|too easy|accepted/);
    expect(await refused('a'.repeat(300))).toMatch(/at most 256/);
  });
});
