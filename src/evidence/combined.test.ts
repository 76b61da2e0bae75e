import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessLineResult, AccessRecord } from './access-record.ts';
import { CUT_SHORT, findRequestTarget, formatCombinedLine, NOT_COMBINED, parseCombinedLine, readClientAddress } from './combined.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/logs/elastic-apache-combined-10k.log', import.meta.url));

function parse(line: string): AccessLineResult {
  const buf = Buffer.from(line, 'utf8');
  return parseCombinedLine(buf, 0, buf.length);
}

function record(line: string): AccessRecord {
  const result = parse(line);
  if (!result.ok) throw new Error(`expected a record, got '${result.reason}' for: ${line}`);
  return result.record;
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/70.0';
const line = (time: string) => `203.0.113.9 - - [${time}] "GET /api/aftersales/imei/35 HTTP/1.1" 200 512 "-" "${UA}"`;

describe('the Apache fixture log', () => {
  const buf = readFileSync(FIXTURE);
  const lines: AccessRecord[] = [];
  const failures: string[] = [];
  for (let start = 0; start < buf.length; ) {
    const newline = buf.indexOf(0x0a, start);
    const end = newline < 0 ? buf.length : newline;
    const result = parseCombinedLine(buf, start, end);
    if (result.ok) lines.push(result.record);
    else failures.push(`line ${lines.length + failures.length + 1}: ${result.reason}`);
    start = end + 1;
  }

  it('parses every one of its 10,000 lines', () => {
    expect(failures).toEqual([]);
    expect(lines).toHaveLength(10_000);
  });

  it('reads the fields of known lines', () => {
    expect(lines[0]).toEqual({
      ip: '83.149.9.216',
      ident: null,
      user: null,
      time: Date.UTC(2015, 4, 17, 10, 5, 3),
      method: 'GET',
      target: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 203023,
      referer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
      forwardedFor: null,
    });
    expect(lines[62]).toMatchObject({
      ip: '66.249.73.185',
      time: Date.UTC(2015, 4, 17, 10, 5, 22),
      target: '/doc/index.html?org/elasticsearch/action/search/SearchResponse.html',
      status: 404,
      bytes: 294,
      referer: null,
    });
    expect(lines[85]).toMatchObject({ ip: '218.30.103.62', status: 304, bytes: null });
    expect(lines[43]).toMatchObject({ ip: '200.49.190.101', referer: null, userAgent: null });
    expect(lines[9999]).toMatchObject({
      ip: '46.105.14.53',
      time: Date.UTC(2015, 4, 20, 21, 5, 15),
      target: '/blog/tags/puppet?flav=rss20',
      userAgent: 'UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/',
    });
  });

  it('keeps escapes of bytes that are not UTF-8 as logged (line 5851: a cp1251 referer)', () => {
    expect(lines[5850].referer).toBe('http://\\xe4\\xe5\\xe3\\xf2\\xff\\xf0\\xed\\xee\\xe5-\\xec\\xfb\\xeb\\xee.\\xf0\\xf4/');
  });
});

describe('parseCombinedLine', () => {
  it('reads time_local at any UTC offset as the right instant', () => {
    expect(record(line('30/Oct/2019:08:00:01 +0800')).time).toBe(Date.UTC(2019, 9, 30, 0, 0, 1));
    expect(record(line('30/Oct/2019:08:00:01 -0700')).time).toBe(Date.UTC(2019, 9, 30, 15, 0, 1));
    expect(record(line('30/Oct/2019:08:00:01 +0000')).time).toBe(Date.UTC(2019, 9, 30, 8, 0, 1));
    expect(record(line('01/Jan/2020:03:00:00 +0545')).time).toBe(Date.UTC(2019, 11, 31, 21, 15, 0));
  });

  it('rejects a timestamp whose fields are out of range', () => {
    const invalid = [
      '31/Nov/2019:08:00:01 +0800',
      '29/Feb/2019:08:00:01 +0000',
      '30/Oct/2019:24:00:01 +0800',
      '30/Okt/2019:08:00:01 +0800',
      '30/Oct/2019:08:00:01 +0860',
      '30/Oct/2019:08:00:01 0800',
    ];
    for (const time of invalid) {
      expect(parse(line(time))).toEqual({ ok: false, reason: 'bad timestamp' });
    }
    expect(record(line('29/Feb/2020:23:59:59 +0000')).time).toBe(Date.UTC(2020, 1, 29, 23, 59, 59));
  });

  it('undoes Apache and nginx escapes in quoted fields', () => {
    const apache = record(`10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET /a HTTP/1.1" 200 5 "-" "Evil \\"UA\\" \\\\ end\\\\"`);
    expect(apache.userAgent).toBe('Evil "UA" \\ end\\');
    const nginx = record(`10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET /a\\x22b HTTP/1.1" 200 5 "-" "Evil \\x22UA\\x22 caf\\xC3\\xA9"`);
    expect(nginx.target).toBe('/a"b');
    expect(nginx.userAgent).toBe('Evil "UA" café');
  });

  it('reads raw UTF-8 (nginx escape=none) and invalid bytes', () => {
    const raw = record(`10.0.0.1 - josé [30/Oct/2019:08:00:01 +0800] "GET /ü?q=中 HTTP/1.1" 200 1 "-" "Mozilla 中文 \\"x\\" 😀"`);
    expect(raw).toMatchObject({ user: 'josé', target: '/ü?q=中', userAgent: 'Mozilla 中文 "x" 😀' });
    const buf = Buffer.concat([
      Buffer.from('10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET /'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' HTTP/1.1" 200 1'),
    ]);
    expect(parseCombinedLine(buf, 0, buf.length)).toMatchObject({ ok: true, record: { target: '/\uFFFD\uFFFD', status: 200 } });
  });

  it('reads an IPv6 or host name client and the user', () => {
    expect(record(line('30/Oct/2019:08:00:01 +0800').replace('203.0.113.9', '2001:db8:bad::17')).ip).toBe('2001:db8:bad::17');
    expect(record(line('30/Oct/2019:08:00:01 +0800').replace('203.0.113.9 - -', 'crawler.example.net - alice'))).toMatchObject({
      ip: 'crawler.example.net',
      user: 'alice',
    });
  });

  it('reads common format lines, `-` bytes and `-` status', () => {
    expect(record('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326')).toEqual({
      ip: '127.0.0.1',
      ident: null,
      user: 'frank',
      time: Date.UTC(2000, 9, 10, 20, 55, 36),
      method: 'GET',
      target: '/apache_pb.gif',
      protocol: 'HTTP/1.0',
      status: 200,
      bytes: 2326,
      referer: null,
      userAgent: null,
      forwardedFor: null,
    });
    expect(record('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 304 -')).toMatchObject({ status: 304, bytes: null });
    expect(record('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" - -')).toMatchObject({ status: null });
  });

  it('keeps odd request lines instead of failing the line', () => {
    const request = (text: string) => record(`10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "${text}" 400 0 "-" "-"`);
    expect(request('-')).toMatchObject({ method: '', target: '', protocol: '' });
    expect(request('')).toMatchObject({ method: '', target: '', protocol: '' });
    expect(request('\\x16\\x03\\x01\\x00')).toMatchObject({ method: '', target: '\x16\x03\x01\x00' });
    expect(request('GET /legacy')).toMatchObject({ method: 'GET', target: '/legacy', protocol: '' });
    expect(request('GET /a b HTTP/1.1')).toMatchObject({ method: 'GET', target: '/a b', protocol: 'HTTP/1.1' });
  });

  it('ignores fields a custom format adds after the user agent', () => {
    expect(record(`${line('30/Oct/2019:08:00:01 +0800')} "198.51.100.7" rt=0.004`).userAgent).toBe(UA);
  });

  it('reports a line cut before its status as truncated, distinctly from other failures', () => {
    const full = line('30/Oct/2019:08:00:01 +0800');
    const statusAt = full.indexOf('" 200 ') + 2;
    for (const cut of [8, 12, 30, 50, full.indexOf('/api/') + 4, statusAt - 2, statusAt - 1, statusAt, statusAt + 2]) {
      expect(parse(full.slice(0, cut)), full.slice(0, cut)).toEqual({ ok: false, reason: 'truncated' });
    }
    expect(record(full.slice(0, statusAt + 3))).toMatchObject({ status: 200, bytes: null });
    expect(record(full.slice(0, -10))).toMatchObject({ status: 200, userAgent: UA.slice(0, -9) });
  });

  it('says why other lines are not access log lines', () => {
    expect(parse('')).toEqual({ ok: false, reason: 'empty line' });
    expect(parse('\u0000\u0001garbage')).toEqual({ ok: false, reason: 'bad client address' });
    expect(parse('10.0.0.1 - - 30/Oct/2019:08:00:01 +0800 "GET / HTTP/1.1" 200 1')).toEqual({ ok: false, reason: 'missing timestamp' });
    expect(parse('10.0.0.1 - - [30/Oct/2019:08:00:01+0800] "GET / HTTP/1.1" 200 1')).toEqual({ ok: false, reason: 'bad timestamp' });
    expect(parse('10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] GET / HTTP/1.1 200 1')).toEqual({ ok: false, reason: 'missing request' });
    expect(parse('10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" OK 1')).toEqual({ ok: false, reason: 'bad status' });
    expect(parse('10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" 200 1k')).toEqual({ ok: false, reason: 'bad bytes' });
    expect(parse('10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" 200 1 -')).toEqual({ ok: false, reason: 'bad referer' });
    expect(parse('10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" -')).toEqual({ ok: false, reason: 'bad user agent' });
  });

  it('parses a 100 KB line', () => {
    const target = `/search?q=${'a'.repeat(100_000)}`;
    expect(record(`10.0.0.1 - - [30/Oct/2019:08:00:01 +0800] "GET ${target} HTTP/1.1" 414 0 "-" "-"`).target).toBe(target);
  });

  it('reads a line at any offsets of a larger buffer', () => {
    const buf = Buffer.from(`junk\n${line('30/Oct/2019:08:00:01 +0800')}\njunk`);
    const result = parseCombinedLine(buf, 5, buf.length - 5);
    expect(result.ok && result.record.ip).toBe('203.0.113.9');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const buf = Buffer.from(bytes);
        parseCombinedLine(buf, 0, buf.length);
      }),
      { numRuns: 2000 },
    );
    const template = line('30/Oct/2019:08:00:01 +0800');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(template.length), fc.nat(template.length), (text, at, cut) => {
        parse(text);
        parse(template.slice(0, at) + text + template.slice(at, Math.max(at, cut)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatCombinedLine', () => {
  const text = fc
    .array(
      fc.oneof(fc.constantFrom('"', '\\', '\\"', '\\x22', ' ', '\t', 'é', '中'), fc.string({ unit: 'grapheme', maxLength: 8 })),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(''))
    .filter((value) => value !== '' && value !== '-');
  const word = text.filter((value) => !value.includes(' '));
  const second = 1000;
  const records = fc.record<AccessRecord>({
    ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()), { nil: null }),
    ident: fc.option(word, { nil: null }),
    user: fc.option(word, { nil: null }),
    time: fc.integer({ min: Date.UTC(1000, 0, 2) / second, max: Date.UTC(9999, 11, 30) / second }).map((s) => s * second),
    method: fc.stringMatching(/^[A-Z]{1,10}$/),
    target: text.map((value) => `/${value}`),
    protocol: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'),
    status: fc.option(fc.integer({ min: 100, max: 999 }), { nil: null }),
    bytes: fc.option(fc.integer({ min: 0, max: 999_999_999_999_999 }), { nil: null }),
    referer: fc.option(text, { nil: null }),
    userAgent: fc.option(text, { nil: null }),
    forwardedFor: fc.option(text, { nil: null }),
  });
  const offsets = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

  it('writes lines that parse back to the same fields, at any offset', () => {
    fc.assert(
      fc.property(records, offsets, (fields, offset) => {
        expect(parse(formatCombinedLine(fields, offset))).toEqual({ ok: true, record: fields });
      }),
      { numRuns: 2000 },
    );
  });

  it('writes lines whose unescaped UTF-8 text (nginx escape=none) parses back too', () => {
    const plain = fc.string({ unit: 'grapheme', minLength: 1 }).filter((value) => !/["\\\x00-\x1f\x7f]/.test(value) && value !== '-');
    fc.assert(
      fc.property(records, plain, plain.filter((value) => !value.includes(' ')), (fields, userAgent, user) => {
        const marked = { ...fields, userAgent: 'UA-MARK-7f3a', user: 'USER-MARK-7f3a' };
        const line = formatCombinedLine(marked).replace('UA-MARK-7f3a', () => userAgent).replace('USER-MARK-7f3a', () => user);
        expect(parse(line)).toEqual({ ok: true, record: { ...marked, userAgent, user } });
      }),
    );
  });

  it('escapes as nginx does', () => {
    const fields = record(line('30/Oct/2019:08:00:01 +0800'));
    expect(formatCombinedLine({ ...fields, userAgent: 'a"b\\c\né' }, 480)).toBe(
      `203.0.113.9 - - [30/Oct/2019:08:00:01 +0800] "GET /api/aftersales/imei/35 HTTP/1.1" 200 512 "-" "a\\x22b\\x5Cc\\x0A\\xC3\\xA9"`,
    );
  });
});

describe('readClientAddress', () => {
  it('finds the end of the first field without allocating', () => {
    const buf = Buffer.from(`x\n2001:db8:bad::17 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" 200 1\n`);
    expect(readClientAddress(buf, 2, buf.length - 1)).toBe(2 + '2001:db8:bad::17'.length);
    expect(readClientAddress(Buffer.from('10.0.0.1'), 0, 8)).toBe(8);
    expect(readClientAddress(Buffer.from(' 10.0.0.1 -'), 0, 11)).toBe(-1);
    expect(readClientAddress(Buffer.from('10.0.0.1\u0000 -'), 0, 11)).toBe(-1);
  });
});

describe('findRequestTarget', () => {
  const target = (text: string) => {
    const buf = Buffer.from(text, 'latin1');
    const at = findRequestTarget(buf, 0, buf.length);
    return at < 0 ? at : text.slice(at, at + 8);
  };

  it('finds the target of every line of the fixture log', () => {
    const buf = readFileSync(FIXTURE);
    for (let start = 0, line = 1; start < buf.length; line++) {
      const end = buf.indexOf(0x0a, start);
      const result = parseCombinedLine(buf, start, end);
      const at = findRequestTarget(buf, start, end);
      if (!result.ok) throw new Error(`fixture line ${line} does not parse`);
      const shown = Math.min(12, result.record.target.length);
      expect(buf.toString('latin1', at, at + shown), `line ${line}`).toBe(result.record.target.slice(0, shown));
      start = end + 1;
    }
  });

  it('places the target after the method, or at a request without one', () => {
    expect(target(line('30/Oct/2019:08:00:01 +0800'))).toBe('/api/aft');
    expect(target('2001:db8::1 - u1 [30/Oct/2019:08:00:01 -0500] "HEAD http://x/ HTTP/1.0" 200 0')).toBe('http://x');
    expect(target('203.0.113.9 - - [30/Oct/2019:08:00:01 +0800] "-" 408 0 "-" "-"')).toBe('-" 408 0');
  });

  it('tells lines cut short from lines of another shape', () => {
    expect(target('203.0.113.9 - - [30/Oct/2019:08:00')).toBe(CUT_SHORT);
    expect(target('203.0.113.9 - - [30/Oct/2019:08:00:01 +0800] "GET')).toBe(CUT_SHORT);
    expect(target('203.0.113.9 - -')).toBe(CUT_SHORT);
    expect(target('203.0.113.9 - - 30/Oct/2019:08:00:01 +0800 "GET / HTTP/1.1" 200 1')).toBe(NOT_COMBINED);
    expect(target('{"remote_addr":"203.0.113.9"}')).toBe(NOT_COMBINED);
    expect(target('\u0000\u00ff garbage')).toBe(NOT_COMBINED);
    expect(target('')).toBe(NOT_COMBINED);
  });

  it('agrees with parseCombinedLine on which lines fail, and how', () => {
    const template = line('30/Oct/2019:08:00:01 +0800');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(template.length), fc.nat(template.length), (text, at, cut) => {
        const buf = Buffer.from(template.slice(0, at) + text + template.slice(at, Math.max(at, cut)), 'utf8');
        const found = findRequestTarget(buf, 0, buf.length);
        const result = parseCombinedLine(buf, 0, buf.length);
        if (found === CUT_SHORT) expect(result).toEqual({ ok: false, reason: 'truncated' });
        if (found === NOT_COMBINED) expect(result.ok === false && result.reason !== 'truncated').toBe(true);
        if (result.ok || result.reason === 'truncated') expect(found === NOT_COMBINED).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
