import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { queueResearcherMail } from './mails.ts';
import { bountyOf } from './programme.ts';
import type { ReportState } from './report-rules.ts';
import { lockedReport, noSuchReport, recordReportEvent, REPORT_REFERENCE } from './reports.ts';

/** The states a report is rewarded in: confirmed by the team, or fixed. */
const REWARDED_STATES: readonly ReportState[] = ['triaged', 'resolved'];
const MAX_AMOUNT = 10_000_000;

export interface AwardInput {
  /** Whole units of the currency: the reward for the report itself. */
  amount: number;
  /** Whole units on top, e.g. for an excellent write-up; 0 by default. */
  bonus?: number;
  /** ISO 4217; the reward table's currency by default. */
  currency?: string;
}

export interface AwardView {
  amount: number;
  bonus: number;
  total: number;
  currency: string;
  awarded_at: string;
  paid_at: string | null;
}

function viewOf(row: Tables['bounty_awards']): AwardView {
  return { amount: row.amount, bonus: row.bonus, total: row.amount + row.bonus, currency: row.currency, awarded_at: row.awarded_at, paid_at: row.paid_at };
}

/** A report's award as both sides see it (who awarded and paid it is in the audit trail), or null. */
export async function reportAward(db: Kysely<Tables>, reference: string): Promise<AwardView | null> {
  const row = await db.selectFrom('bounty_awards').selectAll().where('report_reference', '=', reference).executeTakeFirst();
  return row ? viewOf(row) : null;
}

function wholeAmount(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > MAX_AMOUNT) throw invalidInput('BAD_AMOUNT', `${name}: a whole number from 0 to ${MAX_AMOUNT}, in units of the currency`);
  return value;
}

/**
 * Awards a triaged or resolved report (ctx.actor decides): the amount, a bonus, the currency.
 * Awarding again changes the award until it is recorded paid. Audited, and the researcher is
 * mailed the total in their language.
 */
export async function awardReport(ctx: Context, reference: string, input: AwardInput): Promise<AwardView> {
  const bounty = bountyOf(ctx.config);
  const amount = wholeAmount(input.amount, 'amount');
  const bonus = wholeAmount(input.bonus, 'bonus');
  if (amount + bonus === 0) throw invalidInput('BAD_AMOUNT', 'an award of nothing is no award: give an amount above 0 (the reward table suggests one, see the report)');
  const currency = input.currency ?? bounty.rewards.currency;
  if (!/^[A-Z]{3}$/.test(currency)) throw invalidInput('BAD_CURRENCY', 'currency: an ISO 4217 code like EUR');
  if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  await ctx.db.transaction().execute(async (trx) => {
    const report = await lockedReport(trx, reference);
    if (!REWARDED_STATES.includes(report.state as ReportState)) {
      throw new TocsinError('REPORT_NOT_REWARDABLE', `the report is ${report.state}: only a triaged or resolved report is rewarded; triage it first`, { kind: 'conflict' });
    }
    const before = await trx.selectFrom('bounty_awards').selectAll().where('report_reference', '=', reference).executeTakeFirst();
    if (before?.paid_at) throw new TocsinError('AWARD_PAID', `the award was recorded paid on ${before.paid_at.slice(0, 10)}; a paid award is not changed`, { kind: 'conflict' });
    const now = ctx.now().toISOString();
    const row = { amount, bonus, currency, awarded_at: now, awarded_by: ctx.actor };
    if (before) await trx.updateTable('bounty_awards').set(row).where('report_reference', '=', reference).execute();
    else await trx.insertInto('bounty_awards').values({ report_reference: reference, ...row, paid_at: null, paid_by: null }).execute();
    await recordReportEvent(trx, ctx, { reference, actor: ctx.actor, event: before ? 'award_changed' : 'awarded', details: { amount, bonus, currency } });
    await queueResearcherMail({ ...ctx, db: trx }, report.researcher_id, 'award', { reference, amount: String(amount + bonus), currency });
  });
  return (await reportAward(ctx.db, reference))!;
}

/** Records the award paid (the payment itself happens outside Tocsin): audited, and the researcher is told. */
export async function markAwardPaid(ctx: Context, reference: string): Promise<AwardView> {
  if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  await ctx.db.transaction().execute(async (trx) => {
    const report = await lockedReport(trx, reference);
    const award = await trx.selectFrom('bounty_awards').selectAll().where('report_reference', '=', reference).executeTakeFirst();
    if (!award) throw new TocsinError('NO_AWARD', 'the report has no award to pay; award it first', { kind: 'conflict' });
    if (award.paid_at) throw new TocsinError('AWARD_PAID', `the award was recorded paid on ${award.paid_at.slice(0, 10)} already`, { kind: 'conflict' });
    await trx.updateTable('bounty_awards').set({ paid_at: ctx.now().toISOString(), paid_by: ctx.actor }).where('report_reference', '=', reference).execute();
    await recordReportEvent(trx, ctx, { reference, actor: ctx.actor, event: 'award_paid', details: { amount: award.amount, bonus: award.bonus, currency: award.currency } });
    await queueResearcherMail({ ...ctx, db: trx }, report.researcher_id, 'award_paid', { reference, amount: String(award.amount + award.bonus), currency: award.currency });
  });
  return (await reportAward(ctx.db, reference))!;
}
