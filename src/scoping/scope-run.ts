import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { bulkInsertObjects } from '../db/bulk-insert.ts';
import { insertNumbered } from '../db/insert-numbered.ts';
import type { Dialect } from '../db/connect.ts';
import type { Tables } from '../db/schema.ts';
import { appendAudit } from '../incidents/audit.ts';
import { getIncident } from '../incidents/incidents.ts';
import { reasonOf, usageError } from '../lib/errors.ts';
import { AttackerRequests, dropScratchTables, storeExposures, type RunTotals } from './exposures.ts';
import { purgedReached, type PurgedReach } from './purge.ts';
import { bindableColumns, checkRuleColumns } from './records-index.ts';
import { scanLogs, type FileStats, type LogFormat } from './scan.ts';
import { parseScopeFile, type ScopeFile } from './scope-file.ts';

export interface ScopeOptions {
  rulesPath: string;
  logs: string[];
  logFormat?: LogFormat;
  onProgress?: (bytes: number, total: number) => void;
}

export interface ScopeRunSummary extends RunTotals {
  run: number;
  files: FileStats[];
  /** Requests that reached records a purge deleted: those people are missing from the run (purgedWarning says so). */
  purged: PurgedReach;
}

/** Reads and checks a rules file: a usage error that names the file when it cannot be read. */
export async function loadScopeFile(path: string): Promise<{ path: string; text: string; scope: ScopeFile }> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw usageError('RULES_UNREADABLE', `cannot read the rules file ${absolute} (${reasonOf(error)}); check the path given to --rules`);
  }
  return { path: absolute, text, scope: parseScopeFile(text, absolute) };
}

/**
 * One scope run: the attacker's requests found in the logs, resolved to records and subjects,
 * stored as a new numbered run with its evidence, exposures and an audit entry.
 */
export async function runScope(ctx: Context, incidentId: string, options: ScopeOptions): Promise<ScopeRunSummary> {
  const incident = await getIncident(ctx, incidentId);
  const rules = await loadScopeFile(options.rulesPath);
  const columns = await bindableColumns(ctx.db, incident.id);
  checkRuleColumns(columns, rules.scope.rules.flatMap((rule) => rule.columns.map((column): [string, string] => [rule.name, column])), options.rulesPath);
  const logFormat = options.logFormat ?? 'combined';
  const logs = await logFiles(ctx, incident.id, options.logs);
  const rulesSha256 = createHash('sha256').update(rules.text).digest('hex');

  // One transaction from the first hit to the last row: the attacker's requests go to a scratch
  // table as the scan finds them. The scan touches TEMP tables only, so it holds no lock on the
  // main database and reads none of it: other commands write meanwhile (see insertNumbered).
  return ctx.db.transaction().execute(async (trx) => {
    const paths = logs.map((log) => log.path);
    const requests = await AttackerRequests.open(trx, ctx.dialect, paths, new Map(rules.scope.rules.map((rule) => [rule.name, rule.exposes])));
    const scan = await scanLogs(paths, rules.scope, {
      format: logFormat,
      mode: 'attacker',
      onProgress: options.onProgress,
      digests: knownDigests(logs),
      onHits: (hits) => requests.add(hits),
      ready: () => requests.caughtUp(),
    });
    await requests.finished();

    // The first this transaction does to the main database (see insertNumbered); the counts are filled in at the end.
    const run = await insertNumbered(trx, 'scope_runs', 'run', {
      incident_id: incident.id,
      at: ctx.now().toISOString(),
      rules_path: rules.path,
      rules_sha256: rulesSha256,
      rules: rules.text,
      log_format: logFormat,
      attacker_requests: 0,
      affected: 0,
      exposed_records: 0,
      unknown_values: 0,
      purged_requests: 0,
    });
    const totals = { attackerRequests: requests.requests, ...(await storeExposures(trx, ctx.dialect, incident.id, run, columns)) };
    const purged = await purgedReached(trx, incident.id, run, columns, ctx.dataDir);
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
        logs: scan.files.map((file) => ({ path: file.file, sha256: file.sha256, bytes: file.bytes, lines: file.lines })),
        attacker_requests: totals.attackerRequests,
        affected: totals.affected,
        exposed_records: totals.exposedRecords,
        purged_requests: purged.requests,
      },
    });
    return { ...totals, run, files: scan.files, purged };
  });
}

export interface LogFile {
  path: string;
  bytes: number;
  modifiedAt: string;
  /** The SHA-256 an earlier run took of this very file: same path, size and modification time. */
  knownSha256: string | null;
}

/**
 * The logs to scan, each with the digest an earlier run of this incident took when the file
 * has not changed since (same size and modification time, as rsync and make trust): hashing
 * a big log costs more than scanning it, and cannot be shared between cores.
 */
export async function logFiles(ctx: Pick<Context, 'db'>, incidentId: string, paths: string[]): Promise<LogFile[]> {
  const logs: LogFile[] = [];
  for (const path of paths.map((log) => resolve(log))) {
    let stats;
    try {
      stats = await stat(path);
    } catch (error) {
      throw usageError('LOG_UNREADABLE', `cannot read the log ${path} (${reasonOf(error)}); check the path`);
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
    logs.push({ path, bytes: stats.size, modifiedAt, knownSha256: known?.sha256 ?? null });
  }
  return logs;
}

export function knownDigests(logs: LogFile[]): Map<string, string> {
  return new Map(logs.flatMap((log) => (log.knownSha256 ? [[log.path, log.knownSha256] as const] : [])));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function storeEvidence(trx: Transaction<Tables>, dialect: Dialect, incidentId: string, run: number, files: FileStats[], logs: LogFile[]): Promise<void> {
  const modified = new Map(logs.map((log) => [log.path, log.modifiedAt]));
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
      error: file.error,
    })),
  );
}
