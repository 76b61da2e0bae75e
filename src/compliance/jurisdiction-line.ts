import { type Category, type Clock, clockFor, type ClockPlace, sortCategories } from '../domain/index.ts';
import { clockPlace } from './holidays.ts';
import { commencement, judge, triggerFor, type Duty, type Verdict } from './duty.ts';
import type { DutyRules, JurisdictionRules, NoticeRules, Regime } from './rules/schema.ts';
import { countRecords, countSubjects, type SubjectGroup } from './subject-group.ts';

export interface DutyLine {
  duty: Duty;
  reasons: string[];
  /** Empty when the duty is not required. */
  clocks: Clock[];
}

export interface AuthorityLine extends DutyLine {
  name: string;
  filing: string;
  url: string | null;
  /** `lead`: the one-stop-shop lead for all EU/EEA residents; `via-lead`: covered by the lead's report. */
  role: 'own' | 'lead' | 'via-lead';
}

export interface RecipientLine extends DutyLine {
  who: string;
  filing: string | null;
  url: string | null;
}

/** What one jurisdiction's law asks of the controller for the people who live there. */
export interface JurisdictionLine {
  jurisdiction: string;
  name: string;
  regime: Regime;
  law: string;
  subjects: number;
  records: number;
  exposed: Category[];
  authority: AuthorityLine;
  individuals: DutyLine;
  recipients: RecipientLine[];
  /** A clock of a duty that is required, or still to be assessed, has run out. */
  overdue: boolean;
  /** Content rules for the notice to these people: checkNoticeContent applies them. */
  notice: NoticeRules;
  confidence: JurisdictionRules['confidence'];
  notes: string[];
  sources: JurisdictionRules['sources'];
  last_reviewed: string;
}

export interface LineContext {
  awareAt: string;
  /** When the breach was assessed, if the incident records it. */
  assessedAt: string | null;
  /** When the initial report went to each authority, by jurisdiction code or sector regime id, as the incident records them. */
  reportedAt: Readonly<Record<string, string>>;
  /** Commencement dates the user confirmed, by jurisdiction code (`IN`), over the ones the rules assume. */
  inForceFrom: Readonly<Record<string, string>>;
  now: Date;
  /** The one-stop-shop lead, if the controller has an EU/EEA establishment. */
  lead: JurisdictionRules | null;
  /** Every EU/EEA resident affected: what the lead authority's report covers. */
  eea: readonly SubjectGroup[];
}

export function jurisdictionLine(rules: JurisdictionRules, groups: readonly SubjectGroup[], context: LineContext): JurisdictionLine {
  const authority = authorityLine(rules, groups, context);
  const individuals = dutyLine(rules, rules.individuals, groups, context);
  const recipients = rules.recipients.map((recipient) => ({
    who: recipient.who,
    filing: recipient.filing ?? null,
    url: recipient.url ?? null,
    ...dutyLine(rules, recipient, groups, context),
  }));
  return {
    jurisdiction: rules.jurisdiction,
    name: rules.name,
    regime: rules.regime,
    law: rules.law,
    subjects: countSubjects(groups),
    records: countRecords(groups),
    exposed: sortCategories(groups.flatMap((group) => group.exposed)),
    authority,
    individuals,
    recipients,
    overdue: [authority, individuals, ...recipients].some((line) => line.clocks.some((clock) => clock.overdue)),
    notice: rules.notice,
    confidence: rules.confidence,
    notes: rules.notes,
    sources: rules.sources,
    last_reviewed: rules.last_reviewed,
  };
}

function authorityLine(rules: JurisdictionRules, groups: readonly SubjectGroup[], context: LineContext): AuthorityLine {
  const who = { name: rules.authority.name, filing: rules.authority.filing, url: rules.authority.url ?? null };
  const { lead } = context;
  if (rules.regime !== 'eu-gdpr' || lead === null) return { ...who, role: 'own', ...dutyLine(rules, rules.authority, groups, context) };

  if (rules.jurisdiction !== lead.jurisdiction) {
    return {
      ...who,
      role: 'via-lead',
      duty: 'not-required',
      reasons: [`the lead supervisory authority, ${lead.authority.name} (${lead.jurisdiction}), receives the report for all EU/EEA residents under the one-stop-shop (GDPR Art. 56); no separate report here`],
      clocks: [],
    };
  }
  const line = dutyLine(rules, rules.authority, context.eea, context);
  const covered = countSubjects(context.eea);
  return {
    ...who,
    role: 'lead',
    ...line,
    reasons: [`lead supervisory authority for the controller's main establishment in ${lead.jurisdiction} (GDPR Art. 56): the report covers all ${covered} EU/EEA residents affected`, ...line.reasons],
  };
}

function dutyLine(rules: JurisdictionRules, duty: DutyRules, groups: readonly SubjectGroup[], context: LineContext): DutyLine {
  const verdict = inForceVerdict(duty, rules.jurisdiction, context, () => judge(triggerFor(rules.trigger, duty), groups));
  return withClocks(verdict, duty, clockPlace(rules.jurisdiction, rules.time_zone), context, rules.jurisdiction);
}

/** The verdict of a duty whose law may not be in force yet: the commencement's reason comes first. */
export function inForceVerdict(duty: DutyRules, jurisdiction: string, context: LineContext, judged: () => Verdict): Verdict {
  const { verdict, reason } = commencement(duty, context.awareAt, context.inForceFrom[jurisdiction]);
  if (verdict) return verdict;
  const { duty: outcome, reasons } = judged();
  return { duty: outcome, reasons: reason ? [reason, ...reasons] : reasons };
}

/**
 * A verdict with the duty's clocks, counted where the duty's law runs; none when it is not required.
 * `reportedTo` keys the initial report's date: a jurisdiction's code, or a sector regime's id.
 */
export function withClocks(verdict: Verdict, duty: Pick<DutyRules, 'deadlines'>, place: ClockPlace, context: LineContext, reportedTo: string): DutyLine {
  const starts = { awareness: context.awareAt, assessment: context.assessedAt, report: context.reportedAt[reportedTo] ?? null };
  const clocks = verdict.duty === 'not-required' ? [] : duty.deadlines.map((deadline) => clockFor(deadline, starts, context.now, place));
  return { ...verdict, clocks };
}
