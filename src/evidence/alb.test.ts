import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlbLine } from './alb.ts';

const parse = (line: string) => {
  const buf = Buffer.from(line, 'utf8');
  return parseAlbLine(buf, 0, buf.length);
};

// An HTTPS entry in the field order of AWS's "Access log entry syntax" (Application Load
// Balancer user guide, load-balancer-access-logs.html): type time elb client:port target:port
// request_processing_time target_processing_time response_processing_time elb_status_code
// target_status_code received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol
// target_group_arn "trace_id" "domain_name" "chosen_cert_arn" matched_rule_priority
// request_creation_time "actions_executed" "redirect_url" "error_reason" "target:port_list"
// "target_status_code_list" "classification" "classification_reason" conn_trace_id
const LINE =
  'https 2019-10-30T00:00:01.186641Z app/shop-lb/50dc6c495c0c9188 198.51.100.7:46532 10.0.0.1:80 0.000 0.048 0.000 200 200 210 2048 ' +
  '"GET https://shop.example.com:443/api/aftersales/imei/356938035643809?lang=en HTTP/1.1" "python-requests/2.22.0" ' +
  'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 ' +
  '"Root=1-58337281-1d84f3d73c47ec4e58577259" "shop.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" ' +
  '1 2019-10-30T00:00:01.138000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd';

describe('parseAlbLine', () => {
  it('reads an entry: the client without its port, the URL cut to path and query, the status the client got', () => {
    expect(parse(LINE)).toEqual({
      ok: true,
      record: {
        ip: '198.51.100.7',
        ident: null,
        user: null,
        time: Date.parse('2019-10-30T00:00:01.186Z'),
        method: 'GET',
        target: '/api/aftersales/imei/356938035643809?lang=en',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 2048,
        referer: null,
        userAgent: 'python-requests/2.22.0',
        forwardedFor: null,
      },
    });
  });

  it('reads an IPv6 client, a request that got no response (status -), and a user agent with spaces', () => {
    const v6 = LINE.replace('198.51.100.7:46532', '[2001:db8::7]:46532').replace(' 200 200 ', ' - - ').replace('"python-requests/2.22.0"', '"Mozilla/5.0 (X11; Linux)"');
    expect(parse(v6)).toMatchObject({ ok: true, record: { ip: '2001:db8::7', status: null, userAgent: 'Mozilla/5.0 (X11; Linux)' } });
  });

  it('says why other lines give no record', () => {
    expect(parse('')).toEqual({ ok: false, reason: 'empty line' });
    expect(parse(LINE.slice(0, 60))).toEqual({ ok: false, reason: 'truncated' });
    expect(parse('203.0.113.9 - - [30/Oct/2019:08:00:01 +0800] "GET / HTTP/1.1" 200 512')).toEqual({ ok: false, reason: 'bad timestamp' });
    expect(parse(LINE.replace('198.51.100.7:46532', 'shop'))).toEqual({ ok: false, reason: 'bad client address' });
    expect(parse(LINE.replace(' 200 200 ', ' OK 200 '))).toEqual({ ok: false, reason: 'bad status' });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void parseAlbLine(Buffer.from(bytes), 0, bytes.length)), { numRuns: 500 });
  });
});
