/**
 * JSON-lines access logs (nginx `log_format … escape=json`, Caddy, any other) read into the
 * same AccessRecord as text logs, through a mapping from record fields to JSON field names:
 * a preset's, or one given as `time=ts,ip=request.remote_ip,…` (parseLogFields).
 */
import { invalidInput } from '../lib/errors.ts';
import {
  pathAndQuery,
  splitRequest,
  withoutPort,
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
  /** The X-Forwarded-For header. */
  forwardedFor?: FieldNames;
};

export const JSON_LOG_PRESETS = {
  /**
   * The usual `log_format json escape=json '{"remote_addr":"$remote_addr",…}'`, named after
   * nginx's variables (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format).
   */
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
    forwardedFor: 'http_x_forwarded_for',
  },
  /**
   * Caddy 2's access log (`log { format json }`, https://caddyserver.com/docs/caddyfile/directives/log):
   * `ts` in epoch seconds, the request nested with its headers as lists. `client_ip` is the
   * client Caddy itself resolved through its `trusted_proxies`, else the peer (`remote_ip`).
   */
  caddy: {
    ip: ['request.client_ip', 'request.remote_ip'],
    time: 'ts',
    method: 'request.method',
    target: 'request.uri',
    protocol: 'request.proto',
    status: 'status',
    bytes: 'size',
    user: 'user_id',
    referer: 'request.headers.Referer',
    userAgent: 'request.headers.User-Agent',
    forwardedFor: 'request.headers.X-Forwarded-For',
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

/** Text of a string or number value, else null. A header logged as a list (Caddy) is its values joined as HTTP joins them. */
function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') && value.length > 0 ? text(value.join(', ')) : null;
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
      forwardedFor: text(lookup(object, fields.forwardedFor)),
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
    forwardedFor: compile(names.forwardedFor),
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

/** The names `--log-fields` takes for each field of a mapping. */
const FIELD_OPTION_NAMES: Record<string, keyof JsonLogMapping> = {
  ip: 'ip',
  ip_port: 'ipPort',
  time: 'time',
  request: 'request',
  method: 'method',
  target: 'target',
  path: 'path',
  query: 'query',
  protocol: 'protocol',
  status: 'status',
  bytes: 'bytes',
  user: 'user',
  referer: 'referer',
  user_agent: 'userAgent',
  forwarded_for: 'forwardedFor',
};

/**
 * A mapping from `time=ts,ip=request.remote_ip|request.client_ip,…` (`|` lists names tried in
 * order); a usage error naming the field for an unknown field, a field given twice, or a
 * mapping that lacks one every request needs.
 */
export function parseLogFields(spec: string): JsonLogMapping {
  const mapping: Partial<Record<keyof JsonLogMapping, string[]>> = {};
  const known = Object.keys(FIELD_OPTION_NAMES).join(', ');
  for (const pair of spec.split(',')) {
    const equals = pair.indexOf('=');
    const name = pair.slice(0, Math.max(equals, 0)).trim();
    const names = pair.slice(equals + 1).split('|').map((field) => field.trim());
    if (equals < 0 || names.some((field) => field === '')) {
      throw invalidInput('LOG_FIELDS_INVALID', `--log-fields: '${pair.trim()}' is not FIELD=JSON_NAME; write e.g. time=ts,ip=request.remote_ip,status=status`);
    }
    const key = Object.hasOwn(FIELD_OPTION_NAMES, name) ? FIELD_OPTION_NAMES[name] : undefined;
    if (key === undefined) throw invalidInput('LOG_FIELDS_INVALID', `--log-fields: unknown field '${name}'; the fields are ${known}`);
    if (mapping[key] !== undefined) throw invalidInput('LOG_FIELDS_INVALID', `--log-fields: field '${name}' is given twice; list alternatives as ${name}=a|b`);
    mapping[key] = names;
  }
  const lacks = [
    mapping.ip === undefined && mapping.ipPort === undefined ? 'ip' : '',
    mapping.time === undefined ? 'time' : '',
    mapping.request === undefined && mapping.target === undefined && mapping.path === undefined ? 'target' : '',
    mapping.status === undefined ? 'status' : '',
  ].filter((name) => name !== '');
  if (lacks.length > 0) {
    throw invalidInput('LOG_FIELDS_INVALID', `--log-fields lacks ${lacks.join(', ')}: every request needs a client address (ip or ip_port), a time, a target (target, path or request) and a status`);
  }
  return mapping as JsonLogMapping;
}

/** The JSON fields a line failing for `reason` lacked or held badly under this mapping: to name them in a message. */
export function fieldsBehind(reason: AccessLineFailure, mapping: JsonLogMapping): string[] {
  const keys: Partial<Record<AccessLineFailure, (keyof JsonLogMapping)[]>> = {
    'missing client address': ['ip', 'ipPort'],
    'missing timestamp': ['time'],
    'bad timestamp': ['time'],
    'missing request': ['target', 'path', 'request'],
    'missing status': ['status'],
    'bad status': ['status'],
  };
  return (keys[reason] ?? []).flatMap((key) => {
    const names = mapping[key];
    return names === undefined ? [] : typeof names === 'string' ? [names] : [...names];
  });
}
