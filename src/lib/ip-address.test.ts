import { describe, expect, it } from 'vitest';
import { parseAddress, parseNetwork } from './ip-address.ts';

describe('parseAddress', () => {
  it('reads IPv4 as its IPv4-mapped IPv6 form', () => {
    expect(parseAddress('203.0.113.7')).toBe(0xffffn << 32n | 0xcb007107n);
    expect(parseAddress('::ffff:203.0.113.7')).toBe(parseAddress('203.0.113.7'));
    expect(parseAddress('::ffff:cb00:7107')).toBe(parseAddress('203.0.113.7'));
  });

  it('reads compressed and expanded IPv6 alike', () => {
    const full = parseAddress('2001:0db8:0bad:0000:0000:0000:0000:0001');
    expect(full).not.toBeNull();
    for (const form of ['2001:db8:bad::1', '2001:DB8:BAD:0:0:0:0:1', '2001:db8:bad:0::0:1']) expect(parseAddress(form)).toBe(full);
    expect(parseAddress('::')).toBe(0n);
    expect(parseAddress('::1')).toBe(1n);
    expect(parseAddress('1::')).toBe(1n << 112n);
    expect(parseAddress('fe80::1%eth0')).toBe(parseAddress('fe80::1'));
  });

  it('rejects what is not an address', () => {
    for (const text of ['', '-', 'shop.example.com', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', ':1', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '2001:db8:::1', '1:2:3:4:5:6:7:', '::ffff:1.2.3', 'gggg::']) {
      expect(parseAddress(text), text).toBeNull();
    }
  });
});

describe('parseNetwork', () => {
  it('maps an IPv4 prefix into the 128-bit space', () => {
    expect(parseNetwork('203.0.113.0/24')).toEqual({ text: '203.0.113.0/24', base: parseAddress('203.0.113.0'), prefix: 120 });
    expect(parseNetwork('2001:db8:bad::/48')).toEqual({ text: '2001:db8:bad::/48', base: parseAddress('2001:db8:bad::'), prefix: 48 });
    expect(parseNetwork('198.51.100.7')).toMatchObject({ prefix: 128 });
  });

  it('says what is wrong', () => {
    expect(parseNetwork('203.0.113.0/33')).toMatch(/from 0 to 32/);
    expect(parseNetwork('2001:db8::/129')).toMatch(/from 0 to 128/);
    expect(parseNetwork('203.0.113.5/24')).toMatch(/host bits set.*did you mean 203\.0\.113\.0\/24/);
    expect(parseNetwork('2001:db8:bad::1/48')).toMatch(/did you mean 2001:db8:bad:0:0:0:0:0\/48/);
    expect(parseNetwork('203.0.113.0/')).toMatch(/prefix length/);
    expect(parseNetwork('203.0.113.0/024')).toMatch(/prefix length/);
    expect(parseNetwork('evil.example/24')).toMatch(/not an IP address/);
  });
});
