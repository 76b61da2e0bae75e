/**
 * IPv4 and IPv6 addresses as 128-bit numbers, so that one comparison serves both families:
 * an IPv4 address is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), which is also how a
 * dual-stack server may log it. A network is a base address and a prefix length out of 128.
 */

export type Network = {
  /** As written in the indicators, for evidence. */
  text: string;
  /** The address with its host bits cleared. */
  base: bigint;
  /** Prefix length out of 128: an IPv4 /24 is 120. */
  prefix: number;
};

const IPV4_MAPPED = 0xffffn << 32n;
const ALL_BITS = (1n << 128n) - 1n;

/** A dotted quad `a.b.c.d` (decimal, no leading zeros), else -1. */
function parseIpv4(text: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let at = start;
  while (octets < 4) {
    const octetStart = at;
    let octet = 0;
    while (at < end && at - octetStart < 3) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
      at++;
    }
    const digits = at - octetStart;
    if (digits === 0 || octet > 255 || (digits > 1 && text.charCodeAt(octetStart) === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (text.charCodeAt(at) !== 0x2e) return -1;
      at++;
    }
  }
  return at === end ? value : -1;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * The 16-bit groups of an IPv6 address, `::` expanded and a trailing dotted quad counted as
 * two groups, or null when the text is not one.
 */
function parseIpv6Groups(text: string, start: number, end: number): number[] | null {
  const head: number[] = [];
  const tail: number[] = [];
  let groups = head;
  let compressed = false;
  let at = start;
  if (text.startsWith('::', at)) {
    compressed = true;
    groups = tail;
    at += 2;
  }
  while (at < end) {
    const groupStart = at;
    let group = 0;
    while (at < end && at - groupStart < 4 && hexDigit(text.charCodeAt(at)) >= 0) group = group * 16 + hexDigit(text.charCodeAt(at++));
    if (at < end && text.charCodeAt(at) === 0x2e) {
      // A dotted quad ends the address: ::ffff:192.0.2.1, 64:ff9b::192.0.2.1.
      const ipv4 = parseIpv4(text, groupStart, end);
      if (ipv4 < 0) return null;
      groups.push(ipv4 >>> 16, ipv4 & 0xffff);
      at = end;
      break;
    }
    if (at === groupStart) return null;
    groups.push(group);
    if (at === end) break;
    if (text.charCodeAt(at) !== 0x3a) return null;
    at++;
    if (text.charCodeAt(at) === 0x3a) {
      if (compressed) return null;
      compressed = true;
      groups = tail;
      at++;
    } else if (at === end) {
      return null;
    }
  }
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return null;
  return [...head, ...new Array<number>(8 - count).fill(0), ...tail];
}

/**
 * The address in `text` as a 128-bit number, or null when it is not an IPv4 or IPv6 address
 * (a host name, `-`). A zone (`fe80::1%eth0`) is ignored.
 */
export function parseAddress(text: string): bigint | null {
  const zone = text.indexOf('%');
  const end = zone < 0 ? text.length : zone;
  if (text.indexOf(':') < 0) {
    const ipv4 = zone < 0 ? parseIpv4(text, 0, end) : -1;
    return ipv4 < 0 ? null : IPV4_MAPPED | BigInt(ipv4);
  }
  const groups = parseIpv6Groups(text, 0, end);
  if (groups === null) return null;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/** `203.0.113.0/24`, `2001:db8:bad::/48` or a single address; a string saying what is wrong otherwise. */
export function parseNetwork(text: string): Network | string {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === null || text.indexOf('%') >= 0) {
    return `'${text}' is not an IP address or network; write 198.51.100.7, 203.0.113.0/24 or 2001:db8::/32`;
  }
  const isIpv4 = text.indexOf(':') < 0;
  const maxLength = isIpv4 ? 32 : 128;
  if (slash < 0) return { text, base: address, prefix: 128 };
  const lengthText = text.slice(slash + 1);
  const length = /^(0|[1-9][0-9]{0,2})$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (!(length <= maxLength)) {
    return `'${text}': the prefix length after / must be a whole number from 0 to ${maxLength}`;
  }
  const prefix = isIpv4 ? 96 + length : length;
  const hostMask = ALL_BITS >> BigInt(prefix);
  if ((address & hostMask) !== 0n) {
    const base = formatAddress(address & ~hostMask, isIpv4);
    return `'${text}' has host bits set after its /${length} prefix; did you mean ${base}/${length}?`;
  }
  return { text, base: address, prefix };
}

/** Text of an address, for messages: dotted quad for IPv4, full groups (not compressed) for IPv6. */
function formatAddress(address: bigint, isIpv4: boolean): string {
  if (isIpv4) return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
  return Array.from({ length: 8 }, (_, i) => ((address >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

