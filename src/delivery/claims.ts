import { sql, type RawBuilder } from 'kysely';
import type { Context } from '../context.ts';
import type { Dialect, NoticeVariant } from '../db/index.ts';
import type { NoticeState } from '../domain/index.ts';

export interface ClaimedNotice {
  subject: string;
  seq: number;
  email: string;
  locale: string;
  variant: NoticeVariant;
  vars: string;
  attempts: number;
  templates_sha256: string;
}

/**
 * Moves up to `limit` notices to `sending` under this sender and returns them: retries that
 * are due first, then the queue in build order. With PostgreSQL, rows another sender is
 * claiming at the same moment are skipped (FOR UPDATE SKIP LOCKED), so no notice is claimed
 * twice; SQLite runs one writer at a time. Notices of `skipDomains` (domains with a backlog
 * already) are left for later, so that one slow domain cannot fill the window.
 */
export async function claimNotices(ctx: Context, incidentId: string, senderId: string, limit: number, skipDomains: readonly string[]): Promise<ClaimedNotice[]> {
  const now = ctx.now().toISOString();
  const claimed: ClaimedNotice[] = [];
  for (const state of ['deferred', 'queued'] satisfies NoticeState[]) {
    const wanted = limit - claimed.length;
    if (wanted <= 0) break;
    const pick = ctx.db
      .selectFrom('notices')
      .select('subject')
      .where('incident_id', '=', incidentId)
      .where('state', '=', state)
      .$if(state === 'deferred', (query) => query.where('next_attempt_at', '<=', now).orderBy('next_attempt_at'))
      .$if(state === 'queued', (query) => query.orderBy('seq'))
      .$if(skipDomains.length > 0, (query) => query.where(domainSql(ctx.dialect), 'not in', skipDomains))
      .limit(wanted)
      .$if(ctx.dialect === 'postgres', (query) => query.forUpdate().skipLocked());
    const rows = await ctx.db
      .updateTable('notices')
      .set({ state: 'sending', claimed_by: senderId, claimed_at: now, updated_at: now })
      .where('incident_id', '=', incidentId)
      .where('subject', 'in', pick)
      .returning(['subject', 'seq', 'email', 'locale', 'variant', 'vars', 'attempts', 'templates_sha256'])
      .execute();
    claimed.push(...rows);
  }
  return claimed.sort((a, b) => a.seq - b.seq);
}

/** Hands claimed notices that were not tried back to the queue, as they were before the claim. */
export async function releaseNotices(ctx: Context, incidentId: string, senderId: string, subjects: readonly string[]): Promise<void> {
  if (subjects.length === 0) return;
  await ctx.db
    .updateTable('notices')
    .set({ state: 'queued', claimed_by: null, claimed_at: null, updated_at: ctx.now().toISOString() })
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'sending')
    .where('claimed_by', '=', senderId)
    .where('subject', 'in', subjects)
    .execute();
}

/** The recipient domain of a notice, in SQL: the subject is a normalized address with exactly one '@'. */
export function domainSql(dialect: Dialect): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`split_part(subject, '@', 2)` : sql<string>`substr(subject, instr(subject, '@') + 1)`;
}
