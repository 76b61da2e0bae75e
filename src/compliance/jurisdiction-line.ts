import { sortCategories, type Category } from '../records/categories.ts';
import { clockFor, type Clock } from './clock.ts';
import { byRegulator, judge, notYetInForce, triggerFor, type Duty } from './duty.ts';
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
  now: Date;
  /** The one-stop-shop lead, if the controller has an EU/EEA establishment. */
  lead: JurisdictionRules | null;
  /** Every EU/EEA resident affected: what the lead authority's report covers. */
  eea: readonly SubjectGroup[];
  /** Ids of the regulators that license the controller (`us-nydfs`): duties only their licensees owe apply. */
  regulatedBy: readonly string[];
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
  const verdict = byRegulator(duty, context.regulatedBy, () => notYetInForce(duty, context.awareAt) ?? judge(triggerFor(rules.trigger, duty), groups));
  const clocks = verdict.duty === 'not-required' ? [] : duty.deadlines.map((deadline) => clockFor(deadline, context.awareAt, context.now, rules.time_zone));
  return { ...verdict, clocks };
}
