import type { Context } from '../context.ts';
import { FINAL_NOTICE_STATES, type NoticeState } from '../domain/index.ts';
import { auditCheckpointLine, getIncident } from '../incidents/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { addressedName } from '../records/index.ts';
import { batches } from '../scoping/index.ts';
import { stateCounts } from './campaign.ts';
import { mergeThrottles, readThrottle, type ThrottleSnapshot } from './throttle-snapshot.ts';

export interface DeliveryProgress {
  incidentId: string;
  total: number;
  states: Record<NoticeState, number>;
  /** Sent, bounced or failed: nothing more will happen to them. */
  done: number;
  firstSentAt: string | null;
  lastSentAt: string | null;
  /** When the next deferred notice is due to be tried again. */
  nextAttemptAt: string | null;
  /** Processes sending right now, each with its per-domain throttles as of its last heartbeat (null before the first). */
  senders: { id: string; host: string; pid: number; startedAt: string; heartbeatAt: string; throttle: ThrottleSnapshot | null }[];
  /** The senders' per-domain throttles merged: the campaign's pace to each domain. */
  throttles: ThrottleSnapshot;
  /** The audit trail's head as this report was made, as a checkpoint line: a copy kept elsewhere can later show the trail was not rewritten. */
  auditCheckpoint: string;
}

/** One notice's delivery: who was told, and when, with the server's own words. */
export interface NoticeDelivery {
  seq: number;
  email: string;
  locale: string;
  state: NoticeState;
  attempts: number;
  sentAt: string | null;
  lastReply: string | null;
  messageId: string | null;
}

/** A person the notice did not reach, with what a letter needs. */
export interface UnreachedSubject {
  email: string;
  name: string | null;
  postalAddress: string | null;
  state: NoticeState;
  lastReply: string | null;
}

export async function deliveryProgress(ctx: Context, incidentId: string): Promise<DeliveryProgress> {
  const incident = await getIncident(ctx, incidentId);
  const states = await stateCounts(ctx, incident.id);
  const total = Object.values(states).reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new TocsinError('NO_NOTICES', `incident ${incident.id} has no notices yet; build them first`, { kind: 'conflict', next: { action: 'build_notices', incident_id: incident.id } });
  const times = await ctx.db
    .selectFrom('notices')
    .select((eb) => [eb.fn.min('sent_at').as('first'), eb.fn.max('sent_at').as('last')])
    .where('incident_id', '=', incident.id)
    .executeTakeFirst();
  const next = await ctx.db
    .selectFrom('notices')
    .select((eb) => eb.fn.min('next_attempt_at').as('next'))
    .where('incident_id', '=', incident.id)
    .where('state', '=', 'deferred')
    .executeTakeFirst();
  const rows = await ctx.db.selectFrom('senders').selectAll().where('incident_id', '=', incident.id).orderBy('started_at').execute();
  const senders = rows.map((s) => ({ id: s.id, host: s.host, pid: s.pid, startedAt: s.started_at, heartbeatAt: s.heartbeat_at, throttle: readThrottle(s.throttle) }));
  return {
    incidentId: incident.id,
    total,
    states,
    done: FINAL_NOTICE_STATES.reduce((sum, state) => sum + states[state], 0),
    firstSentAt: times?.first ?? null,
    lastSentAt: times?.last ?? null,
    nextAttemptAt: next?.next ?? null,
    senders,
    throttles: mergeThrottles(senders.map((sender) => sender.throttle).filter((throttle) => throttle !== null)),
    auditCheckpoint: await auditCheckpointLine(ctx, incident.id),
  };
}

/** Every notice of the incident in build order. */
export async function noticeDeliveries(ctx: Context, incidentId: string): Promise<NoticeDelivery[]> {
  const incident = await getIncident(ctx, incidentId);
  const rows = await ctx.db
    .selectFrom('notices')
    .select(['seq', 'email', 'locale', 'state', 'attempts', 'sent_at', 'last_reply', 'message_id'])
    .where('incident_id', '=', incident.id)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    seq: row.seq,
    email: row.email,
    locale: row.locale,
    state: row.state,
    attempts: row.attempts,
    sentAt: row.sent_at,
    lastReply: row.last_reply,
    messageId: row.message_id,
  }));
}

/**
 * Everyone whose notice bounced or failed, with the name and postal address of their most
 * recently imported record that has them: the list for a letter campaign.
 */
export async function unreachedSubjects(ctx: Context, incidentId: string): Promise<UnreachedSubject[]> {
  const incident = await getIncident(ctx, incidentId);
  const notices = await ctx.db
    .selectFrom('notices')
    .select(['subject', 'email', 'state', 'last_reply', 'vars'])
    .where('incident_id', '=', incident.id)
    .where('state', 'in', ['bounced', 'failed'])
    .orderBy('seq')
    .execute();
  const letters = new Map<string, { name?: string; postal_address?: string }>();
  for (const batch of batches(notices.map((notice) => notice.subject))) {
    const records = await ctx.db.selectFrom('records').select(['subject', 'fields']).where('incident_id', '=', incident.id).where('subject', 'in', batch).orderBy('import_id').orderBy('line').execute();
    for (const record of records) {
      const fields = JSON.parse(record.fields) as Record<string, string>;
      const known = letters.get(record.subject) ?? {};
      letters.set(record.subject, { name: addressedName(fields.name) ?? known.name, postal_address: fields.postal_address || known.postal_address });
    }
  }
  return notices.map((notice) => {
    const letter = letters.get(notice.subject);
    return {
      email: notice.email,
      name: letter?.name ?? ((JSON.parse(notice.vars) as { name?: string }).name || null),
      postalAddress: letter?.postal_address ?? null,
      state: notice.state,
      lastReply: notice.last_reply,
    };
  });
}
