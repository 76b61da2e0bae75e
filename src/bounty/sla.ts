import type { Kysely } from 'kysely';
import type { BountyConfig } from '../config.ts';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { sendSingleMessage } from '../delivery/index.ts';
import { reasonOf } from '../lib/errors.ts';
import { paragraphMail } from './mails.ts';
import { bountyOf } from './programme.ts';
import type { ReportState } from './report-rules.ts';
import { noSuchReport, recordReportEvent, REPORT_REFERENCE } from './reports.ts';

/** What the programme promises, each counted from the report's submission (bounty.response_targets). */
export const SLA_TARGETS = ['first_response', 'triage', 'bounty', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

/**
 * Where a report stands against one target: `met` or `missed` once done (in time or not), `open`
 * while not done and not due, `overdue` once due and not done, `not_applicable` when the report
 * was closed without it (a duplicate is neither rewarded nor fixed).
 */
export type SlaStatus = 'met' | 'missed' | 'open' | 'overdue' | 'not_applicable';

export interface SlaMeasure {
  target: SlaTarget;
  due_at: string;
  done_at: string | null;
  /** Hours from the submission to done_at, to a tenth. */
  hours: number | null;
  status: SlaStatus;
}

/** Closed without a reward or a fix: bounty and resolution do not apply. */
const CLOSED_UNREWARDED: readonly ReportState[] = ['duplicate', 'informative', 'not_applicable', 'spam'];
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function targetDays(bounty: BountyConfig, target: SlaTarget): number {
  return bounty.response_targets[`${target}_days`];
}

type ReportFacts = Pick<Tables['bounty_reports'], 'reference' | 'state' | 'submitted_at'>;
interface EventFacts {
  report_reference: string;
  at: string;
  actor: string;
  event: string;
  to_state: string | null;
}

/**
 * When each target was done, from the report's audit trail: the first response is the team's
 * first comment to the researcher or change of state (not an internal note, not Tocsin's own);
 * triage, the first state other than new and needs_more_info; the bounty, the first award (a
 * changed award keeps its first time); the resolution, the first move to resolved.
 */
function doneAt(events: EventFacts[]): Record<SlaTarget, string | null> {
  const first = (test: (event: EventFacts) => boolean) => events.find(test)?.at ?? null;
  const byTeam = (event: EventFacts) => !event.actor.startsWith('researcher:') && event.actor !== 'tocsin';
  return {
    first_response: first((event) => byTeam(event) && (event.event === 'comment' || event.event === 'state_changed')),
    triage: first((event) => event.event === 'state_changed' && event.to_state !== null && event.to_state !== 'new' && event.to_state !== 'needs_more_info'),
    bounty: first((event) => event.event === 'awarded'),
    resolution: first((event) => event.event === 'state_changed' && event.to_state === 'resolved'),
  };
}

function measure(bounty: BountyConfig, report: ReportFacts, done: Record<SlaTarget, string | null>, now: Date): SlaMeasure[] {
  const submitted = Date.parse(report.submitted_at);
  return SLA_TARGETS.map((target) => {
    const due = submitted + targetDays(bounty, target) * DAY_MS;
    const doneAt = done[target];
    const base = { target, due_at: new Date(due).toISOString(), done_at: doneAt };
    if (doneAt !== null) {
      const at = Date.parse(doneAt);
      return { ...base, hours: Math.round(((at - submitted) / HOUR_MS) * 10) / 10, status: at <= due ? 'met' : 'missed' };
    }
    const unrewarded = (target === 'bounty' || target === 'resolution') && CLOSED_UNREWARDED.includes(report.state as ReportState);
    return { ...base, hours: null, status: unrewarded ? 'not_applicable' : now.getTime() >= due ? 'overdue' : 'open' };
  });
}

/** The measures of many reports at once: one query per 500 reports. */
async function measuresOf(db: Kysely<Tables>, bounty: BountyConfig, reports: ReportFacts[], now: Date): Promise<Map<string, SlaMeasure[]>> {
  const result = new Map<string, SlaMeasure[]>();
  for (let start = 0; start < reports.length; start += 500) {
    const batch = reports.slice(start, start + 500);
    const events = await db
      .selectFrom('bounty_report_events')
      .select(['report_reference', 'at', 'actor', 'event', 'to_state'])
      .where('report_reference', 'in', batch.map((report) => report.reference))
      .where('event', 'in', ['comment', 'state_changed', 'awarded'])
      .orderBy('id')
      .execute();
    const byReport = Map.groupBy(events, (event) => event.report_reference);
    for (const report of batch) result.set(report.reference, measure(bounty, report, doneAt(byReport.get(report.reference) ?? []), now));
  }
  return result;
}

/** One report against each response target (shown with the report to the triage team). */
export async function reportSla(ctx: Pick<Context, 'db' | 'config' | 'now'>, reference: string): Promise<SlaMeasure[]> {
  const report = REPORT_REFERENCE.test(reference) ? await ctx.db.selectFrom('bounty_reports').select(['reference', 'state', 'submitted_at']).where('reference', '=', reference).executeTakeFirst() : undefined;
  if (!report) throw noSuchReport();
  return (await measuresOf(ctx.db, bountyOf(ctx.config), [report], ctx.now())).get(reference)!;
}

/**
 * Where a report stands in the triage queue: `overdue` when a target not done is due already,
 * `due_soon` when one is due within bounty.sla_warning_hours, `on_track` when targets remain,
 * `done` when none does; `next` is the earliest target not done.
 */
export const SLA_STANDINGS = ['overdue', 'due_soon', 'on_track', 'done'] as const;
export type SlaStanding = (typeof SLA_STANDINGS)[number];

export interface QueueSla {
  standing: SlaStanding;
  next: { target: SlaTarget; due_at: string } | null;
}

/** The queue's reports' standings, by reference. */
export async function queueSla(ctx: Pick<Context, 'db' | 'config' | 'now'>, reports: ReportFacts[]): Promise<Map<string, QueueSla>> {
  const bounty = bountyOf(ctx.config);
  const now = ctx.now();
  const soon = now.getTime() + bounty.sla_warning_hours * HOUR_MS;
  const standings = new Map<string, QueueSla>();
  for (const [reference, measures] of await measuresOf(ctx.db, bounty, reports, now)) {
    const pending = measures.filter((entry) => entry.status === 'open' || entry.status === 'overdue').sort((a, b) => a.due_at.localeCompare(b.due_at));
    const next = pending[0];
    const standing: SlaStanding = next === undefined ? 'done' : next.status === 'overdue' ? 'overdue' : Date.parse(next.due_at) <= soon ? 'due_soon' : 'on_track';
    standings.set(reference, { standing, next: next === undefined ? null : { target: next.target, due_at: next.due_at } });
  }
  return standings;
}

export interface TargetMetrics {
  target: SlaTarget;
  target_days: number;
  /** Reports for which it was done. */
  done: number;
  median_hours: number | null;
  p90_hours: number | null;
  /** Done in time, over done plus overdue (a forgotten report counts against the share); null when there is none. */
  within_target: number | null;
  /** Not done, and due already. */
  overdue: number;
}

export interface ProgrammeMetrics {
  since: string;
  until: string;
  reports: number;
  targets: TargetMetrics[];
}

/** The value below which `share` of the sorted values lie (nearest rank). */
function percentile(sorted: number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)];
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round(((sorted[middle - 1] + sorted[middle]) / 2) * 10) / 10;
}

/**
 * The programme's measured response times for the reports submitted since `since` (the last
 * 365 days by default): per target, how many were done, the median and 90th percentile of the
 * hours it took, the share done within the target and how many are overdue. Spam is left out.
 */
export async function programmeMetrics(ctx: Pick<Context, 'db' | 'config' | 'now'>, options: { since?: Date } = {}): Promise<ProgrammeMetrics> {
  const bounty = bountyOf(ctx.config);
  const now = ctx.now();
  const since = options.since ?? new Date(now.getTime() - 365 * DAY_MS);
  const reports = await ctx.db.selectFrom('bounty_reports').select(['reference', 'state', 'submitted_at']).where('submitted_at', '>=', since.toISOString()).where('state', '!=', 'spam').execute();
  const measures = [...(await measuresOf(ctx.db, bounty, reports, now)).values()].flat();
  return {
    since: since.toISOString(),
    until: now.toISOString(),
    reports: reports.length,
    targets: SLA_TARGETS.map((target) => {
      const own = measures.filter((entry) => entry.target === target);
      const hours = own.flatMap((entry) => (entry.hours === null ? [] : [entry.hours])).sort((a, b) => a - b);
      const met = own.filter((entry) => entry.status === 'met').length;
      const counted = hours.length + own.filter((entry) => entry.status === 'overdue').length;
      return {
        target,
        target_days: targetDays(bounty, target),
        done: hours.length,
        median_hours: median(hours),
        p90_hours: percentile(hours, 0.9),
        within_target: counted === 0 ? null : Math.round((met / counted) * 1000) / 1000,
        overdue: own.filter((entry) => entry.status === 'overdue').length,
      };
    }),
  };
}

export interface SlaWarning {
  reference: string;
  target: SlaTarget;
  due_at: string;
}

/**
 * Warns the triage team of each report whose response target is due within
 * bounty.sla_warning_hours (or already overdue) and not done: once per report and target, in the
 * report's audit trail (event `sla_warning`, actor tocsin) and, when bounty.triage_email is set,
 * by a mail to it (tried again each round until the server takes it). Returns the new warnings.
 */
export async function warnSlaTargets(ctx: Context, signal?: AbortSignal): Promise<SlaWarning[]> {
  const bounty = bountyOf(ctx.config);
  const now = ctx.now();
  const horizon = now.getTime() + bounty.sla_warning_hours * HOUR_MS;
  const candidates = await ctx.db
    .selectFrom('bounty_reports')
    .select(['reference', 'state', 'submitted_at'])
    .where((eb) => eb.or([eb('state', 'in', ['new', 'triaged', 'needs_more_info']), eb.and([eb('state', '=', 'resolved'), eb.not(eb.exists(eb.selectFrom('bounty_awards').select('report_reference').whereRef('bounty_awards.report_reference', '=', 'bounty_reports.reference')))])]))
    .orderBy('submitted_at')
    .execute();
  if (candidates.length === 0) return [];
  // Warnings come after their report's submission: those since the oldest candidate's are all that can concern them.
  const warned = await ctx.db.selectFrom('bounty_sla_warnings').select(['report_reference', 'target']).where('warned_at', '>=', candidates[0].submitted_at).execute();
  const already = new Set(warned.map((warning) => `${warning.report_reference} ${warning.target}`));
  const fresh: SlaWarning[] = [];
  for (const [reference, measures] of await measuresOf(ctx.db, bounty, candidates, now)) {
    for (const entry of measures) {
      if ((entry.status !== 'open' && entry.status !== 'overdue') || Date.parse(entry.due_at) > horizon || already.has(`${reference} ${entry.target}`)) continue;
      const inserted = await ctx.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('bounty_sla_warnings')
          .values({ report_reference: reference, target: entry.target, due_at: entry.due_at, warned_at: now.toISOString(), mailed_at: null })
          .onConflict((conflict) => conflict.columns(['report_reference', 'target']).doNothing())
          .returning('report_reference')
          .executeTakeFirst();
        // Another server warned first.
        if (row === undefined) return false;
        await recordReportEvent(trx, { now: () => now }, { reference, actor: 'tocsin', event: 'sla_warning', details: { target: entry.target, due_at: entry.due_at } });
        return true;
      });
      if (inserted) fresh.push({ reference, target: entry.target, due_at: entry.due_at });
    }
  }
  if (bounty.triage_email !== undefined) await mailTriageTeam(ctx, bounty.triage_email, signal);
  return fresh;
}

/** Mails the warnings not mailed yet (of the last week: older ones are history) to the triage team, one mail each. */
async function mailTriageTeam(ctx: Context, to: string, signal?: AbortSignal): Promise<void> {
  const now = ctx.now();
  const pending = await ctx.db
    .selectFrom('bounty_sla_warnings')
    .selectAll()
    .where('mailed_at', 'is', null)
    .where('warned_at', '>=', new Date(now.getTime() - 7 * DAY_MS).toISOString())
    .orderBy('due_at')
    .execute();
  for (const warning of pending) {
    signal?.throwIfAborted();
    const late = Date.parse(warning.due_at) <= now.getTime();
    const target = warning.target.replace('_', ' ');
    const subject = `Bug bounty report ${warning.report_reference}: ${target} ${late ? 'overdue since' : 'due'} ${warning.due_at.slice(0, 16).replace('T', ' ')} UTC`;
    const paragraphs = [
      `The ${target} target of report ${warning.report_reference} is ${late ? 'missed already' : 'due soon'}: ${warning.due_at.slice(0, 16).replace('T', ' ')} UTC.`,
      'The report, its thread and its response targets are in the triage queue.',
      'Tocsin',
    ];
    try {
      await sendSingleMessage(ctx, { to, ...paragraphMail('en-GB', subject, paragraphs), locale: 'en-GB', name: `bounty-sla.${warning.report_reference}.${warning.target}` }, { signal });
      await ctx.db.updateTable('bounty_sla_warnings').set({ mailed_at: ctx.now().toISOString() }).where('report_reference', '=', warning.report_reference).where('target', '=', warning.target).execute();
    } catch (error) {
      if (signal?.aborted) throw error;
      ctx.logger.warn({ report: warning.report_reference, target: warning.target, reason: reasonOf(error) }, 'the triage team was not mailed a response target warning; the next round tries again');
    }
  }
}
