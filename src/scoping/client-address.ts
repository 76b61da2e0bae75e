/**
 * Which address a request came from, behind proxies and load balancers: as nginx's realip
 * module does with `real_ip_recursive on`, the X-Forwarded-For header is believed only when
 * the connecting peer is a trusted proxy, and then read from the right, skipping trusted
 * proxies; the first untrusted address is the client. Anything to its left was written by
 * the client itself, so an attacker could put anything there.
 */
import { invalidInput } from '../lib/errors.ts';
import { parseAddress, parseNetwork, type Network } from '../lib/ip-address.ts';

/** `peer`: the address the log gives the connection. `x-forwarded-for`: resolved as above. */
export type ClientAddressRule = { from: 'peer' } | { from: 'x-forwarded-for'; trustedProxies: readonly string[] };

export const CLIENT_ADDRESS_SOURCES = ['peer', 'x-forwarded-for'] as const;

/** The rule from the command line's words; a usage error for a proxy list that is missing or not CIDRs. */
export function clientAddressRule(from: string, trustedProxies: readonly string[]): ClientAddressRule {
  if (from !== 'x-forwarded-for') {
    if (trustedProxies.length > 0) throw invalidInput('TRUSTED_PROXIES_UNUSED', '--trusted-proxies is used only with --client-ip-from x-forwarded-for');
    return { from: 'peer' };
  }
  if (trustedProxies.length === 0) {
    throw invalidInput('TRUSTED_PROXIES_MISSING', '--client-ip-from x-forwarded-for needs --trusted-proxies CIDR…: the addresses of your load balancers and proxies, whose X-Forwarded-For is believed');
  }
  for (const proxy of trustedProxies) {
    const network = parseNetwork(proxy);
    if (typeof network === 'string') throw invalidInput('TRUSTED_PROXIES_INVALID', `--trusted-proxies: ${network}`);
  }
  return { from: 'x-forwarded-for', trustedProxies };
}

/** The address of one X-Forwarded-For entry, a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) dropped; null when it is none. */
function entryAddress(entry: string): { text: string; value: bigint } | null {
  const value = parseAddress(entry);
  if (value !== null) return { text: entry, value };
  const port = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry) ?? /^\[([\da-fA-F:.]+)\]:\d+$/.exec(entry) ?? /^\[([\da-fA-F:.]+)\]$/.exec(entry);
  const address = port === null ? null : parseAddress(port[1]);
  return address === null ? null : { text: port![1], value: address };
}

/**
 * The function giving a request's client address from its peer and X-Forwarded-For, or null
 * when the rule is to take the peer as it is. An entry that is not an address ends the walk:
 * the last address walked through is the client.
 */
export function clientAddressResolver(rule: ClientAddressRule): ((peer: string | null, forwardedFor: string | null) => string | null) | null {
  if (rule.from === 'peer') return null;
  const networks = rule.trustedProxies.map((proxy) => parseNetwork(proxy) as Network);
  const ALL = (1n << 128n) - 1n;
  const trusted = (address: bigint) => networks.some(({ base, prefix }) => (address & (ALL ^ (ALL >> BigInt(prefix)))) === base);
  return (peer, forwardedFor) => {
    if (peer === null || forwardedFor === null) return peer;
    const peerAddress = parseAddress(peer);
    if (peerAddress === null || !trusted(peerAddress)) return peer;
    const entries = forwardedFor.split(',');
    let client = peer;
    for (let k = entries.length - 1; k >= 0; k--) {
      const entry = entryAddress(entries[k].trim());
      if (entry === null) return client;
      client = entry.text;
      if (!trusted(entry.value)) return client;
    }
    return client;
  };
}
