import { CompiledQuery } from 'kysely';
import type { Context } from '../context.ts';
import type { NoticeState } from '../domain/index.ts';

/** What one attempt did to a notice: the state it ends the attempt in, with the proof. */
export interface NoticeOutcome {
  subject: string;
  state: Extract<NoticeState, 'sent' | 'deferred' | 'failed' | 'bounced'>;
  attempts: number;
  nextAttemptAt: string | null;
  lastReply: string;
  /** Null for a notice refused before it had a message. */
  messageId: string | null;
  sentAt: string | null;
}

/**
 * Records outcomes in one statement (one transaction): the states after SMTP replies, so a
 * group of accepted messages becomes `sent` together, a few milliseconds after the server
 * accepted them. Only this sender's claims are touched: a notice taken over meanwhile is left
 * to its new holder. Returns how many were recorded.
 */
export async function recordOutcomes(ctx: Pick<Context, 'db' | 'dialect' | 'now'>, incidentId: string, senderId: string, outcomes: readonly NoticeOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  let parameter = 0;
  const next = ctx.dialect === 'postgres' ? () => `$${++parameter}` : () => '?';
  const rows = outcomes.map(() => `(${next()}, ${next()}, CAST(${next()} AS integer), ${next()}, ${next()}, ${next()}, ${next()})`);
  const text = `WITH outcome (subject, state, attempts, next_attempt_at, last_reply, message_id, sent_at) AS (VALUES ${rows.join(', ')})
    UPDATE notices SET state = outcome.state, attempts = outcome.attempts, next_attempt_at = outcome.next_attempt_at, last_reply = outcome.last_reply,
      message_id = outcome.message_id, sent_at = outcome.sent_at, claimed_by = NULL, claimed_at = NULL, updated_at = ${next()}
    FROM outcome WHERE notices.incident_id = ${next()} AND notices.subject = outcome.subject AND notices.claimed_by = ${next()}`;
  const values: unknown[] = [];
  for (const o of outcomes) values.push(o.subject, o.state, o.attempts, o.nextAttemptAt, o.lastReply, o.messageId, o.sentAt);
  values.push(ctx.now().toISOString(), incidentId, senderId);
  const result = await ctx.db.executeQuery(CompiledQuery.raw(text, values));
  return Number(result.numAffectedRows ?? 0);
}
