import { isIP } from 'node:net';
import { usageError } from '../lib/errors.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080` or `0.0.0.0:0` (any free port); anything else is a usage error naming the flag. */
export function parseListenAddress(text: string, flag: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  const hostOk = match?.[1] !== undefined ? isIP(match[1]) === 6 : host !== undefined && (isIP(host) === 4 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host));
  if (!match || !host || !hostOk || port > 65535) {
    throw usageError('BAD_LISTEN_ADDRESS', `${flag} '${text}' is not HOST:PORT; write e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080`);
  }
  return { host, port };
}

/** The URL people type for an address, IPv6 in brackets. */
export function urlOf(scheme: 'http' | 'https', address: ListenAddress): string {
  return `${scheme}://${isIP(address.host) === 6 ? `[${address.host}]` : address.host}:${address.port}`;
}
