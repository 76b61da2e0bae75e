import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Context } from '../context.ts';
import { appendAudit } from '../incidents/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { processExists } from '../lib/process.ts';
import type { ThrottleSnapshot } from './throttle-snapshot.ts';

/** How often a sender renews its lease. */
export const HEARTBEAT_MS = 5_000;
/** A sender silent for this long is gone (another machine may hold it): its notices are taken over. */
export const LEASE_MS = 60_000;

/** What a notice taken over from a dead sender says until it is sent again. */
export const INTERRUPTED_REPLY = 'interrupted: the sender stopped before the reply was recorded; sent again';

const HOST = hostname();

/**
 * Registers this process as a sender of the incident. On SQLite (one machine, one writer)
 * there is one sender per incident and a second is refused; on PostgreSQL several share the
 * campaign. Reap dead senders first, so that a crashed one does not block the next run.
 */
export async function registerSender(ctx: Context, incidentId: string): Promise<string> {
  const id = `${HOST}/${process.pid}/${randomBytes(3).toString('hex')}`;
  const now = ctx.now().toISOString();
  const sender = { id, incident_id: incidentId, host: HOST, pid: process.pid, started_at: now, heartbeat_at: now };
  if (ctx.dialect === 'postgres') {
    await ctx.db.insertInto('senders').values(sender).execute();
    return id;
  }
  // One statement: two senders starting at the same moment cannot both find the place free.
  const { numAffectedRows } = await sql`
    INSERT INTO senders (id, incident_id, host, pid, started_at, heartbeat_at)
    SELECT ${id}, ${incidentId}, ${HOST}, ${process.pid}, ${now}, ${now}
    WHERE NOT EXISTS (SELECT 1 FROM senders WHERE incident_id = ${incidentId})`.execute(ctx.db);
  if (Number(numAffectedRows) === 0) {
    const holder = await ctx.db.selectFrom('senders').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
    throw new TocsinError(
      'CAMPAIGN_BUSY',
      `another sender is sending incident ${incidentId}${holder ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.started_at})` : ''}; wait for it or stop it with Ctrl-C (with PostgreSQL, several senders can share a campaign)`,
      { kind: 'conflict' },
    );
  }
  return id;
}

/**
 * Renews the lease, with the sender's throttles as they are now for those watching; false when
 * it was lost (another sender found this one silent and took its notices over).
 */
export async function renewLease(ctx: Context, senderId: string, throttle: ThrottleSnapshot): Promise<boolean> {
  const result = await ctx.db.updateTable('senders').set({ heartbeat_at: ctx.now().toISOString(), throttle: JSON.stringify(throttle) }).where('id', '=', senderId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Hands the sender's remaining notices back to the queue and removes it: a clean stop. */
export async function unregisterSender(ctx: Context, incidentId: string, senderId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requeue(trx, incidentId, ctx.now().toISOString(), senderId, null);
    await trx.deleteFrom('senders').where('id', '=', senderId).execute();
  });
}

/**
 * Takes back the notices of senders that are gone: on this host, a process that no longer
 * exists; anywhere, a lease not renewed for LEASE_MS. Also notices in `sending` whose sender
 * is not registered at all. They go back to the queue marked as interrupted: each may have
 * reached its recipient already, and is sent again (at least once, at most one duplicate).
 * The audit log records each take-over.
 */
export async function reapDeadSenders(ctx: Context, incidentId: string): Promise<number> {
  const now = ctx.now();
  const stale = new Date(now.getTime() - LEASE_MS).toISOString();
  const senders = await ctx.db.selectFrom('senders').selectAll().where('incident_id', '=', incidentId).execute();
  const suspects = senders.map((sender) => ({ ...sender, gone: sender.host === HOST && !processExists(sender.pid) })).filter((sender) => sender.gone || sender.heartbeat_at < stale);
  let taken = 0;
  await ctx.db.transaction().execute(async (trx) => {
    for (const { id, gone } of suspects) {
      // A silent sender is removed only if still silent when its row is deleted: a renewal in between keeps it.
      const removed = await trx
        .deleteFrom('senders')
        .where('id', '=', id)
        .$if(!gone, (query) => query.where('heartbeat_at', '<', stale))
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) continue;
      const notices = await requeue(trx, incidentId, now.toISOString(), id, INTERRUPTED_REPLY);
      await appendAudit(trx, ctx, incidentId, { action: 'delivery.taken_over', details: { sender: id, notices } });
      taken += notices;
    }
    const orphans = await trx
      .updateTable('notices')
      .set({ state: 'queued', claimed_by: null, claimed_at: null, last_reply: INTERRUPTED_REPLY, updated_at: now.toISOString() })
      .where('incident_id', '=', incidentId)
      .where('state', '=', 'sending')
      .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', 'not in', eb.selectFrom('senders').select('id'))]))
      .executeTakeFirst();
    if (Number(orphans.numUpdatedRows) > 0) {
      await appendAudit(trx, ctx, incidentId, { action: 'delivery.taken_over', details: { sender: null, notices: Number(orphans.numUpdatedRows) } });
      taken += Number(orphans.numUpdatedRows);
    }
  });
  return taken;
}

async function requeue(trx: Context['db'], incidentId: string, now: string, senderId: string, reply: string | null): Promise<number> {
  const result = await trx
    .updateTable('notices')
    .set((eb) => ({ state: 'queued', claimed_by: null, claimed_at: null, updated_at: now, last_reply: reply ?? eb.ref('last_reply') }))
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'sending')
    .where('claimed_by', '=', senderId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
