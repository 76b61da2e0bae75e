import { describe, expect, it } from 'vitest';
import { parseListenAddress, urlOf } from './listen-address.ts';

describe('parseListenAddress', () => {
  it('takes IPv4, bracketed IPv6 and host names with a port', () => {
    expect(parseListenAddress('127.0.0.1:8080', '--listen')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('[::1]:8081', '--listen')).toEqual({ host: '::1', port: 8081 });
    expect(parseListenAddress(' localhost:0 ', '--listen')).toEqual({ host: 'localhost', port: 0 });
  });

  it.each(['8080', '127.0.0.1', '::1:8080', '[127.0.0.1]:80', 'host:65536', 'host:-1', 'ho st:80', '[::1]:', 'a/b:80', 'host:80\nX-Injected: 1'])('refuses %j with a usage error', (text) => {
    expect(() => parseListenAddress(text, '--listen')).toThrow(expect.objectContaining({ code: 'BAD_LISTEN_ADDRESS', exitCode: 2 }));
  });

  it('writes IPv6 hosts in brackets in URLs', () => {
    expect(urlOf('http', { host: '::1', port: 8080 })).toBe('http://[::1]:8080');
    expect(urlOf('https', { host: '127.0.0.1', port: 443 })).toBe('https://127.0.0.1:443');
  });
});
