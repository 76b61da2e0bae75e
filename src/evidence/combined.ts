/**
 * nginx/Apache `combined` access log lines:
 *
 *   $remote_addr $ident $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
 *
 * `common` lines (without the last two fields) parse too. A quoted field right after the user
 * agent is read as `"$http_x_forwarded_for"`, as the usual nginx variant of `combined` appends
 * it; anything after that (a custom format extending `combined`) is ignored.
 *
 * A line is read two ways at once: as bytes for testing single characters (a typed-array
 * load is cheap, String#charCodeAt is not) and as one string, decoded by one native call,
 * for searching (String#indexOf runs at memchr speed; Buffer#indexOf pays a native call
 * each time) and for slicing the fields out. Scanners that must not allocate for every
 * line pre-filter the raw bytes first (readClientAddress, Buffer#indexOf) and parse only
 * the lines that pass.
 */
import { splitRequest, type AccessLineFailure, type AccessLineResult, type AccessRecord } from './access-record.ts';
import { escapeLogValue, unescapeLogText } from './log-escapes.ts';
import { formatTimeLocal, parseTimeLocal, TIME_LOCAL_LENGTH } from './log-time.ts';

const SPACE = 0x20;
const QUOTE = 0x22;
const DASH = 0x2d;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Bytes a client address may hold: IPv4, IPv6 with a `%zone`, host names, `-`. */
const ADDRESS_BYTE = new Uint8Array(256);
for (const c of '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.:-_%') ADDRESS_BYTE[c.charCodeAt(0)] = 1;

/**
 * The end of the first field of the line `buf[start, end)` when it looks like a client
 * address, else -1; the field starts at `start`. Allocates nothing: the cheapest test a
 * scanner can make for an IP indicator.
 */
export function readClientAddress(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && ADDRESS_BYTE[buf[i]] === 1) i++;
  return i > start && (i === end || buf[i] === SPACE) ? i : -1;
}

/** Where findRequestTarget found the timestamp (`$time_local`) of the line it placed last. */
export const placed = { time: 0 };

/** What findRequestTarget answers for a line it cannot place a target in. */
export const NOT_COMBINED = -1;
export const CUT_SHORT = -2;

/**
 * Where the request target of the combined or common line `buf[start, end)` starts, found on
 * the raw bytes without parsing the line (allocates nothing, searches nothing): after three
 * words (client address, ident, user), `[timestamp]` and the method. For a request without a
 * method (`"-"`) it is the request's start; where its timestamp starts is left in `placed`.
 * Otherwise NOT_COMBINED or CUT_SHORT, where
 * parseCombinedLine would fail, or fail with 'truncated'. Only the shape is checked, not the
 * values: parseCombinedLine may still reject a line this places.
 */
export function findRequestTarget(buf: Uint8Array, start: number, end: number): number {
  // Three words (written out: the JIT compiles straight loops best), then scanLine's checks in its order.
  let i = start;
  while (i < end && buf[i] !== SPACE) i++;
  i++;
  while (i < end && buf[i] !== SPACE) i++;
  i++;
  while (i < end && buf[i] !== SPACE) i++;
  const time = i + 2;
  if (time > end) return cutShort(buf, start, end);
  if (buf[time - 1] !== OPEN_BRACKET) return NOT_COMBINED;
  if (time + TIME_LOCAL_LENGTH >= end) return cutShort(buf, start, end);
  if (buf[time + TIME_LOCAL_LENGTH] !== CLOSE_BRACKET) return NOT_COMBINED;
  const request = time + TIME_LOCAL_LENGTH + 3;
  if (request > end) return cutShort(buf, start, end);
  if (buf[request - 2] !== SPACE || buf[request - 1] !== QUOTE) return NOT_COMBINED;
  placed.time = time;
  for (i = request; i < end; i++) {
    if (buf[i] === SPACE) return i + 1;
    if (buf[i] === QUOTE) return request;
  }
  return cutShort(buf, start, end);
}

/** A line cut short is 'truncated' only when it starts with a client address. */
function cutShort(buf: Uint8Array, start: number, end: number): number {
  return readClientAddress(buf, start, end) < 0 ? NOT_COMBINED : CUT_SHORT;
}

/**
 * The fields of the line being parsed, as `[start, end)` byte offsets into its buffer:
 * quotes and brackets excluded, escapes not yet undone, -1 for a field the line lacks.
 */
const fields = new Int32Array(20);
const IP = 0;
const IDENT = 2;
const USER = 4;
const TIME = 6;
const REQUEST = 8;
const STATUS = 10;
const BYTES = 12;
const REFERER = 14;
const USER_AGENT = 16;
const FORWARDED_FOR = 18;

function setField(slot: number, start: number, end: number): void {
  fields[slot] = start;
  fields[slot + 1] = end;
}

/** The end of the word at `from`. Words here are short (`-`, `200`), where a loop beats indexOf. */
function wordEnd(buf: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && buf[i] !== SPACE) i++;
  return i;
}

function allDigits(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

/**
 * The offset of the quote closing a field that starts at `from`, or -1 when the line ends
 * first. A quote closes the field only when it is not escaped and a space or the line's end
 * follows it, so a raw quote inside a value (servers that do not escape) rarely splits it.
 */
function closingQuote(buf: Uint8Array, start: number, end: number, line: string, from: number): number {
  for (let found = line.indexOf('"', from - start); found >= 0; found = line.indexOf('"', found + 1)) {
    const quote = start + found;
    if (quote + 1 < end && buf[quote + 1] !== SPACE) continue;
    let before = quote - 1;
    while (before >= from && buf[before] === BACKSLASH) before--;
    if ((quote - 1 - before) % 2 === 0) return quote;
  }
  return -1;
}

/**
 * Finds the fields of the line `buf[start, end)`, whose text `line` has one char per byte;
 * returns null when the line has the shape of a combined or common line, else why not.
 * Only the shape is checked here: the timestamp's values are checked when it is read.
 */
function scanLine(buf: Uint8Array, start: number, end: number, line: string): AccessLineFailure | null {
  if (start >= end) return 'empty line';
  for (let slot = STATUS; slot < fields.length; slot++) fields[slot] = -1;

  const ipEnd = readClientAddress(buf, start, end);
  if (ipEnd < 0) return 'bad client address';
  setField(IP, start, ipEnd);
  if (ipEnd === end) return 'truncated';
  const identEnd = wordEnd(buf, ipEnd + 1, end);
  setField(IDENT, ipEnd + 1, identEnd);
  if (identEnd === end) return 'truncated';
  const userEnd = wordEnd(buf, identEnd + 1, end);
  setField(USER, identEnd + 1, userEnd);

  const time = userEnd + 2;
  if (time > end) return 'truncated';
  if (buf[time - 1] !== OPEN_BRACKET) return 'missing timestamp';
  if (time + TIME_LOCAL_LENGTH >= end) return 'truncated';
  if (buf[time + TIME_LOCAL_LENGTH] !== CLOSE_BRACKET) return 'bad timestamp';
  setField(TIME, time, time + TIME_LOCAL_LENGTH);

  const request = time + TIME_LOCAL_LENGTH + 3;
  if (request > end) return 'truncated';
  if (buf[request - 2] !== SPACE || buf[request - 1] !== QUOTE) return 'missing request';
  const requestEnd = closingQuote(buf, start, end, line, request);
  if (requestEnd < 0) return 'truncated';
  setField(REQUEST, request, requestEnd);

  const status = requestEnd + 2;
  if (status >= end) return 'truncated';
  const statusEnd = wordEnd(buf, status, end);
  const statusDigits = allDigits(buf, status, statusEnd);
  const statusDash = statusEnd - status === 1 && buf[status] === DASH;
  if (!(statusEnd - status === 3 && statusDigits) && !statusDash) {
    return statusEnd === end && statusEnd - status < 3 && statusDigits ? 'truncated' : 'bad status';
  }
  setField(STATUS, status, statusEnd);
  if (statusEnd === end) return null;

  const bytes = statusEnd + 1;
  const bytesEnd = wordEnd(buf, bytes, end);
  const bytesDash = bytesEnd - bytes === 1 && buf[bytes] === DASH;
  if (!bytesDash && !(bytesEnd > bytes && bytesEnd - bytes <= 15 && allDigits(buf, bytes, bytesEnd))) return 'bad bytes';
  setField(BYTES, bytes, bytesEnd);
  if (bytesEnd === end) return null;

  const referer = bytesEnd + 2;
  if (referer > end || buf[referer - 1] !== QUOTE) return 'bad referer';
  const refererEnd = closingQuote(buf, start, end, line, referer);
  setField(REFERER, referer, refererEnd < 0 ? end : refererEnd);
  if (refererEnd < 0 || refererEnd + 1 === end) return null;

  const userAgent = refererEnd + 3;
  if (userAgent > end || buf[userAgent - 1] !== QUOTE) return 'bad user agent';
  const userAgentEnd = closingQuote(buf, start, end, line, userAgent);
  setField(USER_AGENT, userAgent, userAgentEnd < 0 ? end : userAgentEnd);
  const forwardedFor = userAgentEnd + 3;
  if (userAgentEnd < 0 || forwardedFor > end || buf[forwardedFor - 2] !== SPACE || buf[forwardedFor - 1] !== QUOTE) return null;
  const forwardedForEnd = closingQuote(buf, start, end, line, forwardedFor);
  if (forwardedForEnd >= 0) setField(FORWARDED_FOR, forwardedFor, forwardedForEnd);
  return null;
}

function numberAt(buf: Uint8Array, slot: number): number | null {
  if (fields[slot] < 0 || buf[fields[slot]] === DASH) return null;
  let value = 0;
  for (let i = fields[slot]; i < fields[slot + 1]; i++) value = value * 10 + buf[i] - 48;
  return value;
}

/**
 * Parses the combined or common line in `buf[start, end)`, given without its line break.
 * Text is UTF-8; servers escape other bytes, and an invalid byte becomes U+FFFD.
 */
export function parseCombinedLine(buf: Buffer, start: number, end: number): AccessLineResult {
  // Fields are found by byte offsets, so the line's string must have one char per byte:
  // its UTF-8 text has, unless it holds multi-byte characters (servers escape those,
  // unless told not to). Then the latin1 text is searched and each field decoded alone.
  const utf8 = buf.toString('utf8', start, end);
  const oneCharPerByte = utf8.length === end - start;
  const line = oneCharPerByte ? utf8 : buf.toString('latin1', start, end);
  const reason = scanLine(buf, start, end, line);
  if (reason !== null) return { ok: false, reason };
  const time = parseTimeLocal(buf, fields[TIME]);
  if (Number.isNaN(time)) return { ok: false, reason: 'bad timestamp' };

  // Nearly no line holds an escape: one search spares a search in every field.
  const escaped = line.indexOf('\\') >= 0;
  const text = (slot: number) => {
    const raw = oneCharPerByte
      ? line.slice(fields[slot] - start, fields[slot + 1] - start)
      : buf.toString('utf8', fields[slot], fields[slot + 1]);
    return escaped ? unescapeLogText(raw) : raw;
  };
  const optionalText = (slot: number) =>
    fields[slot] < 0 || (fields[slot + 1] === fields[slot] + 1 && buf[fields[slot]] === DASH) ? null : text(slot);
  const request =
    oneCharPerByte && !escaped
      ? splitRequest(line, fields[REQUEST] - start, fields[REQUEST + 1] - start)
      : splitRequest(text(REQUEST));
  return {
    ok: true,
    record: {
      ip: optionalText(IP),
      ident: optionalText(IDENT),
      user: optionalText(USER),
      time,
      method: request.method,
      target: request.target,
      protocol: request.protocol,
      status: numberAt(buf, STATUS),
      bytes: numberAt(buf, BYTES),
      referer: optionalText(REFERER),
      userAgent: optionalText(USER_AGENT),
      forwardedFor: optionalText(FORWARDED_FOR),
    },
  };
}

/**
 * A combined line as nginx writes it (default `escape`), the time shown at `offsetMinutes` east
 * of UTC; with `"$http_x_forwarded_for"` appended when the record has one.
 */
export function formatCombinedLine(record: AccessRecord, offsetMinutes = 0): string {
  const orDash = (value: string | null) => (value === null || value === '' ? '-' : escapeLogValue(value));
  const request = [record.method, record.target, record.protocol].filter((part) => part !== '').join(' ');
  return (
    `${orDash(record.ip)} ${orDash(record.ident)} ${orDash(record.user)} [${formatTimeLocal(record.time, offsetMinutes)}] ` +
    `"${orDash(request)}" ${record.status ?? '-'} ${record.bytes ?? '-'} "${orDash(record.referer)}" "${orDash(record.userAgent)}"` +
    (record.forwardedFor === null ? '' : ` "${orDash(record.forwardedFor)}"`)
  );
}
