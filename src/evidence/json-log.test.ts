import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessLineParser, AccessLineResult } from './access-record.ts';
import { fieldsBehind, jsonLineParser, JSON_LOG_PRESETS, parseLogFields } from './json-log.ts';

function parseWith(parser: AccessLineParser, line: string | object): AccessLineResult {
  const buf = Buffer.from(typeof line === 'string' ? line : JSON.stringify(line), 'utf8');
  return parser(buf, 0, buf.length);
}

const nginx = jsonLineParser('nginx-json');
const caddy = jsonLineParser('caddy');
/** A load balancer's log exported to JSON: the client as `address:port`, the request URL absolute. */
const alb = jsonLineParser(
  parseLogFields('ip=client_ip,ip_port=client:port,time=time,method=request_verb,target=request_url,protocol=request_proto,status=elb_status_code|target_status_code,bytes=sent_bytes,user_agent=user_agent'),
);

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
        forwardedFor: null,
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

describe('the caddy preset', () => {
  // Caddy 2's JSON access log as its documentation shows it (caddyserver.com/docs/caddyfile/directives/log,
  // "structured logs"): ts in epoch seconds, the request nested, headers as lists of values.
  const line = {
    level: 'info',
    ts: 1572393601.5241024,
    logger: 'http.log.access',
    msg: 'handled request',
    request: {
      remote_ip: '10.0.0.2',
      remote_port: '41342',
      client_ip: '203.0.113.9',
      proto: 'HTTP/2.0',
      method: 'GET',
      host: 'shop.example.com',
      uri: '/api/aftersales/imei/356938035643809?lang=en',
      headers: { 'User-Agent': ['python-requests/2.22.0'], Accept: ['*/*'], 'X-Forwarded-For': ['203.0.113.9'] },
      tls: { resumed: false, version: 772, cipher_suite: 4865, proto: 'h2', server_name: 'shop.example.com' },
    },
    bytes_read: 0,
    user_id: '',
    duration: 0.000929675,
    size: 10900,
    status: 200,
    resp_headers: { Server: ['Caddy'], 'Content-Type': ['application/json'] },
  };

  it('reads a line: client_ip before remote_ip, headers from their lists, ts in epoch seconds', () => {
    expect(parseWith(caddy, line)).toEqual({
      ok: true,
      record: {
        ip: '203.0.113.9',
        ident: null,
        user: null,
        time: 1572393601524,
        method: 'GET',
        target: '/api/aftersales/imei/356938035643809?lang=en',
        protocol: 'HTTP/2.0',
        status: 200,
        bytes: 10900,
        referer: null,
        userAgent: 'python-requests/2.22.0',
        forwardedFor: '203.0.113.9',
      },
    });
  });

  it('takes remote_ip where an older Caddy logged no client_ip, and joins a repeated header as HTTP does', () => {
    const { client_ip: _, ...request } = line.request;
    const older = { ...line, request: { ...request, headers: { ...request.headers, 'X-Forwarded-For': ['198.51.100.7', '10.0.0.9'] } } };
    expect(parseWith(caddy, older)).toMatchObject({ ok: true, record: { ip: '10.0.0.2', forwardedFor: '198.51.100.7, 10.0.0.9' } });
  });

  it('is not what nginx-json reads: a Caddy line has none of its fields', () => {
    expect(parseWith(nginx, line)).toEqual({ ok: false, reason: 'missing client address' });
  });
});

describe('parseLogFields', () => {
  it('reads FIELD=NAME pairs, with alternatives after |', () => {
    expect(parseLogFields('time=ts, ip=request.client_ip|request.remote_ip,target=request.uri,status=status,user_agent=ua')).toEqual({
      time: ['ts'],
      ip: ['request.client_ip', 'request.remote_ip'],
      target: ['request.uri'],
      status: ['status'],
      userAgent: ['ua'],
    });
  });

  it('names the field that is wrong, twice given or missing', () => {
    expect(() => parseLogFields('tme=ts,ip=a,target=b,status=c')).toThrow(/unknown field 'tme'; the fields are ip, ip_port, time/);
    expect(() => parseLogFields('time=ts,time=t,ip=a,target=b,status=c')).toThrow(/field 'time' is given twice/);
    expect(() => parseLogFields('time=ts,ip=a,status=c')).toThrow(/lacks target/);
    expect(() => parseLogFields('time=ts,ip,target=b,status=c')).toThrow(/'ip' is not FIELD=JSON_NAME/);
    expect(() => parseLogFields('time=ts,ip=a,target=b,status=c,constructor=x')).toThrow(/unknown field 'constructor'/);
  });

  it('tells which fields a failing line lacked', () => {
    expect(fieldsBehind('missing timestamp', JSON_LOG_PRESETS['nginx-json'])).toEqual(['time_iso8601', 'time_local', 'msec']);
    expect(fieldsBehind('missing client address', JSON_LOG_PRESETS.caddy)).toEqual(['request.client_ip', 'request.remote_ip']);
    expect(fieldsBehind('invalid JSON', JSON_LOG_PRESETS.caddy)).toEqual([]);
  });
});

describe('a mapping with ip_port and an absolute target', () => {
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
        forwardedFor: null,
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
    const parsers = [nginx, caddy, alb, jsonLineParser({ ip: 'a.b.c', time: 'a.t', target: 'a', status: ['s', 'a.s'] })];
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
