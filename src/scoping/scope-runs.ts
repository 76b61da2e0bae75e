import type { Context } from '../context.ts';
import { getIncident } from '../incidents/index.ts';

/** One scope run as listed: what it read and found, not its rules' text (the audit trail and the evidence keep that). */
export interface ScopeRunRecord {
  run: number;
  at: string;
  rulesPath: string;
  rulesSha256: string;
  logFormat: string;
  attackerRequests: number;
  affected: number;
  exposedRecords: number;
  unknownValues: number;
  /** Requests that reached records a purge had deleted, and when those purges were made. */
  purgedRequests: number;
  purgedAt: string[];
  /** Quarantined import rows the attacker read: people missing from the run's list. */
  quarantinedRows: number;
  /** The log files the run read. */
  logs: number;
}

/** The incident's scope runs, newest first. */
export async function listScopeRuns(ctx: Pick<Context, 'db'>, incidentId: string): Promise<ScopeRunRecord[]> {
  const incident = await getIncident(ctx, incidentId);
  const rows = await ctx.db
    .selectFrom('scope_runs')
    .select([
      'run',
      'at',
      'rules_path',
      'rules_sha256',
      'log_format',
      'attacker_requests',
      'affected',
      'exposed_records',
      'unknown_values',
      'purged_requests',
      'purged_at',
      'quarantined_rows',
      (eb) => eb.selectFrom('evidence').select((inner) => inner.fn.countAll<number>().as('count')).whereRef('evidence.incident_id', '=', 'scope_runs.incident_id').whereRef('evidence.run', '=', 'scope_runs.run').as('logs'),
    ])
    .where('incident_id', '=', incident.id)
    .orderBy('run', 'desc')
    .execute();
  return rows.map((row) => ({
    run: Number(row.run),
    at: row.at,
    rulesPath: row.rules_path,
    rulesSha256: row.rules_sha256,
    logFormat: row.log_format,
    attackerRequests: Number(row.attacker_requests),
    affected: Number(row.affected),
    exposedRecords: Number(row.exposed_records),
    unknownValues: Number(row.unknown_values),
    purgedRequests: Number(row.purged_requests),
    purgedAt: row.purged_at === null ? [] : (JSON.parse(row.purged_at) as string[]),
    quarantinedRows: Number(row.quarantined_rows),
    logs: Number(row.logs ?? 0),
  }));
}
