import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { AuditEntry, Tables } from '../db/schema.ts';
import { entryHash, findChainBreak, type ChainBreak } from './audit-chain.ts';
import { getIncident } from './incidents.ts';

export interface AuditEvent {
  action: string;
  /** Plain data about the event: changed fields with before/after, counts, file hashes. Never personal data. */
  details: Record<string, unknown>;
}

/**
 * Appends one entry to an incident's trail. Call it inside the transaction that makes the change,
 * so the change and its record land together. The incident row is locked while the chain grows,
 * so concurrent writers (PostgreSQL) take turns.
 */
export async function appendAudit(
  trx: Kysely<Tables>,
  ctx: Pick<Context, 'dialect' | 'now' | 'actor'>,
  incidentId: string,
  event: AuditEvent,
): Promise<AuditEntry> {
  let head = trx.selectFrom('incidents').select(['audit_seq', 'audit_hash']).where('id', '=', incidentId);
  if (ctx.dialect === 'postgres') head = head.forUpdate();
  const { audit_seq, audit_hash } = await head.executeTakeFirstOrThrow();

  const fields = {
    incident_id: incidentId,
    seq: audit_seq + 1,
    at: ctx.now().toISOString(),
    actor: ctx.actor,
    action: event.action,
    details: JSON.stringify(event.details),
    prev_hash: audit_hash,
  };
  const entry = { ...fields, hash: entryHash(fields) };
  await trx.insertInto('audit_log').values(entry).execute();
  await trx.updateTable('incidents').set({ audit_seq: entry.seq, audit_hash: entry.hash }).where('id', '=', incidentId).execute();
  return entry;
}

/** Records a pipeline run (import, scope, send …) as its own transaction. */
export async function recordRun(ctx: Context, incidentId: string, event: AuditEvent): Promise<AuditEntry> {
  return ctx.db.transaction().execute((trx) => appendAudit(trx, ctx, incidentId, event));
}

export async function auditTrail(ctx: Context, incidentId: string): Promise<AuditEntry[]> {
  await getIncident(ctx, incidentId);
  return ctx.db.selectFrom('audit_log').selectAll().where('incident_id', '=', incidentId).orderBy('seq').execute();
}

export interface AuditVerification {
  entries: number;
  intact: boolean;
  break: ChainBreak | null;
  /** For people: which entry is the first that cannot be trusted, and why. */
  message: string;
}

export async function verifyAudit(ctx: Context, incidentId: string): Promise<AuditVerification> {
  const incident = await getIncident(ctx, incidentId);
  const entries = await auditTrail(ctx, incidentId);
  const chainBreak = findChainBreak(entries, { seq: incident.audit_seq, hash: incident.audit_hash });
  return { entries: entries.length, intact: chainBreak === null, break: chainBreak, message: describe(chainBreak, entries.length) };
}

function describe(chainBreak: ChainBreak | null, count: number): string {
  if (!chainBreak) return `audit trail intact: ${count} entries, each chained to the one before`;
  switch (chainBreak.kind) {
    case 'altered':
      return `entry #${chainBreak.seq} was altered: its content no longer matches its hash or its link to #${chainBreak.seq - 1}`;
    case 'removed':
      return `entry #${chainBreak.seq} was removed: the trail jumps over it or ends before it`;
    case 'head-mismatch':
      return `entry #${chainBreak.seq} does not match the newest entry recorded on the incident: the end of the trail was rewritten`;
  }
}
