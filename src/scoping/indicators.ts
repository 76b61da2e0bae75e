/**
 * Indicators compiled for matching request after request: networks looked up by prefix
 * length (one map probe per distinct length, however many addresses are listed), user agent
 * globs, accounts in a set, the window as epoch milliseconds. Logs repeat addresses and user
 * agents endlessly, so the verdict on each is remembered (boundedly). A match names the indicator
 * that matched, as evidence: `ip 203.0.113.0/24`, `user_agent python-requests/*`, `account u101027`.
 */
import { parseAddress, parseNetwork } from '../lib/ip-address.ts';
import type { Indicators } from './scope-file.ts';

export type IndicatorMatcher = {
  /** The first indicator the request matches (addresses first, then user agents, then accounts), else null. The window aside. */
  match(ip: string | null, userAgent: string | null, account: string | null): string | null;
  /** Whether the instant (epoch ms) lies within the window, both ends included. */
  inWindow(time: number): boolean;
};

/** Networks of one prefix length, by their address shifted right past the host bits. */
type PrefixTable = { hostBits: bigint; labels: Map<bigint, string> };

function networkTables(ips: readonly string[]): PrefixTable[] {
  const byPrefix = new Map<number, PrefixTable>();
  for (const ip of ips) {
    const network = parseNetwork(ip);
    if (typeof network === 'string') throw new RangeError(network);
    let table = byPrefix.get(network.prefix);
    if (!table) {
      table = { hostBits: BigInt(128 - network.prefix), labels: new Map() };
      byPrefix.set(network.prefix, table);
    }
    const key = network.base >> table.hostBits;
    if (!table.labels.has(key)) table.labels.set(key, `ip ${ip}`);
  }
  // Longest prefix first: evidence names the most specific indicator.
  return [...byPrefix.entries()].sort(([a], [b]) => b - a).map(([, table]) => table);
}

/** Whether `text` matches `glob`, where `*` stands for any text and `?` for one character. */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  // Where the last `*` was, and the text position it is tried against: backtracking to it suffices.
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    // NaN past the end of the glob, which matches nothing.
    const c = glob.charCodeAt(g);
    if (c === 0x2a) {
      star = g++;
      starText = t;
    } else if (c === 0x3f || c === text.charCodeAt(t)) {
      g++;
      t++;
    } else if (star >= 0) {
      g = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob.charCodeAt(g) === 0x2a) g++;
  return g === glob.length;
}

const REMEMBERED = 10_000;

/** `verdict`, remembering its answers for up to REMEMBERED distinct texts at a time. */
function remembered(verdict: (text: string) => string | null): (text: string) => string | null {
  const answers = new Map<string, string | null>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined) {
      answer = verdict(text);
      if (answers.size === REMEMBERED) answers.clear();
      answers.set(text, answer);
    }
    return answer;
  };
}

export function compileIndicators(indicators: Indicators): IndicatorMatcher {
  const tables = networkTables(indicators.ips);
  const userAgents = indicators.userAgents;
  const accounts = new Set(indicators.accounts);
  const from = indicators.from ?? Number.NEGATIVE_INFINITY;
  const until = indicators.until ?? Number.POSITIVE_INFINITY;

  const matchAddress = remembered((ip) => {
    const address = parseAddress(ip);
    if (address === null) return null;
    for (const { hostBits, labels } of tables) {
      const label = labels.get(address >> hostBits);
      if (label !== undefined) return label;
    }
    return null;
  });
  const matchUserAgent = remembered((userAgent) => {
    for (const glob of userAgents) if (globMatches(glob, userAgent)) return `user_agent ${glob}`;
    return null;
  });

  return {
    match(ip, userAgent, account) {
      const byAddress = ip !== null && tables.length > 0 ? matchAddress(ip) : null;
      if (byAddress !== null) return byAddress;
      const byUserAgent = userAgent !== null && userAgents.length > 0 ? matchUserAgent(userAgent) : null;
      if (byUserAgent !== null) return byUserAgent;
      return account !== null && accounts.has(account) ? `account ${account}` : null;
    },
    inWindow: (time) => time >= from && time <= until,
  };
}
