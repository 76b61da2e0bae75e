/**
 * AWS Application Load Balancer access logs, as the load balancer writes them to S3: one
 * request per line, space-separated, some fields quoted
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-syntax):
 *
 *   type time elb client:port target:port request_processing_time target_processing_time
 *   response_processing_time elb_status_code target_status_code received_bytes sent_bytes
 *   "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" …
 *
 * The request line holds an absolute URL (`GET https://shop.example.com:443/a?b HTTP/1.1`),
 * cut here to its path and query. The status is the one the client got (elb_status_code).
 * Fields after the user agent are not needed, and AWS adds new ones at the end.
 */
import { pathAndQuery, splitRequest, withoutPort, type AccessLineFailure, type AccessLineResult } from './access-record.ts';
import { parseIsoInstant } from './log-time.ts';

const TIME = 1;
const CLIENT = 3;
const ELB_STATUS = 8;
const SENT_BYTES = 11;
const REQUEST = 12;
const USER_AGENT = 13;

/** The first `count` fields of `line`, quotes removed; fewer when the line ends first. */
function splitFields(line: string, count: number): string[] {
  const fields: string[] = [];
  let at = 0;
  while (fields.length < count && at < line.length) {
    if (line.charCodeAt(at) === 0x22) {
      // A quoted field ends at a quote followed by a space or the end of the line.
      let close = line.indexOf('"', at + 1);
      while (close >= 0 && close + 1 < line.length && line.charCodeAt(close + 1) !== 0x20) close = line.indexOf('"', close + 1);
      if (close < 0) break;
      fields.push(line.slice(at + 1, close));
      at = close + 2;
    } else {
      const space = line.indexOf(' ', at);
      const end = space < 0 ? line.length : space;
      fields.push(line.slice(at, end));
      at = end + 1;
    }
  }
  return fields;
}

const orNull = (value: string) => (value === '-' || value === '' ? null : value);

function failure(reason: AccessLineFailure): AccessLineResult {
  return { ok: false, reason };
}

/** Parses the ALB log line in `buf[start, end)`, given without its line break. */
export function parseAlbLine(buf: Buffer, start: number, end: number): AccessLineResult {
  if (start >= end) return failure('empty line');
  const line = buf.toString('utf8', start, end);
  const fields = splitFields(line, USER_AGENT + 1);
  if (fields.length <= TIME) return failure('missing timestamp');
  const time = parseIsoInstant(Buffer.from(fields[TIME], 'latin1'), 0, fields[TIME].length);
  if (Number.isNaN(time)) return failure('bad timestamp');
  // A line cut before its status cannot show that anything was exposed.
  if (fields.length <= ELB_STATUS) return failure('truncated');
  const client = fields[CLIENT];
  if (client !== '-' && !/^[\d.]+:\d+$|^\[?[\da-fA-F:.]+\]?:\d+$/.test(client)) return failure('bad client address');
  const statusText = fields[ELB_STATUS];
  if (statusText !== '-' && !/^\d{3}$/.test(statusText)) return failure('bad status');
  if (fields.length <= REQUEST) return failure('truncated');
  const request = splitRequest(fields[REQUEST]);
  const bytes = /^\d{1,15}$/.test(fields[SENT_BYTES]) ? Number(fields[SENT_BYTES]) : null;
  return {
    ok: true,
    record: {
      ip: client === '-' ? null : withoutPort(client),
      ident: null,
      user: null,
      time,
      method: request.method,
      target: pathAndQuery(request.target),
      protocol: request.protocol,
      status: statusText === '-' ? null : Number(statusText),
      bytes,
      referer: null,
      userAgent: fields.length > USER_AGENT ? orNull(fields[USER_AGENT]) : null,
      forwardedFor: null,
    },
  };
}
