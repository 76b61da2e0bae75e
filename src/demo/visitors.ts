import { Random, STREAM } from './random.ts';
import { BROWSERS } from './site.ts';

/**
 * Ordinary visitors' addresses come from blocks of ISPs in the shop's markets, never from the
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) that
 * the attacker's addresses are drawn from: no ordinary request may match an indicator.
 */
const IPV4_FIRST_OCTETS = [2, 5, 24, 31, 37, 46, 49, 50, 62, 66, 68, 71, 73, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 98, 99, 101, 103, 106, 109, 110, 117, 122, 151, 176, 178, 185, 188, 212, 213, 217];
const IPV6_PREFIXES = ['2a01:cb08', '2a01:e0a', '2003:e2', '2a02:8109', '2a02:c7f', '2a00:23c8', '2600:1700', '2601:646', '2409:4042', '2405:201'];

export interface Visitor {
  ip: string;
  userAgent: string;
}

const hextet = (random: Random) => random.int(0x10000).toString(16);

export function publicAddress(random: Random): string {
  if (random.chance(0.15)) {
    return `${random.pick(IPV6_PREFIXES)}:${hextet(random)}:${hextet(random)}:${hextet(random)}:${hextet(random)}:${hextet(random)}:${hextet(random)}`;
  }
  return `${random.pick(IPV4_FIRST_OCTETS)}.${random.int(256)}.${random.int(256)}.${random.between(1, 254)}`;
}

const random = new Random(0, STREAM.visitor);

/** The visitor with this key; customers are visitors 0…customers-1, so their own requests come from their own devices. */
export function visitor(seed: number, key: number): Visitor {
  random.reset(seed, STREAM.visitor, key);
  return { ip: publicAddress(random), userAgent: random.pick(BROWSERS) };
}
