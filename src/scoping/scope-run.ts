import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { bulkInsertObjects } from '../db/bulk-insert.ts';
import type { Dialect } from '../db/connect.ts';
import type { Tables } from '../db/schema.ts';
import { appendAudit } from '../incidents/audit.ts';
import { getIncident } from '../incidents/incidents.ts';
import { reasonOf, usageError } from '../lib/errors.ts';
import type { Category } from '../records/categories.ts';
import { computeExposures, type ExposureResult } from './exposures.ts';
import { bindableColumns, checkRuleColumns, keysForValues, recordsOfSubjects } from './records-index.ts';
import { scanLogs, type FileStats, type LogFormat } from './scan.ts';
import { parseScopeFile, type ScopeFile } from './scope-file.ts';

export interface ScopeOptions {
  rulesPath: string;
  logs: string[];
  logFormat?: LogFormat;
  onProgress?: (bytes: number, total: number) => void;
}

export interface ScopeRunSummary {
  run: number;
  attackerRequests: number;
  affected: number;
  exposedRecords: number;
  unknownValues: number;
  /** Affected subjects per exposed category, in the fixed category order. */
  categories: { category: Category; subjects: number }[];
  files: FileStats[];
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
  const scan = await scanLogs(
    logs.map((log) => log.path),
    rules.scope,
    { format: logFormat, mode: 'attacker', onProgress: options.onProgress, digests: knownDigests(logs) },
  );

  const wanted = new Map<string, Set<string>>();
  for (const hit of scan.hits) {
    const values = wanted.get(hit.column);
    if (values) values.add(hit.value);
    else wanted.set(hit.column, new Set([hit.value]));
  }
  const keysByValue = await keysForValues(ctx.db, incident.id, columns, wanted);
  const { records, recordsBySubject } = await recordsOfSubjects(ctx.db, incident.id, [...keysByValue.values()].flat());
  const result = computeExposures({
    requests: scan.hits,
    rules: new Map(rules.scope.rules.map((rule) => [rule.name, rule.exposes])),
    keysByValue,
    records,
    recordsBySubject,
  });

  const summary = summarize(result, scan.hits.length, scan.files);
  return ctx.db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('scope_runs').select((eb) => eb.fn.max('run').as('run')).where('incident_id', '=', incident.id).executeTakeFirst();
    const run = Number(last?.run ?? 0) + 1;
    const at = ctx.now().toISOString();
    await trx
      .insertInto('scope_runs')
      .values({
        incident_id: incident.id,
        run,
        at,
        rules_path: rules.path,
        rules_sha256: createHash('sha256').update(rules.text).digest('hex'),
        rules: rules.text,
        log_format: logFormat,
        attacker_requests: summary.attackerRequests,
        affected: summary.affected,
        exposed_records: summary.exposedRecords,
        unknown_values: summary.unknownValues,
      })
      .execute();
    await storeRun(trx, ctx.dialect, incident.id, run, result, scan.files, logs);
    await appendAudit(trx, ctx, incident.id, {
      action: 'scope.run',
      details: {
        run,
        rules: { path: rules.path, sha256: createHash('sha256').update(rules.text).digest('hex') },
        logs: scan.files.map((file) => ({ path: file.file, sha256: file.sha256, bytes: file.bytes, lines: file.lines })),
        attacker_requests: summary.attackerRequests,
        affected: summary.affected,
        exposed_records: summary.exposedRecords,
      },
    });
    return { ...summary, run };
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

function summarize(result: ExposureResult, attackerRequests: number, files: FileStats[]): Omit<ScopeRunSummary, 'run'> {
  const perCategory = new Map<Category, number>();
  let exposedRecords = 0;
  for (const subject of result.subjects) {
    exposedRecords += subject.records.length;
    for (const { category } of subject.exposed) perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
  }
  return {
    attackerRequests,
    affected: result.subjects.length,
    exposedRecords,
    unknownValues: result.unknownValues,
    categories: [...perCategory].map(([category, subjects]) => ({ category, subjects })),
    files,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function storeRun(trx: Transaction<Tables>, dialect: Dialect, incidentId: string, run: number, result: ExposureResult, files: FileStats[], logs: LogFile[]): Promise<void> {
  const base = { incident_id: incidentId, run };
  const modified = new Map(logs.map((log) => [log.path, log.modifiedAt]));
  await bulkInsertObjects(
    trx,
    dialect,
    'evidence',
    files.map((file) => ({
      ...base,
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
  await bulkInsertObjects(
    trx,
    dialect,
    'affected',
    result.subjects.map((subject) => ({
      ...base,
      subject: subject.subject,
      first_access: iso(subject.firstAccess)!,
      last_access: iso(subject.lastAccess)!,
      requests: subject.requests,
      records: JSON.stringify(subject.records),
    })),
  );
  await bulkInsertObjects(
    trx,
    dialect,
    'exposures',
    result.subjects.flatMap((subject) => [
      ...subject.exposed.map((exposure) => ({
        ...base,
        subject: subject.subject,
        category: exposure.category,
        exposed: 1,
        first_access: iso(exposure.firstAccess),
        last_access: iso(exposure.lastAccess),
        requests: exposure.requests,
      })),
      ...subject.notExposed.map((category) => ({ ...base, subject: subject.subject, category, exposed: 0, first_access: null, last_access: null, requests: 0 })),
    ]),
  );
  await bulkInsertObjects(
    trx,
    dialect,
    'exposure_evidence',
    result.evidence.map(({ subject, recordKey, request }) => ({
      ...base,
      subject,
      record_key: recordKey,
      rule: request.rule,
      path: request.file,
      line: request.line,
      at: iso(request.time)!,
      request: `${request.method} ${request.target}`,
      status: request.status,
      exposes: request.exposes ? 1 : 0,
      ip: request.ip,
      indicator: request.indicator ?? '',
    })),
  );
}
