import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** A listen address of the configuration (checked there as HOST:PORT) as host and port, an IPv6 host without its brackets. */
export function listenAddressOf(text: string): ListenAddress {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(colon + 1)) };
}

/** The URL people type for an address, IPv6 in brackets. */
export function urlOf(scheme: 'http' | 'https', address: ListenAddress): string {
  return `${scheme}://${isIP(address.host) === 6 ? `[${address.host}]` : address.host}:${address.port}`;
}
