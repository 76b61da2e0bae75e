import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessLineParser, AccessLineResult } from './access-record.ts';
import { jsonLineParser, JSON_LOG_PRESETS } from './json-log.ts';

function parseWith(parser: AccessLineParser, line: string | object): AccessLineResult {
  const buf = Buffer.from(typeof line === 'string' ? line : JSON.stringify(line), 'utf8');
  return parser(buf, 0, buf.length);
}

const nginx = jsonLineParser('nginx-json');
const alb = jsonLineParser('alb');

describe('the nginx-json preset', () => {
  it('reads a line of the usual escape=json format', () => {
    const line = {
      time_local: '30/Oct/2019:08:00:01 +0800',
      remote_addr: '2001:db8:bad::17',
      remote_user: '',
      request: 'GET /api/aftersales/imei/356938035643809?x=1 HTTP/1.1',
      status: '200',
      body_bytes_sent: '512',
      request_time: '0.004',
      http_referrer: '',
      http_user_agent: 'python-requests/2.22.0 "quoted"',
    };
    expect(parseWith(nginx, line)).toEqual({
      ok: true,
      record: {
        ip: '2001:db8:bad::17',
        ident: null,
        user: null,
        time: Date.UTC(2019, 9, 30, 0, 0, 1),
        method: 'GET',
        target: '/api/aftersales/imei/356938035643809?x=1',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 512,
        referer: null,
        userAgent: 'python-requests/2.22.0 "quoted"',
      },
    });
  });

  it('prefers time_iso8601 and request_method + request_uri when logged', () => {
    const result = parseWith(nginx, {
      time_iso8601: '2019-10-30T08:00:01-07:00',
      time_local: '30/Oct/2019:08:00:01 -0700',
      remote_addr: '203.0.113.9',
      request_method: 'POST',
      request_uri: '/login',
      server_protocol: 'HTTP/2.0',
      status: 302,
      body_bytes_sent: 0,
      remote_user: 'alice',
      http_referer: 'https://shop.example/',
    });
    expect(result).toMatchObject({
      ok: true,
      record: {
        time: Date.UTC(2019, 9, 30, 15, 0, 1),
        method: 'POST',
        target: '/login',
        protocol: 'HTTP/2.0',
        status: 302,
        bytes: 0,
        user: 'alice',
        referer: 'https://shop.example/',
        userAgent: null,
      },
    });
  });

  it('reads epoch times from $msec', () => {
    const base = { remote_addr: '203.0.113.9', request: 'GET / HTTP/1.1', status: 200 };
    expect(parseWith(nginx, { ...base, msec: '1572393601.123' })).toMatchObject({ record: { time: 1572393601123 } });
    expect(parseWith(nginx, { ...base, msec: 1572393601 })).toMatchObject({ record: { time: 1572393601000 } });
    expect(parseWith(nginx, { ...base, msec: 1572393601123 })).toMatchObject({ record: { time: 1572393601123 } });
  });
});

describe('the alb preset', () => {
  const line = {
    type: 'https',
    time: '2019-10-30T00:00:01.123456Z',
    elb: 'app/shop/50dc6c495c0c9188',
    'client:port': '203.0.113.9:46532',
    elb_status_code: '200',
    target_status_code: '200',
    sent_bytes: '2048',
    request_verb: 'GET',
    request_url: 'https://shop.example.com:443/api/aftersales/imei/356938035643809?lang=en',
    request_proto: 'HTTP/1.1',
    user_agent: 'curl/7.64.0',
  };

  it('reads a line, cutting the URL to its path and query and the port off the client', () => {
    expect(parseWith(alb, line)).toEqual({
      ok: true,
      record: {
        ip: '203.0.113.9',
        ident: null,
        user: null,
        time: Date.UTC(2019, 9, 30, 0, 0, 1, 123),
        method: 'GET',
        target: '/api/aftersales/imei/356938035643809?lang=en',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 2048,
        referer: null,
        userAgent: 'curl/7.64.0',
      },
    });
  });

  it('takes client_ip as it is, and drops the port of an IPv6 client:port', () => {
    expect(parseWith(alb, { ...line, client_ip: '2001:db8::1' })).toMatchObject({ record: { ip: '2001:db8::1' } });
    expect(parseWith(alb, { ...line, 'client:port': '2001:db8::1:46532' })).toMatchObject({ record: { ip: '2001:db8::1' } });
    expect(parseWith(alb, { ...line, 'client:port': '[2001:db8::1]:46532' })).toMatchObject({ record: { ip: '2001:db8::1' } });
  });

  it('reads a status of `-` (no response sent) as null', () => {
    expect(parseWith(alb, { ...line, elb_status_code: '-', target_status_code: '-' })).toMatchObject({ ok: true, record: { status: null } });
  });

  it('cuts a URL without a path to /', () => {
    expect(parseWith(alb, { ...line, request_url: 'https://shop.example.com:443?x=1' })).toMatchObject({ record: { target: '/?x=1' } });
    expect(parseWith(alb, { ...line, request_url: 'https://shop.example.com' })).toMatchObject({ record: { target: '/' } });
  });
});

describe('jsonLineParser', () => {
  it('follows a custom mapping with dotted names, path + query, and a UTF-8 BOM', () => {
    const ecs = jsonLineParser({
      ip: 'source.ip',
      time: '@timestamp',
      method: 'http.request.method',
      path: 'url.path',
      query: 'url.query',
      status: 'http.response.status_code',
      userAgent: 'user_agent.original',
    });
    const line = {
      '@timestamp': '2019-10-30T00:00:01Z',
      source: { ip: '198.51.100.4' },
      http: { request: { method: 'GET' }, response: { status_code: 200 } },
      url: { path: '/orders/42', query: 'full=1' },
      'user_agent.original': 'flat key wins',
    };
    expect(parseWith(ecs, `\uFEFF${JSON.stringify(line)}`)).toMatchObject({
      ok: true,
      record: { ip: '198.51.100.4', method: 'GET', target: '/orders/42?full=1', status: 200, userAgent: 'flat key wins' },
    });
  });

  it('says why a line gives no record', () => {
    const good = { remote_addr: '203.0.113.9', time_iso8601: '2019-10-30T08:00:01+08:00', request: 'GET / HTTP/1.1', status: '200' };
    const without = (key: keyof typeof good) => Object.fromEntries(Object.entries(good).filter(([name]) => name !== key));
    expect(parseWith(nginx, '')).toEqual({ ok: false, reason: 'empty line' });
    expect(parseWith(nginx, '{"remote_addr": "203.0.113.9", "status": 2')).toEqual({ ok: false, reason: 'invalid JSON' });
    expect(parseWith(nginx, '[1, 2]')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(parseWith(nginx, 'null')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(parseWith(nginx, without('remote_addr'))).toEqual({ ok: false, reason: 'missing client address' });
    expect(parseWith(nginx, without('time_iso8601'))).toEqual({ ok: false, reason: 'missing timestamp' });
    expect(parseWith(nginx, { ...good, time_iso8601: '2019-10-30 08:00:01' })).toEqual({ ok: false, reason: 'bad timestamp' });
    expect(parseWith(nginx, without('request'))).toEqual({ ok: false, reason: 'missing request' });
    expect(parseWith(nginx, without('status'))).toEqual({ ok: false, reason: 'missing status' });
    expect(parseWith(nginx, { ...good, time_iso8601: '-' })).toEqual({ ok: false, reason: 'missing timestamp' });
    expect(parseWith(nginx, { ...good, status: 'OK' })).toEqual({ ok: false, reason: 'bad status' });
    expect(parseWith(nginx, { ...good, status: { code: 200 } })).toEqual({ ok: false, reason: 'bad status' });
    expect(parseWith(nginx, good)).toMatchObject({ ok: true });
  });

  it('never throws, whatever the bytes or the JSON', () => {
    const parsers = [nginx, alb, jsonLineParser({ ip: 'a.b.c', time: 'a.t', target: 'a', status: ['s', 'a.s'] })];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const parser of parsers) parser(Buffer.from(bytes), 0, bytes.length);
      }),
    );
    const anything = fc.jsonValue();
    const keys = [...new Set(Object.values(JSON_LOG_PRESETS).flatMap((preset) => Object.values(preset).flat()))];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys, 'a', 's'), anything), (object) => {
        for (const parser of parsers) parseWith(parser, object);
      }),
    );
  });
});
