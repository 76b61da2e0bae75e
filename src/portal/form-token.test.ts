import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFormToken, FORM_TOKEN_SECONDS, issueFormToken } from './form-token.ts';

const secret = randomBytes(32);
const now = new Date('2026-12-04T15:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const codeOf = (check: () => void) => {
  try {
    check();
    return 'accepted';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('form tokens', () => {
  it('are accepted from the client they were made for, within their time', () => {
    const token = issueFormToken(secret, '198.51.100.7', now);
    expect(token).toMatch(/^[0-9a-z]+\.[0-9a-f]{32}$/);
    expect(codeOf(() => checkFormToken(secret, token, '198.51.100.7', later(FORM_TOKEN_SECONDS - 1)))).toBe('accepted');
    // An IPv6 client keeps its /64: privacy addresses change within it.
    const v6 = issueFormToken(secret, '2001:db8:1:2::10', now);
    expect(codeOf(() => checkFormToken(secret, v6, '2001:db8:1:2:abcd::99', now))).toBe('accepted');
  });

  it('refuses one missing, forged, made for another client or by another secret, or too old', () => {
    const token = issueFormToken(secret, '198.51.100.7', now);
    const [issued, mac] = token.split('.');
    expect(codeOf(() => checkFormToken(secret, undefined, '198.51.100.7', now))).toBe('FORM_TOKEN_MISSING');
    expect(codeOf(() => checkFormToken(secret, '', '198.51.100.7', now))).toBe('FORM_TOKEN_MISSING');
    expect(codeOf(() => checkFormToken(secret, token, '198.51.100.8', now))).toBe('FORM_TOKEN_INVALID');
    expect(codeOf(() => checkFormToken(secret, token, '2001:db8:1:3::10', now))).toBe('FORM_TOKEN_INVALID');
    expect(codeOf(() => checkFormToken(randomBytes(32), token, '198.51.100.7', now))).toBe('FORM_TOKEN_INVALID');
    // A later time with the old MAC, a MAC changed in one place, garbage.
    expect(codeOf(() => checkFormToken(secret, `${(parseInt(issued, 36) + 3600).toString(36)}.${mac}`, '198.51.100.7', now))).toBe('FORM_TOKEN_INVALID');
    expect(codeOf(() => checkFormToken(secret, `${issued}.${mac.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}`, '198.51.100.7', now))).toBe('FORM_TOKEN_INVALID');
    for (const junk of ['x', '.', `${token}.x`, '<script>', 'é'.repeat(40), `${issued}.${mac}\u0000`]) expect(codeOf(() => checkFormToken(secret, junk, '198.51.100.7', now)), junk).toBe('FORM_TOKEN_INVALID');
    expect(codeOf(() => checkFormToken(secret, token, '198.51.100.7', later(FORM_TOKEN_SECONDS + 1)))).toBe('FORM_EXPIRED');
    expect(codeOf(() => checkFormToken(secret, issueFormToken(secret, '198.51.100.7', later(600)), '198.51.100.7', now))).toBe('FORM_EXPIRED');
  });
});
