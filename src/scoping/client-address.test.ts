import { describe, expect, it } from 'vitest';
import { clientAddressResolver, clientAddressRule } from './client-address.ts';

describe('clientAddressResolver', () => {
  const resolve = clientAddressResolver(clientAddressRule('x-forwarded-for', ['10.0.0.0/8', '2001:db8:1b::/48']))!;

  it('takes the right-most untrusted address of X-Forwarded-For when the peer is a trusted proxy', () => {
    // The client wrote 6.6.6.6 itself: only what the trusted proxies appended counts.
    expect(resolve('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(resolve('2001:db8:1b::1', '2001:db8:bad::7')).toBe('2001:db8:bad::7');
    expect(resolve('10.0.0.2', '203.0.113.9:51234')).toBe('203.0.113.9');
    expect(resolve('10.0.0.2', '[2001:db8:bad::7]:443')).toBe('2001:db8:bad::7');
  });

  it('believes no X-Forwarded-For from an untrusted peer, and keeps the peer without one', () => {
    expect(resolve('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    expect(resolve('10.0.0.2', null)).toBe('10.0.0.2');
    expect(resolve(null, '203.0.113.9')).toBe(null);
  });

  it('stops at an entry that is no address, and takes the left-most when every hop is trusted', () => {
    expect(resolve('10.0.0.2', 'unknown, 10.9.9.9')).toBe('10.9.9.9');
    expect(resolve('10.0.0.2', '10.3.3.3, 10.4.4.4')).toBe('10.3.3.3');
  });

  it('is not made for the peer rule, and the rule refuses what it cannot use', () => {
    expect(clientAddressResolver(clientAddressRule('peer', []))).toBeNull();
    expect(() => clientAddressRule('x-forwarded-for', [])).toThrow(/needs --trusted-proxies/);
    expect(() => clientAddressRule('x-forwarded-for', ['10.0.0.1/8'])).toThrow(/--trusted-proxies: '10.0.0.1\/8' has host bits set/);
    expect(() => clientAddressRule('peer', ['10.0.0.0/8'])).toThrow(/only with --client-ip-from x-forwarded-for/);
  });
});
