import { assessIncident, jurisdictionOf, loadRuleBook, submittedReports } from '../compliance/index.ts';
import type { Context } from '../context.ts';
import { bulkInsert, type Incident, type NoticeVariant } from '../db/index.ts';
import type { Category, NoticeState } from '../domain/index.ts';
import { appendAudit, getIncident, narrativeFor, narrativeMissing, narrativesOf } from '../incidents/index.ts';
import { INVALID_RECIPIENT, recipientAddress } from '../mail/index.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
import { affectedSubjects, batches } from '../scoping/index.ts';
import { recordNoticeBuild } from './approval.ts';
import { composeNotice, storedVars } from './compose.ts';
import { chooseLocale } from './locale-choice.ts';
import { loadSecret } from '../lib/secret.ts';
import { checkedTemplates } from './templates.ts';
import { variantFor } from './variant-rules.ts';
import { codeHash, codeSubjectHash, deriveCode } from './verification-code.ts';

export interface BuildOptions {
  /** The shop's address as customers type it: `shop.example.com`; the first of the configuration's shop.domains by default. */
  shopAddress?: string;
  /** The verification page as customers type it; `<shop>/verify` when left out. */
  verifyAddress?: string;
}

export interface BuildSummary {
  run: number;
  /** Notices made for people affected for the first time. */
  added: number;
  /** Unsent notices brought up to date with the latest scope run. */
  updated: number;
  /** Unsent notices of people the latest run no longer finds affected: withdrawn. */
  withdrawn: number;
  /** Notices already sent, left as they are. */
  kept: number;
  /**
   * Of the notices added or updated, those whose address is not a mailbox (held from before
   * addresses were checked strictly): made `failed` at once, never sent, listed by
   * `delivery --unreached` for a letter.
   */
  refused: number;
  total: number;
  locales: Record<string, number>;
  /** How many notices each template variant writes, by the jurisdictions of their readers. */
  variants: Partial<Record<NoticeVariant, number>>;
}

/** States whose notice has reached, or may have reached, its reader: never rebuilt or withdrawn. */
const DELIVERED: readonly NoticeState[] = ['sent', 'sending', 'bounced'];

/**
 * One notice per affected subject of the latest scope run, in the variant their jurisdiction
 * requires, each rendered once to prove it renders. Refuses templates with any problem, a
 * variant that breaks its jurisdictions' content rules among them. A notice whose address is
 * not a mailbox is stored `failed`, never to be sent. The build is recorded as `ctx.actor`'s, and
 * clears the set's approval (src/notices/approval.ts). Idempotent: again after a new scope run,
 * it adds the newly affected, updates the unsent, withdraws the unsent of those no longer
 * affected, and keeps what was sent.
 */
export async function buildNotices(ctx: Context, incidentId: string, options: BuildOptions): Promise<BuildSummary> {
  const incident = await getIncident(ctx, incidentId);
  requireNoticeFacts(incident);
  const configured = ctx.config.shop.domains[0];
  const given = options.shopAddress ?? configured;
  if (given === undefined) throw invalidInput('NO_SHOP_ADDRESS', 'say how customers type the shop: --shop-address, or shop.domains in the configuration');
  const shopAddress = bareAddress(given, options.shopAddress !== undefined ? '--shop-address' : 'shop.domains');
  const verifyAddress = options.verifyAddress ? bareAddress(options.verifyAddress, '--verify-address') : `${shopAddress}/verify`;
  const book = loadRuleBook();
  const templates = checkedTemplates(ctx.dataDir, incident.id, book);
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const { run, subjects } = await affectedSubjects(ctx, incident.id);
  const narratives = await narrativesOf(ctx, incident.id);
  // What notices may state as done: only reports recorded as submitted, only duties the assessment finds.
  const reportedTo = (await submittedReports(ctx, book, incident.id)).map((report) => report.authority);
  const { lines } = await assessIncident(ctx, incident.id);
  const authorityRequired = new Set(lines.filter((line) => line.authority.duty === 'required').map((line) => line.jurisdiction));

  const existing = new Map(
    (await ctx.db.selectFrom('notices').select(['subject', 'state', 'seq']).where('incident_id', '=', incident.id).execute()).map((row) => [row.subject, row]),
  );
  let seq = Math.max(0, ...[...existing.values()].map((row) => row.seq));
  const now = ctx.now().toISOString();
  const summary: BuildSummary = { run, added: 0, updated: 0, withdrawn: 0, kept: 0, refused: 0, total: 0, locales: {}, variants: {} };
  const rows: unknown[][] = [];

  for (const subject of subjects) {
    const previous = existing.get(subject.subject);
    if (previous && DELIVERED.includes(previous.state)) {
      summary.kept++;
      continue;
    }
    const variant = variantFor(subject, book);
    requireCreditMonitoring(incident, variant, subject.exposed);
    const hints = { subjectLocale: subject.locale, country: subject.country, incidentLocale: incident.locale };
    const locale = chooseLocale(hints, templates.sets[variant].locales.keys());
    const narrative = narrativeFor(narratives, locale);
    if (!narrative?.what_happened) throw narrativeMissing(incident.id, locale);
    const vars = JSON.stringify(
      storedVars({
        incident,
        name: subject.name,
        exposed: subject.exposed,
        notExposed: subject.notExposed,
        shopAddress,
        verifyAddress,
        narrative,
        reportedTo,
        authorityDuty: authorityRequired.has(jurisdictionOf(subject, book)),
        noticeDate: now,
      }),
    );
    const notice = { incident_id: incident.id, subject: subject.subject, locale, variant, vars };
    composeNotice(notice, templates, secret); // throws, naming the template at fault, before anything is stored
    const code = deriveCode(secret, incident.id, subject.subject);
    const refused = recipientAddress(subject.email) === null;
    rows.push([
      incident.id,
      subject.subject,
      previous?.seq ?? ++seq,
      run,
      subject.email,
      locale,
      variant,
      vars,
      templates.sha256,
      codeHash(code, secret),
      codeSubjectHash(code, subject.subject, secret),
      refused ? 'failed' : 'queued',
      refused ? INVALID_RECIPIENT : null,
      0,
      null,
      now,
      now,
    ]);
    if (previous) summary.updated++;
    else summary.added++;
    if (refused) summary.refused++;
    summary.locales[locale] = (summary.locales[locale] ?? 0) + 1;
    summary.variants[variant] = (summary.variants[variant] ?? 0) + 1;
  }
  const stillAffected = new Set(subjects.map((subject) => subject.subject));
  const withdrawn = [...existing.values()].filter((row) => !stillAffected.has(row.subject) && !DELIVERED.includes(row.state)).map((row) => row.subject);
  summary.withdrawn = withdrawn.length;
  summary.total = existing.size + summary.added - summary.withdrawn;

  await ctx.db.transaction().execute(async (trx) => {
    for (const batch of batches(withdrawn)) await trx.deleteFrom('notices').where('incident_id', '=', incident.id).where('subject', 'in', batch).execute();
    await bulkInsert(
      trx,
      ctx.dialect,
      'notices',
      ['incident_id', 'subject', 'seq', 'run', 'email', 'locale', 'variant', 'vars', 'templates_sha256', 'code_hash', 'code_subject_hash', 'state', 'last_reply', 'attempts', 'next_attempt_at', 'created_at', 'updated_at'],
      rows,
      { upsertOn: ['incident_id', 'subject'] },
    );
    await recordNoticeBuild(trx, ctx, incident.id, now);
    await appendAudit(trx, ctx, incident.id, {
      action: 'notices.built',
      details: { run, added: summary.added, updated: summary.updated, withdrawn: summary.withdrawn, kept: summary.kept, refused: summary.refused, templates_sha256: templates.sha256 },
    });
  });
  return summary;
}

/** A notice states the breach's dates, who is responsible and whom to ask: refuse to build without them. */
function requireNoticeFacts(incident: Incident): void {
  const missing = (['occurred_from', 'occurred_to', 'controller', 'contact_email'] as const).filter((field) => incident[field] === null);
  if (missing.length > 0) {
    throw new TocsinError(
      'NOTICE_FACTS_MISSING',
      `a notice needs ${missing.map((field) => field.replace('_', ' ')).join(', ')}; set ${missing.length > 1 ? 'them' : 'it'} on the incident`,
      { kind: 'conflict', next: { action: 'update_incident', incident_id: incident.id, fields: missing } },
    );
  }
}

/** Massachusetts residents whose SSN leaked must be offered 18 months of free credit monitoring, with how to enrol (ch. 93H § 3A). */
const MASSACHUSETTS_MONITORING_MONTHS = 18;

export function requireCreditMonitoring(incident: Pick<Incident, 'id' | 'protection_months'>, variant: NoticeVariant, exposed: readonly Category[]): void {
  if (variant !== 'us-ma' || !exposed.includes('national_id') || (incident.protection_months ?? 0) >= MASSACHUSETTS_MONITORING_MONTHS) return;
  throw new TocsinError(
    'NOTICE_OFFER_MISSING',
    `Massachusetts residents' Social Security or ID numbers were exposed: their notice must offer at least ${MASSACHUSETTS_MONITORING_MONTHS} months of free credit monitoring with how to enrol (Mass. Gen. Laws ch. 93H § 3A); ` +
      `record the offer's provider, how to enrol and ${MASSACHUSETTS_MONITORING_MONTHS} months on the incident`,
    { kind: 'conflict', next: { action: 'update_incident', incident_id: incident.id, fields: ['protection_provider', 'protection_enrolment', 'protection_months'] } },
  );
}

/** Customers are told to type the address themselves: no scheme, no link. */
function bareAddress(value: string, flag: string): string {
  const bare = value.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!/^[a-z0-9.-]+\.[a-z]{2,}(\/[\w./-]*)?$/i.test(bare)) {
    throw invalidInput('BAD_SHOP_ADDRESS', `${flag} '${value}' is not an address a customer could type, like shop.example.com`);
  }
  return bare;
}
