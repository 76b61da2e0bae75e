import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessLineParser } from './access-record.ts';
import { w3cLineParser } from './w3c.ts';

const run = (parser: AccessLineParser, line: string) => {
  const buf = Buffer.from(line, 'utf8');
  return parser(buf, 0, buf.length);
};

// CloudFront standard log fields, in the order of the CloudFront developer guide's "Standard
// logging reference" (standard-logs-reference.html#BasicDistributionFileFormat), tab-separated.
const FIELDS =
  '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query ' +
  'cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ' +
  'ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte ' +
  'x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const LINE = [
  '2019-10-30', '00:00:01', 'FRA56-C1', '2048', '198.51.100.7', 'GET', 'd111111abcdef8.cloudfront.net', '/api/aftersales/imei/356938035643809',
  '200', '-', 'python-requests/2.22.0%20(compatible)', 'lang=en', '-', 'Miss', 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
  'shop.example.com', 'https', '210', '0.048', '-', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 'Miss', 'HTTP/1.1', '-', '-', '46532', '0.048',
  'Miss', 'application/json', '2048', '-', '-',
].join('\t');

describe('w3cLineParser (CloudFront standard logs)', () => {
  it('reads an entry: date and time in UTC, path and query, the user agent URL-decoded; directives are no requests', () => {
    const parser = w3cLineParser();
    expect(run(parser, '#Version: 1.0')).toEqual({ ok: false, reason: 'directive' });
    expect(run(parser, FIELDS)).toEqual({ ok: false, reason: 'directive' });
    expect(run(parser, LINE)).toEqual({
      ok: true,
      record: {
        ip: '198.51.100.7',
        ident: null,
        user: null,
        time: Date.parse('2019-10-30T00:00:01Z'),
        method: 'GET',
        target: '/api/aftersales/imei/356938035643809?lang=en',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 2048,
        referer: null,
        userAgent: 'python-requests/2.22.0 (compatible)',
        forwardedFor: null,
      },
    });
  });

  it('reads the columns its #Fields line names, in any order, X-Forwarded-For included', () => {
    const parser = w3cLineParser();
    run(parser, '#Fields: c-ip time date cs-method cs-uri-stem cs-uri-query sc-status x-forwarded-for');
    expect(run(parser, '10.0.0.2\t08:00:00\t2019-11-05\tGET\t/api/v2/orders/SO1\t-\t404\t203.0.113.9')).toMatchObject({
      ok: true,
      record: { ip: '10.0.0.2', time: Date.parse('2019-11-05T08:00:00Z'), target: '/api/v2/orders/SO1', status: 404, forwardedFor: '203.0.113.9' },
    });
  });

  it('reads CloudFront columns when a file has no #Fields line, and says why other lines give no record', () => {
    const parser = w3cLineParser();
    expect(run(parser, LINE)).toMatchObject({ ok: true, record: { ip: '198.51.100.7' } });
    expect(run(parser, '')).toEqual({ ok: false, reason: 'empty line' });
    expect(run(parser, LINE.split('\t').slice(0, 6).join('\t'))).toEqual({ ok: false, reason: 'truncated' });
    expect(run(parser, LINE.replace('00:00:01', '25:00:01'))).toEqual({ ok: false, reason: 'bad timestamp' });
    expect(run(parser, '203.0.113.9 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" 200 512')).toEqual({ ok: false, reason: 'missing timestamp' });
  });

  it('never throws, whatever the bytes', () => {
    const parser = w3cLineParser();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void parser(Buffer.from(bytes), 0, bytes.length)), { numRuns: 500 });
  });
});
