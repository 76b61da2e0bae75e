/**
 * One request read from an access log, whatever the log's format. Absent values (`-` in a
 * text log, a missing or empty JSON field) are null; text fields hold the logged text with
 * the log's own escaping undone but nothing else decoded (a target stays percent-encoded).
 */
export type AccessRecord = {
  /** Client address as logged: IPv4, IPv6 or a host name. */
  ip: string | null;
  ident: string | null;
  user: string | null;
  /** Epoch milliseconds. */
  time: number;
  /** Empty when the request line was not `METHOD target [protocol]` (see splitRequest). */
  method: string;
  target: string;
  protocol: string;
  /** Null when the server logged `-` (Apache does for requests that never got a status). */
  status: number | null;
  bytes: number | null;
  referer: string | null;
  userAgent: string | null;
  /** The X-Forwarded-For header as logged (`client, proxy1, proxy2`), where the format has it. */
  forwardedFor: string | null;
};

/**
 * Why a line gave no record. `truncated` marks a line that ends before its status but is
 * otherwise well-formed so far: typically the last line of a log cut by a crash, a full
 * disk or a rotation. Such a line cannot show that anything was exposed.
 */
export type AccessLineFailure =
  | 'empty line'
  | 'truncated'
  | 'bad client address'
  | 'missing client address'
  | 'missing timestamp'
  | 'bad timestamp'
  | 'missing request'
  | 'missing status'
  | 'bad status'
  | 'bad bytes'
  | 'bad referer'
  | 'bad user agent'
  | 'invalid JSON'
  | 'not a JSON object'
  /** A W3C extended log's `#Version:`/`#Fields:` line: not a request, and not a fault either. */
  | 'directive';

export type AccessLineResult = { ok: true; record: AccessRecord } | { ok: false; reason: AccessLineFailure };

/** Every access log parser has this shape, so a scanner can take any of them. */
export type AccessLineParser = (buf: Buffer, start: number, end: number) => AccessLineResult;

export type RequestParts = Pick<AccessRecord, 'method' | 'target' | 'protocol'>;

/**
 * Splits the request line `METHOD target PROTOCOL` held in `text[start, end)`. The protocol
 * is the last word when it starts with `HTTP/`, so a target holding spaces stays whole;
 * `METHOD target` (HTTP/0.9) has no protocol. Anything without a space (`-`, a TLS
 * handshake sent to the HTTP port) is kept whole as the target with an empty method, so it
 * can still be reported.
 */
export function splitRequest(text: string, start = 0, end = text.length): RequestParts {
  const firstSpace = text.indexOf(' ', start);
  if (firstSpace < 0 || firstSpace >= end) {
    const isDash = end - start === 1 && text.charCodeAt(start) === 0x2d;
    return { method: '', target: isDash ? '' : text.slice(start, end), protocol: '' };
  }
  // The protocol is short: a loop from the end beats lastIndexOf.
  let lastSpace = end - 1;
  while (text.charCodeAt(lastSpace) !== 0x20) lastSpace--;
  const hasProtocol = lastSpace > firstSpace && end - lastSpace > 5 && text.startsWith('HTTP/', lastSpace + 1);
  return {
    method: text.slice(start, firstSpace),
    target: text.slice(firstSpace + 1, hasProtocol ? lastSpace : end),
    protocol: hasProtocol ? text.slice(lastSpace + 1, end) : '',
  };
}

/** The path and query of a target that may be an absolute URL (`https://shop.example:443/a?b`). */
export function pathAndQuery(target: string): string {
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
export function withoutPort(address: string): string {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return address;
  const host = address.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
