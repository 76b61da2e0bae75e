/**
 * Detection: before the attacker is known, rank the clients (address × user agent × account)
 * whose requests through the rules look like enumeration — many distinct records read, keys
 * that run in sequence, many misses — and turn the clients that stand out from ordinary
 * customers into an indicators block the responder can review and paste into the scope file.
 */
import type { Hit } from './hits.ts';

export type Client = { ip: string | null; userAgent: string | null; account: string | null };

export type Suspect = Client & {
  /** Requests that matched a rule (a request binding two values counts once). */
  requests: number;
  /** Distinct records the client read: values of revealing requests that name a record. */
  records: number;
  /** Share of requests answered 2xx, and answered 404 (keys that name nothing: guessing). */
  successRatio: number;
  missRatio: number;
  /**
   * How sequential the numeric keys the client asked for are: the share of gaps between its
   * distinct keys (sorted, per column) of at most SWEEP_GAP. 1 for a sweep through serial
   * numbers, near 0 for someone reading their own few orders; 0 below three keys.
   */
  sweep: number;
  /** Requests per minute between the first and the last (a burst counts as one minute). */
  perMinute: number;
  firstSeen: number;
  lastSeen: number;
  /** What the ranking sorts by: (records + misses / 2) × (1 + sweep). */
  score: number;
  /**
   * Why this client stands out from ordinary customers, one sentence a reason; empty when it
   * does not, and then it is never suggested as an indicator, however high it ranks.
   */
  reasons: string[];
  /**
   * Whether this user agent is offered as an indicator: most of the clients that used it stand
   * out (a script's, which the attacker also used from an address or two that read little,
   * still is), and it is not a browser's (`Mozilla/…`), which ordinary clients share whether
   * or not they appear in this log.
   */
  distinctiveUserAgent: boolean;
};

export interface Ranking {
  /** The `top` clients by score, whether they stand out or not: what a responder looks at. */
  suspects: Suspect[];
  /** Every client that stands out, by score: what the indicators block names. */
  standouts: Suspect[];
}

/** The largest step between keys that still counts as sequential: IMEIs of consecutive serials differ by about 10. */
const SWEEP_GAP = 100;
/**
 * What standing out takes. A customer reads their own few orders and mistypes a key now and
 * then; a client stands out when it read at least STANDOUT_RECORDS records and STANDOUT_FACTOR
 * times what the median client read, or asked for at least STANDOUT_KEYS keys that mostly run
 * in sequence, or asked for at least STANDOUT_MISSES keys that named nothing, most of its requests.
 */
const STANDOUT_RECORDS = 10;
const STANDOUT_FACTOR = 10;
const STANDOUT_KEYS = 10;
const STANDOUT_SWEEP = 0.5;
const STANDOUT_MISSES = 10;
/** Every browser's user agent starts so, for compatibility's sake. */
const BROWSER = /^Mozilla\//;
/** Digits of a key's trailing number that are kept: 15 fit a double exactly, and cover an IMEI. */
const KEY_DIGITS = 15;

type Tally = {
  client: Client;
  requests: number;
  ok: number;
  notFound: number;
  firstSeen: number;
  lastSeen: number;
  /** `file:line` of the last hit counted, so that two values of one request count as one request. */
  lastRequest: string;
  /** Values asked for, by column, and those of revealing requests. */
  asked: Map<string, Set<string>>;
  read: Map<string, Set<string>>;
};

/** The number a key ends with (`SO10000673` → 10000673), or NaN when it ends otherwise. */
function trailingNumber(value: string): number {
  let start = value.length;
  while (start > 0 && value.charCodeAt(start - 1) >= 48 && value.charCodeAt(start - 1) <= 57) start--;
  return start === value.length ? Number.NaN : Number(value.slice(Math.max(start, value.length - KEY_DIGITS)));
}

/** How sequential the numeric keys asked for are (see Suspect.sweep), and how many there were. */
function sweepOf(asked: ReadonlyMap<string, ReadonlySet<string>>): { sweep: number; keys: number } {
  let gaps = 0;
  let small = 0;
  let count = 0;
  for (const values of asked.values()) {
    const keys = [...new Set([...values].map(trailingNumber).filter((key) => !Number.isNaN(key)))].sort((a, b) => a - b);
    count += keys.length;
    for (let i = 1; i < keys.length; i++) {
      gaps++;
      if (keys[i] - keys[i - 1] <= SWEEP_GAP) small++;
    }
  }
  return { sweep: gaps < 2 ? 0 : small / gaps, keys: count };
}

function add(sets: Map<string, Set<string>>, column: string, value: string): void {
  const values = sets.get(column);
  if (values) values.add(value);
  else sets.set(column, new Set([value]));
}

const clientKey = (hit: Hit) => `${hit.ip ?? ''}\n${hit.userAgent ?? ''}\n${hit.account ?? ''}`;

/**
 * Hits tallied by client as they come — from a scan's `onHits`, so that detection over a big
 * log holds one entry per client and value asked for, not every hit.
 */
export class ClientTally {
  readonly #tallies = new Map<string, Tally>();
  readonly #clientsOfUserAgent = new Map<string, Set<string>>();

  add(hit: Hit): void {
    const key = clientKey(hit);
    let tally = this.#tallies.get(key);
    if (!tally) {
      tally = {
        client: { ip: hit.ip, userAgent: hit.userAgent, account: hit.account },
        requests: 0,
        ok: 0,
        notFound: 0,
        firstSeen: hit.time,
        lastSeen: hit.time,
        lastRequest: '',
        asked: new Map(),
        read: new Map(),
      };
      this.#tallies.set(key, tally);
    }
    const request = `${hit.file}:${hit.line}`;
    if (request !== tally.lastRequest) {
      tally.lastRequest = request;
      tally.requests++;
      if (hit.status !== null && hit.status >= 200 && hit.status < 300) tally.ok++;
      if (hit.status === 404) tally.notFound++;
    }
    tally.firstSeen = Math.min(tally.firstSeen, hit.time);
    tally.lastSeen = Math.max(tally.lastSeen, hit.time);
    add(tally.asked, hit.column, hit.value);
    if (hit.exposes) add(tally.read, hit.column, hit.value);
    if (hit.userAgent !== null) add(this.#clientsOfUserAgent, hit.userAgent, key);
  }

  /** Every value a revealing request bound, by column: the ones to look up among the records. */
  valuesRead(): Map<string, Set<string>> {
    const values = new Map<string, Set<string>>();
    for (const tally of this.#tallies.values()) for (const [column, read] of tally.read) for (const value of read) add(values, column, value);
    return values;
  }

  /**
   * The `top` clients by score, and every client that stands out from the rest. `recordExists`
   * tells whether a bound value names a record, so that a guessed key that named nothing is
   * not counted as read.
   */
  rank(recordExists: (column: string, value: string) => boolean, top: number): Ranking {
    const measured = [...this.#tallies].map(([key, tally]) => ({ key, ...measure(tally, recordExists) }));
    const medianRecords = median(measured.map(({ suspect }) => suspect.records));
    const standing = new Set<string>();
    for (const { key, suspect, keys } of measured) {
      suspect.reasons = reasonsToStandOut(suspect, keys, medianRecords);
      if (suspect.reasons.length > 0) standing.add(key);
    }
    for (const { suspect } of measured) {
      const users = suspect.userAgent === null || BROWSER.test(suspect.userAgent) ? [] : [...this.#clientsOfUserAgent.get(suspect.userAgent)!];
      suspect.distinctiveUserAgent = 2 * users.filter((key) => standing.has(key)).length > users.length;
    }
    measured.sort((a, b) => b.suspect.score - a.suspect.score || b.suspect.requests - a.suspect.requests || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return {
      suspects: measured.slice(0, top).map(({ suspect }) => suspect),
      standouts: measured.filter(({ key }) => standing.has(key)).map(({ suspect }) => suspect),
    };
  }
}

function measure(tally: Tally, recordExists: (column: string, value: string) => boolean): { suspect: Suspect; keys: number } {
  let records = 0;
  for (const [column, values] of tally.read) for (const value of values) if (recordExists(column, value)) records++;
  const { sweep, keys } = sweepOf(tally.asked);
  const suspect: Suspect = {
    ...tally.client,
    requests: tally.requests,
    records,
    successRatio: tally.ok / tally.requests,
    missRatio: tally.notFound / tally.requests,
    sweep,
    perMinute: tally.requests / Math.max(1, (tally.lastSeen - tally.firstSeen) / 60_000),
    firstSeen: tally.firstSeen,
    lastSeen: tally.lastSeen,
    score: (records + tally.notFound / 2) * (1 + sweep),
    reasons: [],
    distinctiveUserAgent: false,
  };
  return { suspect, keys };
}

function reasonsToStandOut(suspect: Suspect, keys: number, medianRecords: number): string[] {
  const reasons: string[] = [];
  if (suspect.records >= STANDOUT_RECORDS && suspect.records >= STANDOUT_FACTOR * Math.max(1, medianRecords)) {
    reasons.push(`read ${suspect.records} records; the median client read ${medianRecords}`);
  }
  if (keys >= STANDOUT_KEYS && suspect.sweep >= STANDOUT_SWEEP) {
    reasons.push(`asked for ${keys} keys, ${Math.round(suspect.sweep * 100)}% of them next to each other`);
  }
  const misses = Math.round(suspect.missRatio * suspect.requests);
  if (misses >= STANDOUT_MISSES && suspect.missRatio >= 0.5) {
    reasons.push(`${misses} requests (${Math.round(suspect.missRatio * 100)}%) asked for keys that name nothing (404)`);
  }
  return reasons;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The ranking of the hits of a scan in mode `all`; see ClientTally. */
export function rankClients(hits: Iterable<Hit>, recordExists: (column: string, value: string) => boolean, top: number): Ranking {
  const tally = new ClientTally();
  for (const hit of hits) tally.add(hit);
  return tally.rank(recordExists, top);
}

/** Whole seconds, as the scope file takes them: `2019-10-30T00:00:00Z`. */
export function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A comment line cannot be ended early by a value from the log. */
const oneLine = (text: string) => text.replace(/[\p{Cc}\u2028\u2029]/gu, '?');

const yamlList = (values: Iterable<string>) => `[${[...new Set(values)].map((value) => JSON.stringify(value)).join(', ')}]`;

/**
 * An `indicators:` block naming the addresses, accounts and distinctive user agents of clients
 * that stand out, over the span they were seen in, each client with its reasons as comments.
 * A user agent that ordinary clients share is left out: it would make every one of them the
 * attacker. Meant for review, not to be trusted blindly.
 */
export function indicatorsBlock(standouts: readonly Suspect[]): string {
  const present = (values: (string | null)[]) => values.filter((value) => value !== null);
  const from = Math.min(...standouts.map((suspect) => suspect.firstSeen));
  const until = Math.max(...standouts.map((suspect) => suspect.lastSeen));
  const client = (suspect: Suspect) => [suspect.ip, suspect.account && `account ${suspect.account}`].filter(Boolean).join(', ') || 'no address';
  return (
    `# Suggested from ${standouts.length} clients that stand out from ordinary customers; review before scoping with it.\n` +
    standouts.map((suspect) => `# ${oneLine(client(suspect))}: ${suspect.reasons.join('; ')}\n`).join('') +
    `indicators:\n` +
    `  ips: ${yamlList(present(standouts.map((suspect) => suspect.ip)))}\n` +
    `  user_agents: ${yamlList(present(standouts.map((suspect) => (suspect.distinctiveUserAgent ? suspect.userAgent : null))))}\n` +
    `  accounts: ${yamlList(present(standouts.map((suspect) => suspect.account)))}\n` +
    `  from: ${isoSecond(from)}\n` +
    `  until: ${isoSecond(until)}\n`
  );
}
