/**
 * W3C extended log files as Amazon CloudFront writes them (standard logs): tab-separated
 * values in the columns a `#Fields:` directive names, `-` for none
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html#BasicDistributionFileFormat).
 * The date and time columns are UTC; `cs-uri-stem` and `cs-uri-query` are the request's path
 * and query, still percent-encoded; `cs(User-Agent)` and `cs(Referer)` are URL-encoded, and
 * decoded here. A file is read in order from its start, so the `#Fields:` line is seen before
 * the lines it describes: the parser keeps the columns it last saw.
 */
import type { AccessLineFailure, AccessLineParser, AccessLineResult } from './access-record.ts';
import { parseIsoInstant } from './log-time.ts';

/** CloudFront's columns, in its order: what a file without a `#Fields:` line is read with. */
const CLOUDFRONT_FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) ' +
  'cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken ' +
  'x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status ' +
  'fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len ' +
  'sc-range-start sc-range-end';

type Columns = Record<'date' | 'time' | 'ip' | 'method' | 'stem' | 'query' | 'status' | 'bytes' | 'referer' | 'userAgent' | 'forwardedFor' | 'protocol' | 'user', number>;

function columnsOf(list: readonly string[]): Columns {
  const at = (name: string) => list.indexOf(name);
  return {
    date: at('date'),
    time: at('time'),
    ip: at('c-ip'),
    method: at('cs-method'),
    stem: at('cs-uri-stem'),
    query: at('cs-uri-query'),
    status: at('sc-status'),
    bytes: at('sc-bytes'),
    referer: at('cs(Referer)'),
    userAgent: at('cs(User-Agent)'),
    forwardedFor: at('x-forwarded-for'),
    protocol: at('cs-protocol-version'),
    user: at('cs-username'),
  };
}

function failure(reason: AccessLineFailure): AccessLineResult {
  return { ok: false, reason };
}

/** A value of column `index`, null for `-`, an empty value or a column the file lacks. */
function valueAt(values: string[], index: number): string | null {
  const value = index < 0 ? undefined : values[index];
  return value === undefined || value === '-' || value === '' ? null : value;
}

/** CloudFront URL-encodes header values, some twice (`%2520`); one decoding gives what the client sent, near enough. */
function urlDecoded(value: string | null): string | null {
  if (value === null) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A parser for one file: it learns the columns from the file's `#Fields:` line. */
export function w3cLineParser(): AccessLineParser {
  let columns = columnsOf(CLOUDFRONT_FIELDS.split(' '));
  return (buf, start, end) => {
    if (start >= end) return failure('empty line');
    const line = buf.toString('utf8', start, end);
    if (line.startsWith('#')) {
      if (line.startsWith('#Fields:')) {
        columns = columnsOf(line.slice('#Fields:'.length).trim().split(/\s+/));
      }
      return failure('directive');
    }
    const values = line.split('\t');
    const date = valueAt(values, columns.date);
    const time = valueAt(values, columns.time);
    if (date === null || time === null) return failure('missing timestamp');
    const instant = `${date}T${time}Z`;
    const ms = parseIsoInstant(Buffer.from(instant, 'latin1'), 0, instant.length);
    if (Number.isNaN(ms)) return failure('bad timestamp');
    if (values.length <= columns.status) return failure('truncated');
    const statusText = valueAt(values, columns.status);
    if (statusText !== null && !/^\d{3}$/.test(statusText)) return failure('bad status');
    const ip = valueAt(values, columns.ip);
    if (columns.ip < 0) return failure('missing client address');
    const stem = valueAt(values, columns.stem);
    if (stem === null) return failure('missing request');
    const query = valueAt(values, columns.query);
    const bytes = valueAt(values, columns.bytes);
    return {
      ok: true,
      record: {
        ip,
        ident: null,
        user: valueAt(values, columns.user),
        time: ms,
        method: valueAt(values, columns.method) ?? '',
        target: query === null ? stem : `${stem}?${query}`,
        protocol: valueAt(values, columns.protocol) ?? '',
        status: statusText === null ? null : Number(statusText),
        bytes: bytes !== null && /^\d{1,15}$/.test(bytes) ? Number(bytes) : null,
        referer: urlDecoded(valueAt(values, columns.referer)),
        userAgent: urlDecoded(valueAt(values, columns.userAgent)),
        forwardedFor: valueAt(values, columns.forwardedFor),
      },
    };
  };
}
