/**
 * Scans one piece of a log — a whole file, or a byte range of a plain one — on the thread it
 * runs on: the loop every worker runs. Hits leave in batches with line numbers counted from
 * the piece's start; the caller offsets them by the lines of the pieces before.
 */
import { type AccessLineFailure, type AccessLineParser, type AccessRecord, fieldsBehind, jsonMappingOf, type LineBatch, lineParser, type LogReading, readLines } from '../evidence/index.ts';
import { reasonOf } from '../lib/errors.ts';
import { clientAddressResolver, type ClientAddressRule } from './client-address.ts';
import { HitBatchWriter, type HitBatch } from './hit-batch.ts';
import type { FileStats, ScanMode } from './hits.ts';
import { compileIndicators, type IndicatorMatcher } from './indicators.ts';
import { CANDIDATE, combinedLineFilter, MALFORMED, SKIP, type LineFilter } from './line-filter.ts';
import { compileRules, type RequestMatcher } from './request-match.ts';
import type { Rule, ScopeFile } from './scope-file.ts';
import { terminalExcerpt } from './unparsed.ts';

/** What every worker needs to scan, sent once: plain data. */
export type ScanSetup = {
  scope: ScopeFile;
  reading: LogReading;
  clientAddress: ClientAddressRule;
  mode: ScanMode;
};

/** Lines whose first byte lies in `[start, end)` of the file; gzip files are always read whole. */
export type Piece = { id: number; path: string; start: number; end: number };

export type PieceStats = Omit<FileStats, 'file' | 'sha256' | 'bytes'>;

export type PieceSink = {
  hits(batch: HitBatch): void;
  /** Bytes of the piece as stored read so far. */
  progress(bytes: number): void;
};

type Scanner = {
  /** A parser for the lines of one piece (a W3C parser learns its columns from the file). */
  newParser: () => AccessLineParser;
  /** Says why a line did not parse, naming the JSON fields looked for. */
  describe: (reason: AccessLineFailure) => string;
  /** Null when every line is parsed. */
  filter: LineFilter | null;
  requests: RequestMatcher;
  indicators: IndicatorMatcher | null;
  /** The client's address from a record's peer and X-Forwarded-For; null to take the peer. */
  resolveClient: ((peer: string | null, forwardedFor: string | null) => string | null) | null;
  attackerOnly: boolean;
};

/** Hits sent at once: few messages, and bounded memory in the worker whatever the piece holds. */
const HITS_PER_BATCH = 2048;
/** How often a task reports progress. */
export const PROGRESS_EVERY_BYTES = 16 << 20;
/** Read size: between 128 KiB and 1 MiB measured alike, 4 MiB about 10% slower. */
const CHUNK_BYTES = 512 << 10;
const MAX_LINE_BYTES = 1 << 20;

export function createScanner({ scope, reading, clientAddress, mode }: ScanSetup): Scanner {
  const attackerOnly = mode === 'attacker';
  const mapping = jsonMappingOf(reading);
  const combined = reading.format === 'combined' || reading.format === 'common';
  return {
    newParser: () => lineParser(reading),
    describe: (reason) => {
      const fields = mapping === null ? [] : fieldsBehind(reason, mapping);
      return fields.length === 0 ? reason : `${reason}: looked for ${fields.map((field) => `"${field}"`).join(', ')}`;
    },
    filter: attackerOnly && combined ? combinedLineFilter(scope.rules) : null,
    requests: compileRules(scope.rules),
    indicators: scope.indicators === null ? null : compileIndicators(scope.indicators),
    resolveClient: clientAddressResolver(clientAddress),
    attackerOnly,
  };
}

function statusExposes(rule: Rule, status: number | null): boolean {
  if (status === null) return false;
  return rule.status === null ? status >= 200 && status < 300 : rule.status.includes(status);
}

function collectHits(record: AccessRecord, line: number, scanner: Scanner, into: HitBatchWriter, sink: PieceSink): void {
  const bindings = scanner.requests(record.method, record.target);
  if (bindings.length === 0) return;
  const { indicators, resolveClient } = scanner;
  const ip = resolveClient === null ? record.ip : resolveClient(record.ip, record.forwardedFor);
  const indicator = indicators !== null && indicators.inWindow(record.time) ? indicators.match(ip, record.userAgent, record.user) : null;
  if (indicator === null && scanner.attackerOnly) return;
  const { time, status, method, target, userAgent, user } = record;
  const peer = ip === record.ip ? null : record.ip;
  for (const { rule, column, value } of bindings) {
    into.add(line, time, status, statusExposes(rule, status), method, target, rule.name, column, value, ip, userAgent, user, indicator, peer);
    if (into.full) sink.hits(into.take());
  }
}

/** What one piece's scan keeps track of, besides its stats. */
type PieceScan = { scanner: Scanner; parse: AccessLineParser; stats: PieceStats; hits: HitBatchWriter; sink: PieceSink };

/** Widens the piece's time span to take in `[earliest, latest]`. */
function widenSpan(stats: PieceStats, earliest: number, latest: number): void {
  if (stats.firstTime === null || earliest < stats.firstTime) stats.firstTime = earliest;
  if (stats.lastTime === null || latest > stats.lastTime) stats.lastTime = latest;
}

function noteUnparsed({ stats }: PieceScan, line: number, reason: string, excerpt: string): void {
  stats.unparseable++;
  stats.firstUnparsed ??= { line, reason, excerpt };
}

/** Parses the line and collects its hits. */
function scanLine(buf: Buffer, start: number, end: number, line: number, scan: PieceScan): void {
  const result = scan.parse(buf, start, end);
  if (result.ok) {
    scan.stats.parsed++;
    widenSpan(scan.stats, result.record.time, result.record.time);
    collectHits(result.record, line, scan.scanner, scan.hits, scan.sink);
  } else if (result.reason === 'truncated') {
    scan.stats.truncated++;
  } else if (result.reason !== 'directive') {
    noteUnparsed(scan, line, scan.scanner.describe(result.reason), terminalExcerpt(buf, start, end));
  }
}

function scanBatch(batch: LineBatch, scan: PieceScan): void {
  const { buf, starts, ends, count, firstLine } = batch;
  const { filter } = scan.scanner;
  if (filter === null) {
    for (let k = 0; k < count; k++) scanLine(buf, starts[k], ends[k], firstLine + k, scan);
    return;
  }
  // The span of the skipped lines in locals, merged once per batch: most lines are skipped.
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  for (let k = 0; k < count; k++) {
    const verdict = filter.classify(buf, starts[k], ends[k]);
    if (verdict === SKIP) {
      // Not parsed, but its time counts for the file's span, and a bad one makes it unparseable.
      const time = filter.time(buf);
      if (time === time) {
        skipped++;
        if (time < earliest) earliest = time;
        if (time > latest) latest = time;
      } else noteUnparsed(scan, firstLine + k, 'bad timestamp', terminalExcerpt(buf, starts[k], ends[k]));
    } else if (verdict === CANDIDATE) scanLine(buf, starts[k], ends[k], firstLine + k, scan);
    else if (verdict === MALFORMED) noteUnparsed(scan, firstLine + k, 'not a combined or common line', terminalExcerpt(buf, starts[k], ends[k]));
    else scan.stats.truncated++;
  }
  scan.stats.parsed += skipped;
  if (skipped > 0) widenSpan(scan.stats, earliest, latest);
}

export async function scanPiece(piece: Piece, scanner: Scanner, sink: PieceSink): Promise<PieceStats> {
  const stats: PieceStats = { lines: 0, parsed: 0, unparseable: 0, truncated: 0, tooLong: 0, firstTime: null, lastTime: null, firstUnparsed: null, error: null };
  const hits = new HitBatchWriter(HITS_PER_BATCH);
  const scan: PieceScan = { scanner, parse: scanner.newParser(), stats, hits, sink };
  let reported = piece.start;
  try {
    for await (const event of readLines(piece.path, { start: piece.start, end: piece.end, chunkBytes: CHUNK_BYTES, maxLineBytes: MAX_LINE_BYTES, blocking: true })) {
      if (event.type === 'lines') {
        scanBatch(event, scan);
        if (event.readTo - reported >= PROGRESS_EVERY_BYTES) {
          reported = event.readTo;
          sink.progress(Math.min(event.readTo, piece.end) - piece.start);
        }
      } else if (event.type === 'too-long') {
        stats.tooLong++;
        stats.firstUnparsed ??= { line: event.line, reason: `longer than ${MAX_LINE_BYTES >> 20} MiB, skipped`, excerpt: '' };
      } else {
        stats.lines = event.lines;
        stats.error = event.error;
      }
    }
  } catch (error) {
    stats.error = `cannot read: ${reasonOf(error)}`;
  }
  if (hits.count > 0) sink.hits(hits.take());
  return stats;
}
