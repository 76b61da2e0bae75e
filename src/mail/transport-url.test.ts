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

  it('takes the password from elsewhere than the URL, once, and only for a user', () => {
    const fromEnv = { value: 'p@ss word', source: 'TOCSIN_SMTP_PASSWORD', explicit: false };
    expect(parseTransport('smtp://mailer@smtp.example.com', '/d', fromEnv)).toMatchObject({ user: 'mailer', password: 'p@ss word' });
    expect(() => parseTransport('smtp://mailer:inline@smtp.example.com', '/d', fromEnv)).toThrow('the SMTP password is both in --transport and in TOCSIN_SMTP_PASSWORD');
    expect(() => parseTransport('smtp://smtp.example.com', '/d', fromEnv)).toThrow('TOCSIN_SMTP_PASSWORD gives an SMTP password, but --transport names no user');
    // The environment may hold it for every command; a file named on this command line is meant for this transport.
    expect(parseTransport('file:/srv/outbox', '/d', fromEnv)).toEqual({ kind: 'file', dir: '/srv/outbox' });
    const fromFile = { value: 'x', source: '--smtp-password-file pw', explicit: true };
    expect(() => parseTransport(undefined, '/d', fromFile)).toThrow('--smtp-password-file pw gives an SMTP password, but the transport writes files');
  });

  it('refuses other schemes without echoing a password', () => {
    expect(() => parseTransport('https://user:secret@mail.example.com', '/d')).toThrow("--transport 'https://user:***@mail.example.com' is not an SMTP URL");
    expect(() => parseTransport('file:', '/d')).toThrow('names no directory');
  });
});
