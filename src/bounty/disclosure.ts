import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { publicationUrl } from '../portal/index.ts';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { queueResearcherMail } from './mails.ts';
import { BOUNTY_PATHS, bountyOf } from './programme.ts';
import type { ReportState } from './report-rules.ts';
import { lockedReport, noSuchReport, ownReport, recordReportEvent, renderMarkdown, REPORT_REFERENCE, summaryOf } from './reports.ts';

/** A report is disclosed once it is closed as fixed or as informative: never while its flaw may still be open. */
const DISCLOSABLE_STATES: readonly ReportState[] = ['resolved', 'informative'];
const MAX_PUBLIC_TEXT = 50_000;

export type DisclosureSide = { kind: 'team' } | { kind: 'researcher'; researcher_id: string };

export interface DisclosureView {
  requested_by: 'researcher' | 'team';
  requested_at: string;
  researcher_agreed_at: string | null;
  team_agreed_at: string | null;
  /** Published then even if one side has not agreed. */
  deadline_at: string;
  /** The team's redacted title and text: all that is published of the report. */
  public_title: string | null;
  public_text: string | null;
  published_at: string | null;
}

function viewOf(row: Tables['bounty_disclosures']): DisclosureView {
  const { report_reference: _reference, ...view } = row;
  return view;
}

/** A report's disclosure as both sides see it, or null when no one asked for one. */
export async function reportDisclosure(db: Kysely<Tables>, reference: string): Promise<DisclosureView | null> {
  const row = await db.selectFrom('bounty_disclosures').selectAll().where('report_reference', '=', reference).executeTakeFirst();
  return row ? viewOf(row) : null;
}

/** Whether a report in this state may be disclosed: its flaw is fixed, or was never one. */
export function isDisclosable(state: string): boolean {
  return DISCLOSABLE_STATES.includes(state as ReportState);
}

/** The triage team's view of a report's disclosure: where it is published, and whether the team may publish it now. */
export interface TeamDisclosureView extends DisclosureView {
  /** The public page once published: under public_url when it is set, else its path on the public listener. */
  url: string | null;
  publishable: boolean;
}

/** A report's disclosure as the triage team sees it, or null when no one asked for one. */
export async function teamDisclosure(ctx: Pick<Context, 'db' | 'config' | 'now'>, report: Tables['bounty_reports']): Promise<TeamDisclosureView | null> {
  const row = await ctx.db.selectFrom('bounty_disclosures').selectAll().where('report_reference', '=', report.reference).executeTakeFirst();
  if (!row) return null;
  return {
    ...viewOf(row),
    url: row.published_at === null ? null : publicationUrl(ctx.config, { path: disclosurePath(report.reference) }),
    publishable: row.published_at === null && publishRefusal(ctx, report, row) === null,
  };
}

/** A published report's page on the public listener. */
export function disclosurePath(reference: string): string {
  return `${BOUNTY_PATHS.disclosures}/${reference}`;
}

/** The refusal of a report whose flaw may still be open: one not resolved or informative (or reopened since it was asked for). */
function tooEarly(report: Tables['bounty_reports']): TocsinError | null {
  if (isDisclosable(report.state)) return null;
  return new TocsinError('DISCLOSURE_TOO_EARLY', `the report is ${report.state}: only a resolved or informative report is disclosed, once its flaw cannot hurt anyone`, { kind: 'conflict' });
}

/**
 * One side asks for the report to be disclosed, or agrees to the other side's request (asking
 * again changes nothing). The first request sets the deadline (bounty.disclosure_days later),
 * past which the report is published without the other side's word. Audited; a team request is
 * mailed to the researcher, whose agreement it asks.
 */
export async function requestDisclosure(ctx: Context, reference: string, side: DisclosureSide): Promise<DisclosureView> {
  const bounty = bountyOf(ctx.config);
  // Another researcher's report is answered as one that does not exist.
  if (side.kind === 'researcher') await ownReport(ctx.db, side.researcher_id, reference);
  else if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  await ctx.db.transaction().execute(async (trx) => {
    const report = await lockedReport(trx, reference);
    const early = tooEarly(report);
    if (early) throw early;
    const now = ctx.now();
    const actor = side.kind === 'researcher' ? `researcher:${side.researcher_id}` : ctx.actor;
    const agreed = side.kind === 'researcher' ? 'researcher_agreed_at' : 'team_agreed_at';
    const before = await trx.selectFrom('bounty_disclosures').selectAll().where('report_reference', '=', reference).executeTakeFirst();
    if (!before) {
      const deadline = new Date(now.getTime() + bounty.disclosure_days * 86_400_000).toISOString();
      await trx
        .insertInto('bounty_disclosures')
        .values({ report_reference: reference, requested_by: side.kind, requested_at: now.toISOString(), researcher_agreed_at: null, team_agreed_at: null, deadline_at: deadline, public_title: null, public_text: null, published_at: null, [agreed]: now.toISOString() })
        .execute();
      await recordReportEvent(trx, ctx, { reference, actor, event: 'disclosure_requested', details: { by: side.kind, deadline_at: deadline } });
      if (side.kind === 'team') await queueResearcherMail({ ...ctx, db: trx }, report.researcher_id, 'disclosure_requested', { reference, date: deadline.slice(0, 10) });
    } else if (before[agreed] === null) {
      await trx.updateTable('bounty_disclosures').set({ [agreed]: now.toISOString() }).where('report_reference', '=', reference).execute();
      await recordReportEvent(trx, ctx, { reference, actor, event: 'disclosure_agreed', details: { by: side.kind } });
    }
  });
  return (await reportDisclosure(ctx.db, reference))!;
}

/**
 * The team's redacted title and Markdown text (ctx.actor writes it): all the public listener
 * will show of the report. Written after a request, changed until and after publication (a
 * redaction found wanting is corrected); audited.
 */
export async function writeDisclosureText(ctx: Context, reference: string, input: { title: string; text: string }): Promise<DisclosureView> {
  const title = input.title.trim();
  if (title === '' || title.length > 200 || CONTROL_CHARACTER.test(title)) throw invalidInput('BAD_DISCLOSURE_TEXT', 'title: one line of 1 to 200 characters');
  const text = input.text.trim();
  if (text === '' || text.length > MAX_PUBLIC_TEXT || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw invalidInput('BAD_DISCLOSURE_TEXT', `text: 1 to ${MAX_PUBLIC_TEXT} characters of Markdown without control characters`);
  }
  if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  await ctx.db.transaction().execute(async (trx) => {
    await lockedReport(trx, reference);
    const updated = await trx.updateTable('bounty_disclosures').set({ public_title: title, public_text: text }).where('report_reference', '=', reference).executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw noDisclosure();
    await recordReportEvent(trx, ctx, { reference, actor: ctx.actor, event: 'disclosure_text_written', details: { characters: text.length } });
  });
  return (await reportDisclosure(ctx.db, reference))!;
}

function noDisclosure(): TocsinError {
  return new TocsinError('NO_DISCLOSURE_REQUESTED', 'no one asked for this report to be disclosed: the team or the researcher requests it first', { kind: 'conflict' });
}

/**
 * Publishes the report on the public listener (the team decides, ctx.actor): once both sides
 * agreed, or the deadline passed, and the team wrote the redacted text. Audited, and the
 * researcher is mailed the public page.
 */
export async function publishDisclosure(ctx: Context, reference: string): Promise<DisclosureView> {
  if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  await ctx.db.transaction().execute(async (trx) => {
    const report = await lockedReport(trx, reference);
    const row = await trx.selectFrom('bounty_disclosures').selectAll().where('report_reference', '=', reference).executeTakeFirst();
    if (!row) throw noDisclosure();
    if (row.published_at !== null) return;
    const refusal = publishRefusal(ctx, report, row);
    if (refusal) throw refusal;
    await publish(trx, ctx, report, ctx.actor);
  });
  return (await reportDisclosure(ctx.db, reference))!;
}

/** Why the team cannot publish an unpublished disclosure now (not disclosable, no text, not agreed before the deadline), or null when it can. */
function publishRefusal(ctx: Pick<Context, 'now'>, report: Tables['bounty_reports'], row: Tables['bounty_disclosures']): TocsinError | null {
  const early = tooEarly(report);
  if (early) return early;
  if (row.public_text === null) return new TocsinError('DISCLOSURE_NOT_WRITTEN', 'write the redacted title and text first: only they are published', { kind: 'conflict' });
  const agreed = row.researcher_agreed_at !== null && row.team_agreed_at !== null;
  if (!agreed && Date.parse(row.deadline_at) > ctx.now().getTime()) {
    const waiting = row.researcher_agreed_at === null ? 'the researcher' : 'the team';
    return new TocsinError('DISCLOSURE_NOT_AGREED', `${waiting} has not agreed to the disclosure; it may be published without that on ${row.deadline_at.slice(0, 10)}`, { kind: 'conflict' });
  }
  return null;
}

async function publish(trx: Kysely<Tables>, ctx: Pick<Context, 'now'>, report: Tables['bounty_reports'], actor: string): Promise<void> {
  await trx.updateTable('bounty_disclosures').set({ published_at: ctx.now().toISOString() }).where('report_reference', '=', report.reference).execute();
  await recordReportEvent(trx, ctx, { reference: report.reference, actor, event: 'disclosed' });
  await queueResearcherMail({ db: trx, now: ctx.now }, report.researcher_id, 'disclosed', { reference: report.reference });
}

/**
 * Publishes the disclosures whose deadline passed without one side's agreement (run by the
 * bounty keeper), of reports still resolved or informative. One the team has not written the redacted text of is published with its
 * facts only (asset, weakness, severity, dates), never the researcher's own words. Returns their references.
 */
export async function publishDueDisclosures(ctx: Context): Promise<string[]> {
  const due = await ctx.db.selectFrom('bounty_disclosures').select('report_reference').where('published_at', 'is', null).where('deadline_at', '<=', ctx.now().toISOString()).orderBy('deadline_at').execute();
  const published: string[] = [];
  for (const { report_reference: reference } of due) {
    await ctx.db.transaction().execute(async (trx) => {
      const report = await lockedReport(trx, reference);
      const updated = await trx.selectFrom('bounty_disclosures').select('published_at').where('report_reference', '=', reference).executeTakeFirstOrThrow();
      // Published meanwhile, or reopened since it was asked for: its flaw may be open again.
      if (updated.published_at !== null || !isDisclosable(report.state)) return;
      await publish(trx, ctx, report, 'tocsin');
      published.push(reference);
    });
  }
  return published;
}

/** A published report as anyone reads it: the team's redacted words and the report's facts, never the researcher's text or who they are. */
export interface PublicDisclosure {
  reference: string;
  title: string;
  asset: string;
  weakness: string;
  severity: string | null;
  score: number | null;
  submitted_at: string;
  published_at: string;
  /** Markdown; null when the deadline published a report the team did not write up. */
  text: string | null;
}

/** The published reports, the latest first (only `reference` when given): what the disclosures page and its JSON list. */
export async function publishedDisclosures(ctx: Pick<Context, 'db'>, reference?: string): Promise<PublicDisclosure[]> {
  let query = ctx.db
    .selectFrom('bounty_disclosures')
    .innerJoin('bounty_reports', 'bounty_reports.reference', 'bounty_disclosures.report_reference')
    .selectAll('bounty_reports')
    .select(['bounty_disclosures.public_title', 'bounty_disclosures.public_text', 'bounty_disclosures.published_at'])
    .where('bounty_disclosures.published_at', 'is not', null);
  if (reference !== undefined) query = query.where('bounty_reports.reference', '=', reference);
  const rows = await query.orderBy('bounty_disclosures.published_at', 'desc').limit(1000).execute();
  return rows.map((row) => {
    const summary = summaryOf(row);
    return {
      reference: row.reference,
      title: row.public_title ?? `${row.weakness}: ${row.asset}`,
      asset: row.asset,
      weakness: row.weakness,
      severity: summary.severity,
      score: summary.score,
      submitted_at: row.submitted_at,
      published_at: row.published_at!,
      text: row.public_text,
    };
  });
}

/** One published report; any other reference, published or not, existing or not, is the same not found. */
export async function publishedDisclosure(ctx: Pick<Context, 'db'>, reference: string): Promise<PublicDisclosure & { html: string | null }> {
  const [found] = REPORT_REFERENCE.test(reference) ? await publishedDisclosures(ctx, reference) : [];
  if (!found) throw new TocsinError('NO_SUCH_DISCLOSURE', 'no report of this reference is published; the disclosures page lists those that are', { kind: 'not_found' });
  return { ...found, html: found.text === null ? null : renderMarkdown(found.text) };
}
