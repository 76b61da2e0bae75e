import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { bulkInsertObjects, type Dialect, insertNumbered, type Tables } from '../db/index.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { reasonOf, invalidInput } from '../lib/errors.ts';
import { AttackerRequests, dropScratchTables, storeExposures, type RunTotals } from './exposures.ts';
import { purgedReached, type PurgedReach } from './purge.ts';
import { quarantinedReached, type QuarantinedReach } from './quarantined-reach.ts';
import { bindableColumns, checkRuleColumns, indexMappedColumns } from './records-index.ts';
import type { ClientAddressRule } from './client-address.ts';
import { scanLogs, type FileStats, type LogReading, type ScanOptions } from './scan.ts';
import { parseScopeFile, type ScopeFile } from './scope-file.ts';
import { mostlyUnparsed, unparsedFailure } from './unparsed.ts';

/** Which logs to read, and how: what scope and detect runs share. */
export interface LogOptions {
  /** Paths; `-` is standard input (`stdin`), read once into a private file under the data directory. */
  logs: string[];
  /** `combined` when left out. */
  reading?: LogReading;
  clientAddress?: ClientAddressRule;
  /** Go on with a log of which no line, or most lines, did not parse (see unparsed.ts). */
  allowUnparsed?: boolean;
  /** Where `-` reads from: the process's standard input when left out. */
  stdin?: Readable;
  /** Aborting it stops the scan; the run is rolled back, as if it had not started. */
  signal?: AbortSignal;
}

/** The scope file: read from `rulesPath`, or given as `rulesText` (a job's upload), which `rulesPath` then only names. */
export interface RulesSource {
  rulesPath: string;
  rulesText?: string;
}

export interface ScopeOptions extends LogOptions, RulesSource {
  onProgress?: (bytes: number, total: number) => void;
}

export interface ScopeRunSummary extends RunTotals {
  run: number;
  files: FileStats[];
  /** Requests that reached records a purge deleted: those people are missing from the run (purgedWarning says so). */
  purged: PurgedReach;
  /** Quarantined rows the attacker read: people missing from the affected list (quarantinedWarning says so). */
  quarantined: QuarantinedReach;
}

/** Reads and checks a rules file: a usage error that names the file when it cannot be read. */
export async function loadScopeFile(path: string): Promise<{ path: string; text: string; scope: ScopeFile }> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw invalidInput('RULES_UNREADABLE', `cannot read the rules file ${absolute} (${reasonOf(error)}); check the path given to --rules`);
  }
  return { path: absolute, text, scope: parseScopeFile(text, absolute) };
}

/** The scope file a run uses, from its file or as given. */
export async function scopeRules(source: RulesSource): Promise<{ path: string; text: string; scope: ScopeFile }> {
  if (source.rulesText === undefined) return loadScopeFile(source.rulesPath);
  return { path: source.rulesPath, text: source.rulesText, scope: parseScopeFile(source.rulesText, source.rulesPath) };
}

/**
 * One scope run: the attacker's requests found in the logs, resolved to records and subjects,
 * stored as a new numbered run with its evidence, exposures and an audit entry.
 */
export async function runScope(ctx: Context, incidentId: string, options: ScopeOptions): Promise<ScopeRunSummary> {
  const incident = await getIncident(ctx, incidentId);
  const rules = await scopeRules(options);
  await indexMappedColumns(ctx.db, ctx.dialect, incident.id, rules.scope.rules.flatMap((rule) => rule.columns));
  const columns = await bindableColumns(ctx.db, incident.id);
  checkRuleColumns(columns, rules.scope.rules.flatMap((rule) => rule.columns.map((column): [string, string] => [rule.name, column])), options.rulesPath);
  const reading = readingOf(options);
  const rulesSha256 = createHash('sha256').update(rules.text).digest('hex');

  return withLogFiles(ctx, incident.id, options, (logs) =>
    // One transaction from the first hit to the last row: the attacker's requests go to a scratch
    // table as the scan finds them. The scan touches TEMP tables only, so it holds no lock on the
    // main database and reads none of it: other commands write meanwhile (see insertNumbered).
    ctx.db.transaction().execute(async (trx) => {
      const names = logs.map((log) => log.name);
      const requests = await AttackerRequests.open(trx, ctx.dialect, names, new Map(rules.scope.rules.map((rule) => [rule.name, rule.exposes])));
      const scan = await scanLogs(
        logs.map((log) => log.path),
        rules.scope,
        {
          ...scanOptions(logs, options),
          mode: 'attacker',
          onProgress: options.onProgress,
          onHits: (hits) => requests.add(hits),
          ready: () => requests.caughtUp(),
        },
      );
      await requests.finished();
      // Throwing rolls the run back: a log read in the wrong format never becomes the latest run.
      checkParsed(scan.files, options);

      // The first this transaction does to the main database (see insertNumbered); the counts are filled in at the end.
      const run = await insertNumbered(trx, 'scope_runs', 'run', {
        incident_id: incident.id,
        at: ctx.now().toISOString(),
        rules_path: rules.path,
        rules_sha256: rulesSha256,
        rules: rules.text,
        log_format: reading.format,
        attacker_requests: 0,
        affected: 0,
        exposed_records: 0,
        unknown_values: 0,
        purged_requests: 0,
        quarantined_rows: 0,
      });
      const totals = { attackerRequests: requests.requests, ...(await storeExposures(trx, ctx.dialect, incident.id, run, columns)) };
      const purged = await purgedReached(trx, incident.id, run, columns, ctx);
      const quarantined = await quarantinedReached(trx, incident.id, run, ctx);
      await dropScratchTables(trx);
      await trx
        .updateTable('scope_runs')
        .set({
          attacker_requests: totals.attackerRequests,
          affected: totals.affected,
          exposed_records: totals.exposedRecords,
          unknown_values: totals.unknownValues,
          purged_requests: purged.requests,
          purged_at: purged.requests > 0 ? JSON.stringify(purged.purgedAt) : null,
          quarantined_rows: quarantined.rows,
        })
        .where('incident_id', '=', incident.id)
        .where('run', '=', run)
        .execute();
      await storeEvidence(trx, ctx.dialect, incident.id, run, scan.files, logs);
      await appendAudit(trx, ctx, incident.id, {
        action: 'scope.run',
        details: {
          run,
          rules: { path: rules.path, sha256: rulesSha256 },
          log_format: reading.format,
          ...(reading.fields ? { log_fields: reading.fields } : {}),
          ...(options.clientAddress?.from === 'x-forwarded-for' ? { client_ip_from: 'x-forwarded-for', trusted_proxies: options.clientAddress.trustedProxies } : {}),
          ...(options.allowUnparsed ? { allow_unparsed: true } : {}),
          logs: scan.files.map((file) => ({ path: file.file, sha256: file.sha256, bytes: file.bytes, lines: file.lines, unparseable: file.unparseable })),
          attacker_requests: totals.attackerRequests,
          affected: totals.affected,
          exposed_records: totals.exposedRecords,
          purged_requests: purged.requests,
          quarantined_rows: quarantined.rows,
        },
      });
      return { ...totals, run, files: scan.files, purged, quarantined };
    }),
  );
}

const readingOf = (options: LogOptions): LogReading => options.reading ?? { format: 'combined' };

/** Fails when a log looks read in the wrong format, unless the options accept it. */
export function checkParsed(files: readonly FileStats[], options: LogOptions): void {
  const failure = unparsedFailure(files, readingOf(options).format, '--allow-unparsed');
  if (failure !== null && !options.allowUnparsed) throw failure;
}

/** What a scan of these logs takes from the options, whatever it looks for. */
export function scanOptions(logs: readonly LogFile[], options: LogOptions): Pick<ScanOptions, 'reading' | 'clientAddress' | 'digests' | 'names' | 'signal'> {
  return {
    reading: readingOf(options),
    clientAddress: options.clientAddress,
    signal: options.signal,
    digests: new Map(logs.flatMap((log) => (log.knownSha256 ? [[log.path, log.knownSha256] as const] : []))),
    names: new Map(logs.map((log) => [log.path, log.name])),
  };
}

export interface LogFile {
  /** Where it is read from. */
  path: string;
  /** What the evidence calls it: its absolute path, or `(stdin)`. */
  name: string;
  bytes: number;
  modifiedAt: string;
  /** The SHA-256 an earlier run took of this very file: same path, size and modification time. */
  knownSha256: string | null;
}

/** What the evidence calls standard input. */
export const STDIN_NAME = '(stdin)';

/**
 * Runs `work` on the logs to scan, each with the digest an earlier run of this incident took
 * when the file has not changed since (same size and modification time, as rsync and make
 * trust): hashing a big log costs more than scanning it, and cannot be shared between cores.
 * Standard input (`-`) is first written to a file only its owner can read, in the data
 * directory, and removed afterwards: it is scanned in parallel and hashed like any log.
 */
export async function withLogFiles<T>(ctx: Pick<Context, 'db' | 'dataDir' | 'now'>, incidentId: string, options: LogOptions, work: (logs: LogFile[]) => Promise<T>): Promise<T> {
  if (options.logs.filter((log) => log === '-').length > 1) throw invalidInput('LOG_TWICE', "standard input ('-') can be read once; give it once");
  let spool: string | null = null;
  try {
    const logs: LogFile[] = [];
    for (const given of options.logs) {
      if (given === '-') {
        spool = await spoolStandardInput(options.stdin ?? process.stdin, ctx.dataDir);
        const { size } = await stat(spool);
        logs.push({ path: spool, name: STDIN_NAME, bytes: size, modifiedAt: ctx.now().toISOString(), knownSha256: null });
      } else {
        logs.push(await logFile(ctx, incidentId, resolve(given)));
      }
    }
    return await work(logs);
  } finally {
    if (spool !== null) await rm(spool, { force: true });
  }
}

async function spoolStandardInput(stdin: Readable, dataDir: string): Promise<string> {
  const dir = join(dataDir, 'tmp');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `stdin-${randomBytes(6).toString('hex')}.log`);
  try {
    await pipeline(stdin, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await rm(path, { force: true });
    throw invalidInput('LOG_UNREADABLE', `cannot read the log from standard input into ${dir} (${reasonOf(error)})`);
  }
  return path;
}

async function logFile(ctx: Pick<Context, 'db'>, incidentId: string, path: string): Promise<LogFile> {
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw invalidInput('LOG_UNREADABLE', `cannot read the log ${path} (${reasonOf(error)}); check the path`);
  }
  const modifiedAt = stats.mtime.toISOString();
  const known = await ctx.db
    .selectFrom('evidence')
    .select('sha256')
    .where('incident_id', '=', incidentId)
    .where('path', '=', path)
    .where('bytes', '=', stats.size)
    .where('modified_at', '=', modifiedAt)
    .executeTakeFirst();
  return { path, name: path, bytes: stats.size, modifiedAt, knownSha256: known?.sha256 ?? null };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function storeEvidence(trx: Transaction<Tables>, dialect: Dialect, incidentId: string, run: number, files: FileStats[], logs: LogFile[]): Promise<void> {
  const modified = new Map(logs.map((log) => [log.name, log.modifiedAt]));
  await bulkInsertObjects(
    trx,
    dialect,
    'evidence',
    files.map((file) => ({
      incident_id: incidentId,
      run,
      path: file.file,
      sha256: file.sha256,
      bytes: file.bytes,
      modified_at: modified.get(file.file)!,
      lines: file.lines,
      unparseable: file.unparseable,
      truncated: file.truncated,
      too_long: file.tooLong,
      first_time: iso(file.firstTime),
      last_time: iso(file.lastTime),
      // Only --allow-unparsed lets such a file through: the evidence says so.
      error: file.error ?? (mostlyUnparsed(file) ? `${file.parsed} of ${file.lines} lines parsed; kept with --allow-unparsed` : null),
    })),
  );
}
