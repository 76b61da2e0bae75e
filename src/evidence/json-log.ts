/**
 * JSON-lines access logs (nginx `log_format … escape=json`, load balancer exports) read
 * into the same AccessRecord as text logs, through a mapping from record fields to JSON
 * field names.
 */
import {
  splitRequest,
  type AccessLineFailure,
  type AccessLineParser,
  type AccessLineResult,
  type RequestParts,
} from './access-record.ts';
import { parseIsoInstant, parseTimeLocal, TIME_LOCAL_LENGTH } from './log-time.ts';

/**
 * A field name, or several tried in order (the first one present wins). A name with dots
 * reaches into nested objects (`http.request.method`) unless the object has that key as is.
 */
export type FieldNames = string | readonly string[];

export type JsonLogMapping = {
  ip?: FieldNames;
  /** A field holding `address:port`, used when no `ip` field is present; the port, after the last colon, is dropped. */
  ipPort?: FieldNames;
  /** ISO 8601 with a zone, nginx `$time_local`, or epoch seconds or milliseconds (number or numeric text). */
  time: FieldNames;
  /** A request line `METHOD target PROTOCOL`, split when no `target` or `path` field is present. */
  request?: FieldNames;
  method?: FieldNames;
  /** Path and query as requested; an absolute URL is cut to its path and query. */
  target?: FieldNames;
  /** Path and query (without `?`) in two fields, used when no `target` field is present. */
  path?: FieldNames;
  query?: FieldNames;
  protocol?: FieldNames;
  status: FieldNames;
  bytes?: FieldNames;
  user?: FieldNames;
  referer?: FieldNames;
  userAgent?: FieldNames;
};

export const JSON_LOG_PRESETS = {
  /** The usual `log_format json escape=json '{"remote_addr":"$remote_addr",…}'`. */
  'nginx-json': {
    ip: 'remote_addr',
    time: ['time_iso8601', 'time_local', 'msec'],
    request: 'request',
    method: 'request_method',
    target: 'request_uri',
    protocol: 'server_protocol',
    status: 'status',
    bytes: ['body_bytes_sent', 'bytes_sent'],
    user: 'remote_user',
    referer: ['http_referer', 'http_referrer'],
    userAgent: 'http_user_agent',
  },
  /** AWS Application Load Balancer log fields, as exported to JSON. */
  alb: {
    ip: 'client_ip',
    ipPort: 'client:port',
    time: 'time',
    method: 'request_verb',
    target: 'request_url',
    protocol: 'request_proto',
    status: ['elb_status_code', 'target_status_code'],
    bytes: 'sent_bytes',
    userAgent: 'user_agent',
  },
} as const satisfies Record<string, JsonLogMapping>;

export type JsonLogPreset = keyof typeof JSON_LOG_PRESETS;

type Lookup = readonly { name: string; path: readonly string[] }[];
type CompiledMapping = { readonly [K in keyof JsonLogMapping]-?: Lookup };

function compile(names: FieldNames | undefined): Lookup {
  const list: readonly string[] = names === undefined ? [] : typeof names === 'string' ? [names] : names;
  return list.map((name) => ({ name, path: name.split('.') }));
}

/** A value's own property (never one inherited, like `constructor`), else undefined. */
function own(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** The value of the first field present, else undefined. */
function lookup(object: Record<string, unknown>, fields: Lookup): unknown {
  for (const { name, path } of fields) {
    let value = own(object, name);
    if (value === undefined && path.length > 1) value = path.reduce<unknown>(own, object);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** What logs write for "no value". */
function isNothing(value: unknown): boolean {
  return value === null || value === '' || value === '-';
}

/** Text of a string or number value, else null. */
function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && !isNothing(value) ? value : null;
}

function isDecimal(value: string): boolean {
  let dots = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2e) dots++;
    else if (c < 0x30 || c > 0x39) return false;
  }
  return value.length > 0 && dots <= 1 && value !== '.';
}

/** Epoch seconds or milliseconds, told apart by size: 1e11 s is in the year 5138, 1e11 ms in 1973. */
function epochMs(value: number): number {
  const ms = Math.round(Math.abs(value) < 1e11 ? value * 1000 : value);
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : Number.NaN;
}

function timeOf(value: unknown): number {
  if (typeof value === 'number') return epochMs(value);
  if (typeof value !== 'string') return Number.NaN;
  if (isDecimal(value)) return epochMs(Number(value));
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === TIME_LOCAL_LENGTH && bytes[2] === 0x2f) return parseTimeLocal(bytes, 0);
  return parseIsoInstant(bytes, 0, bytes.length);
}

/** A status code from a number or three digits, else NaN. */
function statusOf(value: unknown): number {
  const code = typeof value === 'string' && value.length === 3 && isDecimal(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 999 ? code : Number.NaN;
}

function bytesOf(value: unknown): number | null {
  const count = typeof value === 'string' && isDecimal(value) ? Number(value) : value;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : null;
}

/** The path and query of a target that may be an absolute URL (`https://shop.example:443/a?b`). */
function pathAndQuery(target: string): string {
  const scheme = target.startsWith('/') ? -1 : target.indexOf('://');
  if (scheme < 0) return target;
  for (let i = scheme + 3; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0x2f) return target.slice(i);
    if (c === 0x3f || c === 0x23) return `/${target.slice(i)}`;
  }
  return '/';
}

/** `1.2.3.4:5678` → `1.2.3.4`; `[2001:db8::1]:443` and `2001:db8::1:443` → `2001:db8::1`. */
function withoutPort(address: string): string {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return address;
  const host = address.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The client address; null when logged as nothing, undefined when no mapped field is present. */
function addressOf(object: Record<string, unknown>, fields: CompiledMapping): string | null | undefined {
  const ip = lookup(object, fields.ip);
  if (ip !== undefined) return text(ip);
  const ipPort = lookup(object, fields.ipPort);
  if (ipPort === undefined) return undefined;
  const value = text(ipPort);
  return value === null ? null : withoutPort(value);
}

function requestOf(object: Record<string, unknown>, fields: CompiledMapping): RequestParts | null {
  const target = lookup(object, fields.target);
  const path = lookup(object, fields.path);
  if (target !== undefined || path !== undefined) {
    const query = text(lookup(object, fields.query));
    return {
      method: text(lookup(object, fields.method)) ?? '',
      target: target !== undefined ? pathAndQuery(text(target) ?? '') : `${text(path) ?? ''}${query === null ? '' : `?${query}`}`,
      protocol: text(lookup(object, fields.protocol)) ?? '',
    };
  }
  const request = lookup(object, fields.request);
  return request === undefined ? null : splitRequest(text(request) ?? '-');
}

function failure(reason: AccessLineFailure): AccessLineResult {
  return { ok: false, reason };
}

function recordOf(object: Record<string, unknown>, fields: CompiledMapping): AccessLineResult {
  const ip = addressOf(object, fields);
  if (ip === undefined) return failure('missing client address');
  const timeValue = lookup(object, fields.time);
  if (timeValue === undefined || isNothing(timeValue)) return failure('missing timestamp');
  const time = timeOf(timeValue);
  if (Number.isNaN(time)) return failure('bad timestamp');
  const request = requestOf(object, fields);
  if (request === null) return failure('missing request');
  const statusValue = lookup(object, fields.status);
  if (statusValue === undefined) return failure('missing status');
  const status = isNothing(statusValue) ? null : statusOf(statusValue);
  if (Number.isNaN(status)) return failure('bad status');
  return {
    ok: true,
    record: {
      ip,
      ident: null,
      user: text(lookup(object, fields.user)),
      time,
      method: request.method,
      target: request.target,
      protocol: request.protocol,
      status,
      bytes: bytesOf(lookup(object, fields.bytes)),
      referer: text(lookup(object, fields.referer)),
      userAgent: text(lookup(object, fields.userAgent)),
    },
  };
}

/** A parser of JSON lines with this mapping (or a preset's), in the shape every access log parser has. */
export function jsonLineParser(mapping: JsonLogMapping | JsonLogPreset): AccessLineParser {
  const names: JsonLogMapping = typeof mapping === 'string' ? JSON_LOG_PRESETS[mapping] : mapping;
  const fields: CompiledMapping = {
    ip: compile(names.ip),
    ipPort: compile(names.ipPort),
    time: compile(names.time),
    request: compile(names.request),
    method: compile(names.method),
    target: compile(names.target),
    path: compile(names.path),
    query: compile(names.query),
    protocol: compile(names.protocol),
    status: compile(names.status),
    bytes: compile(names.bytes),
    user: compile(names.user),
    referer: compile(names.referer),
    userAgent: compile(names.userAgent),
  };
  return (buf, start, end) => {
    const hasBom = end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf;
    const line = buf.toString('utf8', hasBom ? start + 3 : start, end);
    if (line.length === 0) return failure('empty line');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return failure('invalid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return failure('not a JSON object');
    return recordOf(value as Record<string, unknown>, fields);
  };
}
