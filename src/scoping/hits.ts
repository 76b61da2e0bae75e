/** What scanning access logs finds: requests that named records through a rule, and an account of each file read. */

export type LogFormat = 'combined' | 'common' | 'json';

/**
 * `attacker`: only the attacker's requests (an indicator matched, within the window), for
 * scoping. `all`: every request that matches a rule, for detection; every line is parsed.
 */
export type ScanMode = 'attacker' | 'all';

/** One request × one value it bound through a rule. A request binding two values gives two hits. */
export type Hit = {
  /** The path as given to the scanner. */
  file: string;
  /** 1-based, in the file as read (decompressed for gzip). */
  line: number;
  /** Epoch milliseconds. */
  time: number;
  method: string;
  /** As logged: percent-encoded. */
  target: string;
  /** Null when the server logged none (`-`). */
  status: number | null;
  rule: string;
  column: string;
  /** The bound value, percent-decoded. */
  value: string;
  ip: string | null;
  userAgent: string | null;
  /** The authenticated user, as logged. */
  account: string | null;
  /** The indicator that matched (`ip 203.0.113.0/24`), null for a request that is not the attacker's. */
  indicator: string | null;
  /** Whether the status is one that reveals the record under the rule. */
  exposes: boolean;
};

/**
 * An account of one file. In mode `all` every line is parsed, and the counts are exact. In
 * mode `attacker` lines are parsed only when they could match a rule; the others are checked
 * up to their request (combined and common logs) or not at all (JSON), and only what those
 * checks see is counted as unparseable or truncated.
 */
export type FileStats = {
  file: string;
  /** Of the file as stored (compressed, for gzip). */
  sha256: string;
  /** Size as stored. */
  bytes: number;
  lines: number;
  /** Lines that are not requests in the log's format. */
  unparseable: number;
  /** Lines that end before their status: they show nothing was exposed. */
  truncated: number;
  /** Lines longer than the reader's limit, skipped. */
  tooLong: number;
  /** Epoch milliseconds of the first and last lines that parse; null when none does. */
  firstTime: number | null;
  lastTime: number | null;
  /** Why reading stopped early (a truncated gzip stream, a read error), else null. */
  error: string | null;
};
