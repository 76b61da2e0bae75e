/**
 * Detection: before the attacker is known, rank the clients (address × user agent × account)
 * whose requests through the rules look like enumeration — many distinct records read, keys
 * that run in sequence, many misses — and turn the top suspects into an indicators block
 * the responder can review and paste into the scope file.
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
   * Whether at least half the clients that used this user agent are among the suspects ranked:
   * only then is it offered as an indicator. A browser's user agent, shared by many customers,
   * never is; a script's, used from a few more addresses than were ranked, still is.
   */
  distinctiveUserAgent: boolean;
};

/** The largest step between keys that still counts as sequential: IMEIs of consecutive serials differ by about 10. */
const SWEEP_GAP = 100;
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

function sweepOf(asked: ReadonlyMap<string, ReadonlySet<string>>): number {
  let gaps = 0;
  let small = 0;
  for (const values of asked.values()) {
    const keys = [...new Set([...values].map(trailingNumber).filter((key) => !Number.isNaN(key)))].sort((a, b) => a - b);
    for (let i = 1; i < keys.length; i++) {
      gaps++;
      if (keys[i] - keys[i - 1] <= SWEEP_GAP) small++;
    }
  }
  return gaps < 2 ? 0 : small / gaps;
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
   * The `top` clients by score. `recordExists` tells whether a bound value names a record, so
   * that a guessed key that named nothing is not counted as read.
   */
  rank(recordExists: (column: string, value: string) => boolean, top: number): Suspect[] {
    const ranked = [...this.#tallies].map(([key, tally]) => ({ key, suspect: suspectOf(tally, recordExists) }));
    ranked.sort((a, b) => b.suspect.score - a.suspect.score || b.suspect.requests - a.suspect.requests || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const chosen = ranked.slice(0, top);
    const chosenKeys = new Set(chosen.map(({ key }) => key));
    const distinctive = (userAgent: string) => {
      const clients = [...this.#clientsOfUserAgent.get(userAgent)!];
      return 2 * clients.filter((key) => chosenKeys.has(key)).length >= clients.length;
    };
    return chosen.map(({ suspect }) => ({ ...suspect, distinctiveUserAgent: suspect.userAgent !== null && distinctive(suspect.userAgent) }));
  }
}

function suspectOf(tally: Tally, recordExists: (column: string, value: string) => boolean): Suspect {
  let records = 0;
  for (const [column, values] of tally.read) for (const value of values) if (recordExists(column, value)) records++;
  const sweep = sweepOf(tally.asked);
  return {
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
    distinctiveUserAgent: false,
  };
}

/** The `top` clients by score among the hits of a scan in mode `all`; see ClientTally. */
export function rankClients(hits: Iterable<Hit>, recordExists: (column: string, value: string) => boolean, top: number): Suspect[] {
  const tally = new ClientTally();
  for (const hit of hits) tally.add(hit);
  return tally.rank(recordExists, top);
}

/** Whole seconds, as the scope file takes them: `2019-10-30T00:00:00Z`. */
function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const yamlList = (values: Iterable<string>) => `[${[...new Set(values)].map((value) => JSON.stringify(value)).join(', ')}]`;

/**
 * An `indicators:` block naming the suspects' addresses, accounts and distinctive user agents,
 * over the span they were seen in. A user agent many other clients share is left out: it
 * would make every one of them the attacker. Meant for review, not to be trusted blindly.
 */
export function indicatorsBlock(suspects: readonly Suspect[]): string {
  const present = (values: (string | null)[]) => values.filter((value) => value !== null);
  const from = Math.min(...suspects.map((suspect) => suspect.firstSeen));
  const until = Math.max(...suspects.map((suspect) => suspect.lastSeen));
  return (
    `# Suggested from ${suspects.length} suspected clients; review before scoping with it.\n` +
    `indicators:\n` +
    `  ips: ${yamlList(present(suspects.map((suspect) => suspect.ip)))}\n` +
    `  user_agents: ${yamlList(present(suspects.map((suspect) => (suspect.distinctiveUserAgent ? suspect.userAgent : null))))}\n` +
    `  accounts: ${yamlList(present(suspects.map((suspect) => suspect.account)))}\n` +
    `  from: ${isoSecond(from)}\n` +
    `  until: ${isoSecond(until)}\n`
  );
}
