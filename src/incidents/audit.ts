import { sql, type Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { AuditEntry, Incident, Tables } from '../db/index.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
import { loadSecret } from '../lib/secret.ts';
import {
  GENESIS_HASH,
  auditKeyId,
  checkpointIsGenuine,
  checkpointLine,
  deriveAuditKey,
  findChainBreak,
  findCheckpoints,
  headMac,
  makeCheckpoint,
  nextEntry,
  type AuditCheckpoint,
  type AuditHead,
  type ChainBreak,
} from './audit-chain.ts';
import { getIncident } from './incidents.ts';

export interface AuditEvent {
  action: string;
  /** Plain data about the event: changed fields with before/after, counts, file hashes. Never personal data. */
  details: Record<string, unknown>;
}

/** The audit key of this installation: kept outside the database, like the secret it comes from. */
export function auditKey(ctx: Pick<Context, 'dataDir' | 'config'>): Buffer {
  return deriveAuditKey(loadSecret(ctx.dataDir, ctx.config));
}

/** The audit columns of a new incident's row: an empty trail, its head MACed so it cannot be reset to one. */
export function emptyTrail(ctx: Pick<Context, 'dataDir' | 'config'>, incidentId: string): Pick<Incident, 'audit_seq' | 'audit_hash' | 'audit_keyed_from' | 'audit_mac'> {
  const head: AuditHead = { incident_id: incidentId, seq: 0, hash: GENESIS_HASH, keyed_from: 1 };
  return { audit_seq: head.seq, audit_hash: head.hash, audit_keyed_from: head.keyed_from, audit_mac: headMac(auditKey(ctx), head) };
}

function headOf(incident: Pick<Incident, 'id' | 'audit_seq' | 'audit_hash' | 'audit_keyed_from' | 'audit_mac'>): AuditHead & { mac: string } {
  return { incident_id: incident.id, seq: incident.audit_seq, hash: incident.audit_hash, keyed_from: incident.audit_keyed_from, mac: incident.audit_mac };
}

/**
 * Appends one entry to an incident's trail. Call it inside the transaction that makes the change,
 * so the change and its record land together. The incident row is locked while the chain grows,
 * so concurrent writers (PostgreSQL) take turns. A head without a valid MAC is not extended:
 * a new, validly MACed head over a cut trail would hide the cut.
 */
export async function appendAudit(
  trx: Kysely<Tables>,
  ctx: Pick<Context, 'now' | 'actor' | 'dataDir' | 'config'>,
  incidentId: string,
  event: AuditEvent,
): Promise<AuditEntry> {
  // The head is read by a write that changes nothing: it takes SQLite's write lock (and the
  // row's lock on PostgreSQL) before anything is read, so a transaction that begins here, as
  // recordRun's does, cannot be refused its first real write by another process's commit.
  const row = await trx
    .updateTable('incidents')
    .set({ audit_seq: sql<number>`audit_seq` })
    .where('id', '=', incidentId)
    .returning(['id', 'audit_seq', 'audit_hash', 'audit_keyed_from', 'audit_mac'])
    .executeTakeFirstOrThrow();
  const head = headOf(row);
  const key = auditKey(ctx);
  if (headMac(key, head) !== head.mac) {
    throw new TocsinError(
      'AUDIT_HEAD_INVALID',
      `the audit trail of incident ${incidentId} does not end where this installation recorded it: verify the trail. ` +
        'If this machine shares a PostgreSQL database with others, give all of them the same secret (TOCSIN_SECRET)',
      { kind: 'failed', next: { action: 'verify_audit', incident_id: incidentId } },
    );
  }
  const next = nextEntry(key, head, { at: ctx.now().toISOString(), actor: ctx.actor, action: event.action, details: JSON.stringify(event.details) });
  await trx.insertInto('audit_log').values(next.entry).execute();
  await trx.updateTable('incidents').set({ audit_seq: next.head.seq, audit_hash: next.head.hash, audit_mac: next.mac }).where('id', '=', incidentId).execute();
  return next.entry;
}

/** Records a pipeline run (import, scope, send …) as its own transaction. */
export async function recordRun(ctx: Context, incidentId: string, event: AuditEvent): Promise<AuditEntry> {
  return ctx.db.transaction().execute((trx) => appendAudit(trx, ctx, incidentId, event));
}

export async function auditTrail(ctx: Context, incidentId: string): Promise<AuditEntry[]> {
  return (await readTrail(ctx, incidentId)).entries;
}

export interface AuditVerification {
  entries: number;
  intact: boolean;
  break: ChainBreak | null;
  /** The checkpoints the trail was checked against (none without `--against`). */
  checkpoints: number;
  /** For people: which entry is the first that cannot be trusted, and why. */
  message: string;
}

/**
 * Checks the chain under the audit key, the head's MAC, and, given the text of a file that
 * holds checkpoints of this incident (a checkpoint, a report, an email), that the trail still
 * holds the entry each one saw.
 */
export async function verifyAudit(ctx: Context, incidentId: string, against?: { text: string; source: string }): Promise<AuditVerification> {
  const { incident, entries } = await readTrail(ctx, incidentId);
  const key = auditKey(ctx);
  return verification(incident, entries, key, against ? checkpointsOf(incident.id, against.text, against.source, key) : []);
}

/** The head as a checkpoint to keep outside the database; made only for a trail that verifies. */
export async function auditCheckpoint(ctx: Context, incidentId: string): Promise<AuditCheckpoint> {
  const made = await checkpointOrBreak(ctx, incidentId);
  if ('broken' in made) throw new TocsinError('AUDIT_BROKEN', `no checkpoint of a broken trail: ${made.broken}; verifying the trail says the same`, { kind: 'failed', next: { action: 'verify_audit', incident_id: incidentId } });
  return made.checkpoint;
}

/** What a report says of the trail it was made at: a checkpoint line, or why there is none (a report is not held back by it). */
export async function auditCheckpointLine(ctx: Context, incidentId: string): Promise<string> {
  const made = await checkpointOrBreak(ctx, incidentId);
  return 'broken' in made ? `none: the audit trail is broken: ${made.broken}` : checkpointLine(made.checkpoint);
}

async function checkpointOrBreak(ctx: Context, incidentId: string): Promise<{ checkpoint: AuditCheckpoint } | { broken: string }> {
  const { incident, entries } = await readTrail(ctx, incidentId);
  const key = auditKey(ctx);
  const result = verification(incident, entries, key, []);
  if (!result.intact) return { broken: result.message };
  return { checkpoint: makeCheckpoint(key, { incident: incident.id, seq: incident.audit_seq, hash: incident.audit_hash, at: ctx.now().toISOString() }) };
}

/** The incident's head and its entries as of one moment: read again if an entry was appended between the two reads. */
async function readTrail(ctx: Context, incidentId: string): Promise<{ incident: Incident; entries: AuditEntry[] }> {
  for (;;) {
    const incident = await getIncident(ctx, incidentId);
    const entries = await ctx.db.selectFrom('audit_log').selectAll().where('incident_id', '=', incident.id).orderBy('seq').execute();
    const after = await ctx.db.selectFrom('incidents').select('audit_seq').where('id', '=', incident.id).executeTakeFirst();
    if (after?.audit_seq === incident.audit_seq) return { incident, entries };
  }
}

function verification(incident: Incident, entries: AuditEntry[], key: Uint8Array, checkpoints: AuditCheckpoint[]): AuditVerification {
  const chainBreak = findChainBreak(entries, headOf(incident), key, checkpoints);
  return {
    entries: entries.length,
    intact: chainBreak === null,
    break: chainBreak,
    checkpoints: checkpoints.length,
    message: describe(chainBreak, entries.length, incident, checkpoints),
  };
}

function checkpointsOf(incidentId: string, text: string, source: string, key: Uint8Array): AuditCheckpoint[] {
  const { checkpoints, malformed } = findCheckpoints(text);
  if (malformed > 0) {
    throw invalidInput('BAD_CHECKPOINT', `${source} has ${malformed} cut or edited checkpoint line(s); copy the whole line a checkpoint of the trail printed`, {
      next: { action: 'checkpoint_audit', incident_id: incidentId },
    });
  }
  const ours = checkpoints.filter((checkpoint) => checkpoint.incident === incidentId);
  if (ours.length === 0) {
    const others = [...new Set(checkpoints.map((checkpoint) => checkpoint.incident))];
    throw invalidInput('NO_CHECKPOINT', `${source} holds no checkpoint of incident ${incidentId}${others.length > 0 ? ` (only of ${others.join(', ')})` : ''}; give the file a checkpoint of the trail was saved to`, {
      next: { action: 'checkpoint_audit', incident_id: incidentId },
    });
  }
  for (const checkpoint of ours) {
    if (checkpoint.key !== auditKeyId(key)) {
      throw new TocsinError(
        'AUDIT_KEY_MISMATCH',
        `the checkpoint of ${checkpoint.at} in ${source} was made with another secret (key ${checkpoint.key}, this installation's is ${auditKeyId(key)}); run with the installation's secret.key or TOCSIN_SECRET`,
        { kind: 'failed' },
      );
    }
    if (!checkpointIsGenuine(key, checkpoint)) {
      throw new TocsinError('CHECKPOINT_FORGED', `the checkpoint of ${checkpoint.at} in ${source} does not carry this installation's MAC: it was altered after it was made, so it proves nothing`, { kind: 'failed' });
    }
  }
  return ours;
}

function describe(chainBreak: ChainBreak | null, count: number, incident: Incident, checkpoints: readonly AuditCheckpoint[]): string {
  if (!chainBreak) {
    const against = checkpoints.length > 0 ? `, and it holds the entries its checkpoint(s) saw (up to #${Math.max(...checkpoints.map((c) => c.seq))})` : '';
    return `audit trail intact: ${count} entries, each chained to the one before under the audit key${against}`;
  }
  const seq = chainBreak.seq;
  switch (chainBreak.kind) {
    case 'altered':
      return `entry #${seq} was altered: its content no longer matches its MAC or its link to #${seq - 1}${seq === incident.audit_keyed_from && seq > 1 ? ', or entries before it were rewritten: they were made before the trail was keyed, under plain hashes' : ''}`;
    case 'removed':
      return `entry #${seq} was removed: the trail jumps over it or ends before it`;
    case 'head-mismatch':
      return `entry #${seq} does not match the newest entry recorded on the incident: the end of the trail was rewritten`;
    case 'head-forged':
      return `the trail was cut or replaced: the newest entry recorded on the incident (#${seq - 1}) does not carry this installation's MAC, so entries from #${seq} on were removed (or the secret key is not the one the trail was made with)`;
    case 'rewritten': {
      const checkpoint = checkpoints.find((c) => c.seq === seq);
      return `entry #${seq} is not the one the checkpoint of ${checkpoint?.at} saw: the trail up to #${seq} was rewritten by someone holding the key, or the database was rolled back and written again`;
    }
  }
}
