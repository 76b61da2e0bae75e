/** What scanning access logs finds: requests that named records through a rule, and an account of each file read. */
import type { UnparsedLine } from './unparsed.ts';

export type { LogFormat } from '../evidence/index.ts';

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
  /** The client's address: the peer's, or the one resolved from X-Forwarded-For behind trusted proxies. */
  ip: string | null;
  /** The connecting peer's address as logged, when the client's was resolved to another. */
  peer: string | null;
  userAgent: string | null;
  /** The authenticated user, as logged. */
  account: string | null;
  /** The indicator that matched (`ip 203.0.113.0/24`), null for a request that is not the attacker's. */
  indicator: string | null;
  /** Whether the status is one that reveals the record under the rule. */
  exposes: boolean;
};

/**
 * An account of one file. Every line is parsed, except in mode `attacker` on combined and
 * common logs: there a line is parsed only when it could match a rule, and the others are
 * checked up to their request and their timestamp read; what those checks see is counted.
 */
export type FileStats = {
  file: string;
  /** Of the file as stored (compressed, for gzip). */
  sha256: string;
  /** Size as stored. */
  bytes: number;
  lines: number;
  /** Lines that are requests in the log's format (as far as they were checked, see above). */
  parsed: number;
  /** Lines that are not requests in the log's format. */
  unparseable: number;
  /** Lines that end before their status: they show nothing was exposed. */
  truncated: number;
  /** Lines longer than the reader's limit, skipped. */
  tooLong: number;
  /** Epoch milliseconds of the earliest and latest requests of the file, wherever they are in it; null when none parsed. */
  firstTime: number | null;
  lastTime: number | null;
  /** The first line that is not a request (or is too long), as numbered in the file; null when none. */
  firstUnparsed: UnparsedLine | null;
  /** Why reading stopped early (a truncated gzip stream, a read error), else null. */
  error: string | null;
};
