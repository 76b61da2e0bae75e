import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { breachLinkOf } from './breach-link.ts';
import { scoreCvss } from './cvss.ts';
import { duplicateCandidates, reportedAfter } from './duplicates.ts';
import { queueResearcherMail } from './mails.ts';
import { bountyOf } from './programme.ts';
import { checkTransition, parseState, suggestedReward, type ReportState } from './report-rules.ts';
import { isDisclosable, teamDisclosure } from './disclosure.ts';
import { reportAward } from './rewards.ts';
import { queueSla, reportSla, type SlaStanding } from './sla.ts';
import { lockedReport, noSuchReport, ownReport, recordReportEvent, REPORT_REFERENCE, reportDetails, summaryOf, type CommentView } from './reports.ts';

const MAX_COMMENT = 20_000;

export interface ReportFilter {
  state?: ReportState;
  asset?: string;
  /** Where the report stands against its response targets. */
  sla?: SlaStanding;
}

/** The triage queue: reports by state, asset and standing against the response targets, oldest first (the longest waiting on top). */
export async function listReports(ctx: Pick<Context, 'db' | 'config' | 'now'>, filter: ReportFilter = {}) {
  let query = ctx.db.selectFrom('bounty_reports').selectAll();
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.asset !== undefined) query = query.where('asset', '=', filter.asset);
  const rows = await query.orderBy('submitted_at').orderBy('reference').limit(1000).execute();
  const standings = await queueSla(ctx, rows);
  return rows.map((row) => ({ ...summaryOf(row), sla: standings.get(row.reference)! })).filter((report) => filter.sla === undefined || report.sla.standing === filter.sla);
}

async function reportRow(db: Kysely<Tables>, reference: string): Promise<Tables['bounty_reports']> {
  const row = REPORT_REFERENCE.test(reference) ? await db.selectFrom('bounty_reports').selectAll().where('reference', '=', reference).executeTakeFirst() : undefined;
  if (!row) throw noSuchReport();
  return row;
}

/**
 * A report as the triage team sees it: every field, both CVSS vectors (the triager's counts),
 * the earlier reports it may duplicate and those closed as its duplicates, its breach link,
 * the reward the policy's table suggests, the whole thread with internal notes, the audit trail,
 * and the attachments (served by `attachment`).
 */
export async function showReport(ctx: Pick<Context, 'db' | 'config' | 'now'>, reference: string) {
  const row = await reportRow(ctx.db, reference);
  // A report sent by email has no researcher until one claims it.
  const researcher = row.researcher_id === null ? null : await ctx.db.selectFrom('bounty_researchers').select(['id', 'email']).where('id', '=', row.researcher_id).executeTakeFirstOrThrow();
  const comments = await ctx.db.selectFrom('bounty_comments').selectAll().where('report_reference', '=', reference).orderBy('id').execute();
  const events = await ctx.db.selectFrom('bounty_report_events').selectAll().where('report_reference', '=', reference).orderBy('id').execute();
  const details = await reportDetails(ctx.db, row);
  return {
    ...details,
    researcher: researcher && { id: researcher.id, email: researcher.email },
    duplicate_candidates: await duplicateCandidates(ctx.db, row),
    /** The reports closed as duplicates of this one: who reported it after. */
    duplicates: await reportedAfter(ctx.db, row.reference),
    /** Set once a triager confirmed personal data was reachable: the incident the report is evidence of. */
    breach: await breachLinkOf(ctx.db, row.reference),
    suggested_reward: details.severity === null ? null : suggestedReward(bountyOf(ctx.config), row.asset, details.severity),
    award: await reportAward(ctx.db, reference),
    sla: await reportSla(ctx, reference),
    /** Resolved or informative: the team may ask for disclosure, or agree to the researcher's request. */
    disclosable: isDisclosable(row.state),
    disclosure: await teamDisclosure(ctx, row),
    comments: comments.map((comment): CommentView => ({ at: comment.at, author: comment.author, author_kind: comment.author_kind, internal: comment.internal === 1, body: comment.body })),
    events: events.map((event) => ({ at: event.at, actor: event.actor, event: event.event, from_state: event.from_state, to_state: event.to_state, details: JSON.parse(event.details) as Record<string, unknown> })),
  };
}
export type TriageReportView = Awaited<ReturnType<typeof showReport>>;

export interface TriageInput {
  state?: string;
  duplicate_of?: string;
  /** The triager's CVSS vector: the one that counts from now on; the researcher's stays beside it. */
  cvss?: string;
  /** Told to the researcher in the thread with the change. */
  comment?: string;
}

/**
 * Triages a report (ctx.actor is the triager): a new state, the triager's CVSS vector, a comment
 * to the researcher, in one change. Each part is audited; a new state and a comment are mailed to
 * the researcher, in their language. A duplicate names its original, whose submission time and
 * state the mail tells.
 */
export async function triageReport(ctx: Context, reference: string, input: TriageInput) {
  if (input.state === undefined && input.cvss === undefined && input.comment === undefined) {
    throw invalidInput('NOTHING_TO_TRIAGE', 'say what changes: a state, a CVSS vector or a comment to the researcher');
  }
  const to = input.state === undefined ? undefined : parseState(input.state);
  const vector = input.cvss === undefined ? undefined : scoreCvss(input.cvss).vector;
  const comment = input.comment === undefined ? undefined : commentText(input.comment);
  if (to === undefined && input.duplicate_of !== undefined) throw invalidInput('DUPLICATE_OF_UNEXPECTED', 'duplicate_of goes only with the state duplicate');
  if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  await ctx.db.transaction().execute(async (trx) => {
    // The first statement writes, so that two triagers' changes of one report follow each other.
    const row = await lockedReport(trx, reference);
    const from = row.state as ReportState;
    if (vector !== undefined && vector !== row.triager_cvss) {
      await trx.updateTable('bounty_reports').set({ triager_cvss: vector }).where('reference', '=', reference).execute();
      await recordReportEvent(trx, ctx, { reference, actor: ctx.actor, event: 'cvss_set', details: { vector, researcher_vector: row.researcher_cvss } });
    }
    if (comment !== undefined) await addComment(trx, ctx, reference, { author_kind: 'team', author: ctx.actor, internal: false, body: comment });
    if (to !== undefined) {
      checkTransition(reference, from, to, input.duplicate_of);
      const original = input.duplicate_of === undefined ? undefined : await reportRow(trx, input.duplicate_of).catch(() => {
        throw invalidInput('NO_SUCH_ORIGINAL', `duplicate_of: there is no report ${input.duplicate_of!.slice(0, 40)}; name the original by its reference`);
      });
      if (original) checkOriginal(row, original);
      await trx.updateTable('bounty_reports').set({ state: to, duplicate_of: original?.reference ?? null, state_changed_at: ctx.now().toISOString() }).where('reference', '=', reference).execute();
      await recordReportEvent(trx, ctx, { reference, actor: ctx.actor, event: 'state_changed', from_state: from, to_state: to, details: original ? { duplicate_of: original.reference } : {} });
      await queueResearcherMail({ ...ctx, db: trx }, row.researcher_id, 'state_changed', {
        reference,
        state: to,
        ...(original ? { original: original.reference, original_state: original.state, date: original.submitted_at.slice(0, 16).replace('T', ' ') + ' UTC' } : {}),
      });
    } else if (comment !== undefined) {
      await queueResearcherMail({ ...ctx, db: trx }, row.researcher_id, 'team_comment', { reference });
    }
  });
  return showReport(ctx, reference);
}

/** The original a duplicate names came first and is no duplicate itself: what its researcher is told must hold. */
function checkOriginal(row: Tables['bounty_reports'], original: Tables['bounty_reports']): void {
  if (original.state === 'duplicate' && original.duplicate_of !== null) {
    throw invalidInput('DUPLICATE_OF_DUPLICATE', `duplicate_of: ${original.reference} is itself a duplicate of ${original.duplicate_of}; name that original`);
  }
  if (original.submitted_at > row.submitted_at) {
    throw invalidInput('DUPLICATE_OF_LATER', `duplicate_of: ${original.reference} was submitted after this report (${original.submitted_at}); the original is the earlier one`);
  }
}

/** A comment or an internal note from the team (ctx.actor); a comment is mailed to the researcher, a note never. */
export async function commentOnReport(ctx: Context, reference: string, input: { body: string; internal: boolean }) {
  const body = commentText(input.body);
  if (!input.internal) return triageReport(ctx, reference, { comment: body });
  await ctx.db.transaction().execute(async (trx) => {
    await reportRow(trx, reference);
    await addComment(trx, ctx, reference, { author_kind: 'team', author: ctx.actor, internal: true, body });
  });
  return showReport(ctx, reference);
}

/**
 * The researcher's answer in their report's thread. A report waiting for it (needs_more_info)
 * goes back to the state it was in before, with its clock started again.
 */
export async function researcherComment(ctx: Context, researcherId: string, reference: string, text: string): Promise<void> {
  const body = commentText(text);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await ownReport(trx, researcherId, reference);
    const actor = `researcher:${researcherId}`;
    await addComment(trx, ctx, reference, { author_kind: 'researcher', author: actor, internal: false, body });
    if (row.state === 'needs_more_info') {
      const asked = await trx.selectFrom('bounty_report_events').select('from_state').where('report_reference', '=', reference).where('to_state', '=', 'needs_more_info').orderBy('id', 'desc').limit(1).executeTakeFirst();
      const back = (asked?.from_state ?? 'new') as ReportState;
      await trx.updateTable('bounty_reports').set({ state: back, state_changed_at: ctx.now().toISOString() }).where('reference', '=', reference).execute();
      await recordReportEvent(trx, ctx, { reference, actor, event: 'answered', from_state: 'needs_more_info', to_state: back });
    }
  });
}

async function addComment(trx: Kysely<Tables>, ctx: Pick<Context, 'now'>, reference: string, comment: { author_kind: 'researcher' | 'team'; author: string; internal: boolean; body: string }): Promise<void> {
  await trx.insertInto('bounty_comments').values({ report_reference: reference, at: ctx.now().toISOString(), author_kind: comment.author_kind, author: comment.author, internal: comment.internal ? 1 : 0, body: comment.body }).execute();
  await recordReportEvent(trx, ctx, { reference, actor: comment.author, event: comment.internal ? 'internal_note' : 'comment' });
}

function commentText(text: string): string {
  const body = text.trim();
  if (body === '' || body.length > MAX_COMMENT) throw invalidInput('BAD_COMMENT', `a comment is 1 to ${MAX_COMMENT} characters of Markdown`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(body)) throw invalidInput('BAD_COMMENT', 'a comment holds no control characters');
  return body;
}

/** An attachment's bytes for the triage team, with its kept name and the type told from its bytes. */
export async function reportAttachment(ctx: Pick<Context, 'db'>, reference: string, id: string): Promise<{ filename: string; content_type: string; bytes: Buffer }> {
  const row = REPORT_REFERENCE.test(reference) && /^[0-9a-f-]{36}$/.test(id)
    ? await ctx.db.selectFrom('bounty_attachments').select(['filename', 'content_type', 'bytes']).where('report_reference', '=', reference).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw new TocsinError('NO_SUCH_ATTACHMENT', 'the report has no such attachment; its view lists their ids', { kind: 'not_found' });
  return { filename: row.filename, content_type: row.content_type, bytes: Buffer.from(row.bytes) };
}

/**
 * Closes the reports that waited for their researcher's answer (needs_more_info) longer than
 * bounty.needs_more_info_days, as not_applicable, audited as Tocsin's and mailed. Returns their references.
 */
export async function closeUnanswered(ctx: Context): Promise<string[]> {
  const days = bountyOf(ctx.config).needs_more_info_days;
  const cutoff = new Date(ctx.now().getTime() - days * 86_400_000).toISOString();
  const due = await ctx.db.selectFrom('bounty_reports').select(['reference', 'researcher_id']).where('state', '=', 'needs_more_info').where('state_changed_at', '<=', cutoff).orderBy('state_changed_at').execute();
  const closed: string[] = [];
  for (const report of due) {
    await ctx.db.transaction().execute(async (trx) => {
      // Only if still unanswered: an answer that came meanwhile moved it on.
      const updated = await trx
        .updateTable('bounty_reports')
        .set({ state: 'not_applicable', state_changed_at: ctx.now().toISOString() })
        .where('reference', '=', report.reference)
        .where('state', '=', 'needs_more_info')
        .where('state_changed_at', '<=', cutoff)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return;
      await recordReportEvent(trx, ctx, { reference: report.reference, actor: 'tocsin', event: 'state_changed', from_state: 'needs_more_info', to_state: 'not_applicable', details: { reason: 'no_answer', days } });
      await queueResearcherMail({ ...ctx, db: trx }, report.researcher_id, 'state_changed', { reference: report.reference, state: 'not_applicable' });
      closed.push(report.reference);
    });
  }
  return closed;
}
