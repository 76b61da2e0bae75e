import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import MarkdownIt from 'markdown-it';
import { z } from 'zod';
import { addressThrottleKey, admitAttempt, throttlePolicy } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { scoreCvss, type CvssScore } from './cvss.ts';
import { duplicateOriginal, keepReportKeys } from './duplicates.ts';
import { reportDisclosure } from './disclosure.ts';
import { queueResearcherMail } from './mails.ts';
import { bountyOf } from './programme.ts';
import { reportAward } from './rewards.ts';
import { attachmentName, attachmentType, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, type ReportState } from './report-rules.ts';

/** Crockford's base32, as the phishing desk's references: read aloud or retyped, it comes out right. */
const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REPORT_REFERENCE = /^B-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** Reports from one researcher or one client address: ten in a row, then a wait that doubles; 30 lock them out for 15 minutes. */
const REPORT_POLICY = throttlePolicy(10, 30);

export function newReference(): string {
  const symbols = [...randomBytes(12)].map((byte) => SYMBOLS[byte & 31]).join('');
  return `B-${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

const oneLine = (max: number) => z.string().trim().min(1).max(max).refine((text) => !CONTROL_CHARACTER.test(text), 'one line of text, without control characters');
/** Markdown: any text but NUL and the controls no one types (tabs and line ends are text). */
const markdownText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text), 'text without control characters');

/** A report as the researcher writes it: the asset from the scope, the CWE, the words, the proposed CVSS vector. */
export const reportFields = z.strictObject({
  asset: oneLine(200),
  weakness: z.string().trim().regex(/^CWE-[1-9][0-9]{0,4}$/, 'a CWE id like CWE-79'),
  title: oneLine(200),
  description: markdownText(50_000),
  steps: markdownText(50_000),
  impact: markdownText(20_000),
  cvss: z.string().max(512),
});
export type ReportFields = z.input<typeof reportFields>;

export interface AttachmentInput {
  filename: string;
  bytes: Buffer;
}

/**
 * Keeps a researcher's report: checks every field (the asset must be in the policy's scope, the
 * vector valid), each attachment's size and its type by its bytes, and keeps the files opaque.
 * The report starts `new`, is audited as submitted, and the researcher is mailed its reference.
 * Rate-limited per researcher and per client address (`client`).
 */
export async function submitReport(ctx: Context, researcherId: string, given: ReportFields, attachments: AttachmentInput[], client: string): Promise<ResearcherReportView> {
  const bounty = bountyOf(ctx.config);
  const parsed = reportFields.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidInput('INVALID_REPORT', `${issue.path.join('.') || 'the report'}: ${issue.message}`);
  }
  const fields = parsed.data;
  if (!bounty.assets.some((asset) => asset.name === fields.asset)) {
    throw invalidInput('ASSET_NOT_IN_SCOPE', `asset: not in the programme's scope; choose one of ${bounty.assets.map((asset) => asset.name).join(', ')}`);
  }
  const cvss = scoreCvss(fields.cvss);
  if (attachments.length > MAX_ATTACHMENTS) throw invalidInput('TOO_MANY_ATTACHMENTS', `a report takes at most ${MAX_ATTACHMENTS} attachments; put the rest in a zip`);
  const files = attachments.map((attachment) => {
    const filename = attachmentName(attachment.filename);
    if (attachment.bytes.byteLength > MAX_ATTACHMENT_BYTES) throw new TocsinError('ATTACHMENT_TOO_LARGE', `${JSON.stringify(filename)} is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB, the limit for an attachment`, { kind: 'too_large' });
    const type = attachmentType(attachment.bytes);
    if (type === null) {
      throw new TocsinError('ATTACHMENT_TYPE', `${JSON.stringify(filename)} is not a PNG, JPEG, GIF, PDF, MP4, zip or UTF-8 text file (told by its bytes, not its name)`, { kind: 'unsupported_media' });
    }
    return { id: randomUUID(), filename, content_type: type, size: attachment.bytes.byteLength, sha256: createHash('sha256').update(attachment.bytes).digest('hex'), bytes: attachment.bytes };
  });
  // Counted once the report is fit to keep: a researcher correcting a field is not held back.
  await admitAttempt(ctx, `bounty-report:${researcherId}`, REPORT_POLICY, 'reports');
  await admitAttempt(ctx, `bounty-report:${addressThrottleKey(client)}`, REPORT_POLICY, 'reports');
  const reference = newReference();
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('bounty_reports')
      .values({ reference, researcher_id: researcherId, asset: fields.asset, weakness: fields.weakness, title: fields.title, description: fields.description, steps: fields.steps, impact: fields.impact, researcher_cvss: cvss.vector, triager_cvss: null, state: 'new', duplicate_of: null, submitted_at: now, state_changed_at: now })
      .execute();
    await keepReportKeys(trx, reference, fields);
    if (files.length > 0) await trx.insertInto('bounty_attachments').values(files.map((file) => ({ ...file, report_reference: reference }))).execute();
    await recordReportEvent(trx, ctx, { reference, actor: `researcher:${researcherId}`, event: 'submitted', to_state: 'new', details: { attachments: files.length } });
    await queueResearcherMail({ ...ctx, db: trx }, researcherId, 'report_received', { reference, title: fields.title });
  });
  return researcherReport(ctx, researcherId, reference);
}

/** Appends to a report's audit trail. */
export async function recordReportEvent(
  db: Kysely<Tables>,
  ctx: Pick<Context, 'now'>,
  entry: { reference: string; actor: string; event: string; from_state?: ReportState; to_state?: ReportState; details?: Record<string, string | number | boolean | null> },
): Promise<void> {
  await db
    .insertInto('bounty_report_events')
    .values({ report_reference: entry.reference, at: ctx.now().toISOString(), actor: entry.actor, event: entry.event, from_state: entry.from_state ?? null, to_state: entry.to_state ?? null, details: JSON.stringify(entry.details ?? {}) })
    .execute();
}

/** Markdown as report pages show it, as the portal's FAQ: no raw HTML (shown as text), no images, links only to http(s) and mailto. */
const markdown = new MarkdownIt('commonmark', { html: false, linkify: false }).disable(['image']);
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}

/** A comment as its reader sees it: the team's members are "the team" to a researcher. */
export interface CommentView {
  at: string;
  author: string;
  author_kind: 'researcher' | 'team';
  internal: boolean;
  body: string;
}

/** A report as its researcher sees it: no internal notes, no triager's name, attachments listed but not served. */
export async function researcherReport(ctx: Pick<Context, 'db' | 'config'>, researcherId: string, reference: string) {
  const row = await ownReport(ctx.db, researcherId, reference);
  const comments = await ctx.db.selectFrom('bounty_comments').selectAll().where('report_reference', '=', reference).where('internal', '=', 0).orderBy('id').execute();
  return {
    ...(await reportDetails(ctx.db, row)),
    award: await reportAward(ctx.db, reference),
    disclosure: await reportDisclosure(ctx.db, reference),
    comments: comments.map((comment): CommentView => ({ at: comment.at, author: comment.author_kind === 'team' ? 'team' : 'you', author_kind: comment.author_kind, internal: false, body: comment.body })),
  };
}
export type ResearcherReportView = Awaited<ReturnType<typeof researcherReport>>;

/** What both sides see of a report: its summary, the researcher's text, both CVSS vectors, a duplicate's original and the attachments' list. */
export async function reportDetails(db: Kysely<Tables>, row: Tables['bounty_reports']) {
  return {
    ...summaryOf(row),
    description: row.description,
    steps: row.steps,
    impact: row.impact,
    researcher_cvss: scored(row.researcher_cvss),
    triager_cvss: row.triager_cvss === null ? null : scored(row.triager_cvss),
    duplicate_of: row.duplicate_of,
    /** A duplicate's original: when it was submitted and its state, what its researcher is shown as proof. */
    original: await duplicateOriginal(db, row),
    attachments: await attachmentList(db, row.reference),
  };
}

/** The researcher's own reports, the latest first. */
export async function researcherReports(ctx: Pick<Context, 'db'>, researcherId: string) {
  const rows = await ctx.db.selectFrom('bounty_reports').selectAll().where('researcher_id', '=', researcherId).orderBy('submitted_at', 'desc').limit(500).execute();
  return rows.map(summaryOf);
}

/**
 * The researcher's report, or not found: another researcher's report is answered exactly as a
 * report that does not exist, so that references cannot be probed.
 */
export async function ownReport(db: Kysely<Tables>, researcherId: string, reference: string): Promise<Tables['bounty_reports']> {
  const row = REPORT_REFERENCE.test(reference) ? await db.selectFrom('bounty_reports').selectAll().where('reference', '=', reference).where('researcher_id', '=', researcherId).executeTakeFirst() : undefined;
  if (!row) throw noSuchReport();
  return row;
}

/** The report, its row written first in the transaction, so that two changes of one report follow each other. */
export async function lockedReport(trx: Kysely<Tables>, reference: string): Promise<Tables['bounty_reports']> {
  const touched = await trx.updateTable('bounty_reports').set((eb) => ({ state: eb.ref('state') })).where('reference', '=', reference).executeTakeFirst();
  if (touched.numUpdatedRows === 0n) throw noSuchReport();
  return trx.selectFrom('bounty_reports').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
}

export function noSuchReport(): TocsinError {
  return new TocsinError('NO_SUCH_REPORT', 'there is no such report; the list of reports shows their references', { kind: 'not_found', next: { action: 'list_bounty_reports' } });
}

export function summaryOf(row: Tables['bounty_reports']) {
  const counting = scored(row.triager_cvss ?? row.researcher_cvss);
  return {
    reference: row.reference,
    title: row.title,
    asset: row.asset,
    weakness: row.weakness,
    state: row.state as ReportState,
    severity: counting?.severity ?? null,
    score: counting?.score ?? null,
    submitted_at: row.submitted_at,
    state_changed_at: row.state_changed_at,
  };
}

/** A stored vector's score; null should a vector stored under an older calculator no longer parse. */
export function scored(vector: string): CvssScore | null {
  try {
    return scoreCvss(vector);
  } catch {
    return null;
  }
}

export async function attachmentList(db: Kysely<Tables>, reference: string) {
  return db.selectFrom('bounty_attachments').select(['id', 'filename', 'content_type', 'size', 'sha256']).where('report_reference', '=', reference).orderBy('filename').execute();
}
