import { describe, expect, it } from 'vitest';
import { describeTransport, parseTransport } from './transport-url.ts';

describe('parseTransport', () => {
  it('writes into <data dir>/outbox by default, or the directory of file:', () => {
    expect(parseTransport(undefined, '/var/tocsin')).toEqual({ kind: 'file', dir: '/var/tocsin/outbox' });
    expect(parseTransport('file:/srv/outbox', '/var/tocsin')).toEqual({ kind: 'file', dir: '/srv/outbox' });
    expect(parseTransport('file:///srv/out%20box', '/var/tocsin')).toEqual({ kind: 'file', dir: '/srv/out box' });
  });

  it('reads SMTP URLs with their login, never showing the password', () => {
    const spec = parseTransport('smtps://mailer%40shop:p%40ss@smtp.example.com', '/d');
    expect(spec).toEqual({ kind: 'smtp', secure: true, host: 'smtp.example.com', port: 465, user: 'mailer@shop', password: 'p@ss' });
    expect(describeTransport(spec)).toBe('smtps://mailer%40shop@smtp.example.com:465');
    expect(parseTransport('smtp://[::1]:2525', '/d')).toMatchObject({ secure: false, host: '::1', port: 2525 });
    expect(describeTransport(parseTransport('smtp://localhost', '/d'))).toBe('smtp://localhost:587');
  });

  it('refuses other schemes without echoing a password', () => {
    expect(() => parseTransport('https://user:secret@mail.example.com', '/d')).toThrow("--transport 'https://user:***@mail.example.com' is not an SMTP URL");
    expect(() => parseTransport('file:', '/d')).toThrow('names no directory');
  });
});
