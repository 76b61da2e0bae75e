import { describe, expect, it } from 'vitest';
import { compileIndicators, globMatches } from './indicators.ts';
import type { Indicators } from './scope-file.ts';

const indicators = (partial: Partial<Indicators>): Indicators => ({ ips: [], userAgents: [], accounts: [], from: null, until: null, ...partial });

describe('compileIndicators', () => {
  it('matches IPv4 and IPv6 networks whatever form the log writes an address in', () => {
    const { match } = compileIndicators(indicators({ ips: ['198.51.100.7', '203.0.113.0/24', '2001:db8:bad::/48'] }));
    expect(match('198.51.100.7', null, null)).toBe('ip 198.51.100.7');
    expect(match('198.51.100.8', null, null)).toBeNull();
    expect(match('203.0.113.254', null, null)).toBe('ip 203.0.113.0/24');
    expect(match('::ffff:203.0.113.9', null, null)).toBe('ip 203.0.113.0/24');
    expect(match('203.0.114.1', null, null)).toBeNull();
    expect(match('2001:db8:bad:1::7', null, null)).toBe('ip 2001:db8:bad::/48');
    expect(match('2001:0db8:0bad:ffff:ffff:ffff:ffff:ffff', null, null)).toBe('ip 2001:db8:bad::/48');
    expect(match('2001:db8:bae::1', null, null)).toBeNull();
    expect(match('shop-proxy.internal', null, null)).toBeNull();
  });

  it('names the most specific network that matches', () => {
    const { match } = compileIndicators(indicators({ ips: ['203.0.0.0/16', '203.0.113.0/24', '203.0.113.5'] }));
    expect(match('203.0.113.5', null, null)).toBe('ip 203.0.113.5');
    expect(match('203.0.113.6', null, null)).toBe('ip 203.0.113.0/24');
    expect(match('203.0.1.1', null, null)).toBe('ip 203.0.0.0/16');
  });

  it('matches user agents by glob and accounts exactly, as alternatives', () => {
    const { match } = compileIndicators(indicators({ ips: ['192.0.2.1'], userAgents: ['python-requests/*', 'curl/7.?.0'], accounts: ['u101027'] }));
    expect(match('192.0.2.1', 'python-requests/2.22.0', 'u101027')).toBe('ip 192.0.2.1');
    expect(match('192.0.2.2', 'python-requests/2.22.0', null)).toBe('user_agent python-requests/*');
    expect(match('192.0.2.2', 'curl/7.5.0', null)).toBe('user_agent curl/7.?.0');
    expect(match('192.0.2.2', 'curl/7.58.0', null)).toBeNull();
    expect(match('192.0.2.2', 'Mozilla/5.0', 'u101027')).toBe('account u101027');
    expect(match('192.0.2.2', 'Mozilla/5.0', 'u1010270')).toBeNull();
    expect(match(null, null, null)).toBeNull();
  });

  it('includes both ends of the window', () => {
    const { inWindow } = compileIndicators(indicators({ accounts: ['x'], from: 1000, until: 2000 }));
    expect([999, 1000, 2000, 2001].map(inWindow)).toEqual([false, true, true, false]);
    expect(compileIndicators(indicators({ accounts: ['x'] })).inWindow(-1e15)).toBe(true);
  });
});

describe('globMatches', () => {
  it.each([
    ['python-requests/*', 'python-requests/2.22.0', true],
    ['python-requests/*', 'python-requests/', true],
    ['python-requests/*', 'Python-requests/2', false],
    ['*bot*', 'Mozilla/5.0 (compatible; Googlebot/2.1)', true],
    ['*', '', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a*', 'a*', true],
    ['*.0', 'curl/7.58.0', true],
    ['exact', 'exactly', false],
  ])('%s ~ %s is %s', (glob, text, expected) => {
    expect(globMatches(glob, text)).toBe(expected);
  });
});
