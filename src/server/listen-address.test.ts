import { describe, expect, it } from 'vitest';
import { listenAddressOf, urlOf } from './listen-address.ts';

describe('listen addresses', () => {
  it('splits IPv4, bracketed IPv6 and host names from their port', () => {
    expect(listenAddressOf('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(listenAddressOf('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(listenAddressOf('localhost:0')).toEqual({ host: 'localhost', port: 0 });
  });

  it('writes IPv6 hosts in brackets in URLs', () => {
    expect(urlOf('http', { host: '::1', port: 8080 })).toBe('http://[::1]:8080');
    expect(urlOf('https', { host: '127.0.0.1', port: 443 })).toBe('https://127.0.0.1:443');
  });
});
