import { usageError } from '../lib/errors.ts';
import { clockFor } from '../domain/index.ts';
import { clockPlace } from './holidays.ts';
import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import type { IncidentFacts } from './facts.ts';
import { changesSection } from './report-changes.ts';
import { section, type ReportDocument, type ReportSection } from './report-document.ts';
import { byJurisdiction, categoryList, consequencesPrompt, here, missingTimeline, timelineFacts } from './report-facts.ts';
import type { JurisdictionRules } from './rules/schema.ts';

export type ReportPhase = 'initial' | 'complementary';

export interface AuthorityReport extends ReportDocument {
  kind: 'authority-report';
  phase: ReportPhase;
  jurisdiction: string;
  authority: { name: string; filing: string; url: string | null };
  /** How many sections still wait for a human. */
  needs_human: number;
}

/** The GDPR provision each section answers (Art. 33(3) items, the delay of 33(1), the documentation of 33(5)). */
const GDPR_ARTICLES: Record<string, string> = {
  changes: 'Art. 33(4)',
  nature: 'Art. 33(3)(a)',
  subjects: 'Art. 33(3)(a)',
  records: 'Art. 33(3)(a)',
  contact: 'Art. 33(3)(b)',
  consequences: 'Art. 33(3)(c)',
  measures: 'Art. 33(3)(d)',
  timeline: 'Art. 33(5)',
  evidence: 'Art. 33(5)',
  delay: 'Art. 33(1)',
};

/**
 * A report to one jurisdiction's authority, built from Tocsin's facts. Every item only a human can
 * write — what happened, who the people are, the likely consequences — is marked `needs_human` with
 * a prompt. A complementary report also says what changed since `previous`, the initial report's facts.
 */
export function buildAuthorityReport(facts: IncidentFacts, rules: JurisdictionRules, phase: ReportPhase, previous?: IncidentFacts): AuthorityReport {
  const reference = (key: string) => referenceFor(rules, key);
  const sections: ReportSection[] = [
    ...(phase === 'complementary' ? [changesSection(initialFacts(previous), facts, rules, reference('changes'))] : []),
    natureSection(facts, reference('nature')),
    subjectsSection(facts, rules, reference('subjects')),
    recordsSection(facts, rules, reference('records')),
    contactSection(facts, reference('contact')),
    section('consequences', 'Likely consequences', reference('consequences'), [], consequencesPrompt(facts.categories.exposed)),
    measuresSection(facts, reference('measures')),
    timelineSection(facts, reference('timeline')),
    evidenceSection(facts, reference('evidence')),
    ...(phase === 'initial' ? delaySection(facts, rules, reference('delay')) : []),
  ];
  return {
    kind: 'authority-report',
    title: `Personal data breach report (${phase}) to ${rules.authority.name}`,
    phase,
    jurisdiction: rules.jurisdiction,
    authority: { name: rules.authority.name, filing: rules.authority.filing, url: rules.authority.url ?? null },
    meta: [
      { label: 'Incident', value: `${facts.incident.title} (${facts.incident.id})` },
      { label: 'Jurisdiction', value: `${rules.name} (${rules.jurisdiction})` },
      { label: 'Law', value: rules.law },
      { label: 'How to file', value: rules.authority.url ? `${rules.authority.filing} — ${rules.authority.url}` : rules.authority.filing },
      { label: 'Facts as of', value: facts.as_of },
      { label: 'Rules last reviewed', value: `${rules.last_reviewed} (confidence: ${rules.confidence})` },
      ...(facts.audit_checkpoint ? [{ label: 'Audit trail checkpoint', value: facts.audit_checkpoint }] : []),
    ],
    sections,
    needs_human: sections.filter((entry) => entry.needs_human).length,
    disclaimer: NOT_LEGAL_ADVICE,
  };
}

function referenceFor(rules: JurisdictionRules, key: string): string | null {
  if (rules.regime === 'eu-gdpr') return `GDPR ${GDPR_ARTICLES[key]}`;
  if (rules.regime === 'uk-gdpr') return `UK GDPR ${GDPR_ARTICLES[key]}`;
  return null;
}

function initialFacts(previous: IncidentFacts | undefined): IncidentFacts {
  if (previous === undefined) {
    throw usageError('NO_INITIAL_FACTS', 'a complementary report says what changed since the initial one; give the facts the initial report was built from');
  }
  return previous;
}

function natureSection(facts: IncidentFacts, reference: string | null): ReportSection {
  return section(
    'nature',
    'Nature of the breach',
    reference,
    [
      { label: 'Personal data exposed', value: categoryList(facts.categories.exposed) },
      { label: 'Personal data not exposed', value: categoryList(facts.categories.not_exposed) },
      { label: 'Scope runs behind these figures', value: facts.scope.runs },
    ],
    'Describe the breach in plain words: how the data was reached, by whom if known, for how long, and whether confidentiality, integrity or availability was lost. Tocsin supplies the figures and evidence; the account is yours.',
  );
}

function subjectsSection(facts: IncidentFacts, rules: JurisdictionRules, reference: string | null): ReportSection {
  return section(
    'subjects',
    'People concerned',
    reference,
    [
      { label: 'Approximate number, all jurisdictions', value: facts.scope.subjects },
      { label: `Approximate number in ${rules.name}`, value: here(facts.scope, rules.jurisdiction).subjects },
      { label: 'By jurisdiction', value: byJurisdiction(facts.scope) },
    ],
    'Name the categories of people concerned (for example: customers who placed an order in a given period). Tocsin counts people; it does not know how they relate to you.',
  );
}

function recordsSection(facts: IncidentFacts, rules: JurisdictionRules, reference: string | null): ReportSection {
  return section('records', 'Personal data records concerned', reference, [
    { label: 'Categories of personal data', value: categoryList(facts.categories.exposed) },
    { label: 'Approximate number of records, all jurisdictions', value: facts.scope.records },
    { label: `Approximate number of records in ${rules.name}`, value: here(facts.scope, rules.jurisdiction).records },
  ]);
}

function contactSection(facts: IncidentFacts, reference: string | null): ReportSection {
  const { controller, contact_email: email } = facts.incident;
  const missing = [controller === null && 'the controller (--controller)', email === null && 'a contact email (--contact-email)'].filter((item) => item !== false);
  return section(
    'contact',
    'Contact point',
    reference,
    [...(controller === null ? [] : [{ label: 'Controller', value: controller }]), ...(email === null ? [] : [{ label: 'Contact', value: email }])],
    missing.length === 0 ? null : `Give the name and contact details of the data protection officer or other contact point; not recorded: ${missing.join(' and ')}.`,
  );
}

function measuresSection(facts: IncidentFacts, reference: string | null): ReportSection {
  const { built, sent, bounced } = facts.notices;
  return section(
    'measures',
    'Measures taken or proposed',
    reference,
    [
      ...facts.measures.map((measure) => ({ label: 'Measure', value: measure })),
      { label: 'Notices to the people affected', value: `${built} built, ${sent} sent, ${bounced} bounced` },
    ],
    facts.measures.length > 0
      ? null
      : 'List the measures taken or proposed to address the breach and to limit its effects — for example closing the flaw, blocking the attacker, warning customers about phishing.',
  );
}

function timelineSection(facts: IncidentFacts, reference: string | null): ReportSection {
  const missing = missingTimeline(facts.incident);
  return section(
    'timeline',
    'Timeline',
    reference,
    timelineFacts(facts.incident),
    missing.length === 0 ? null : `Not recorded yet: ${missing.join(', ')}. Record them with "tocsin incident update", or say why they are unknown.`,
  );
}

function evidenceSection(facts: IncidentFacts, reference: string | null): ReportSection {
  return section(
    'evidence',
    'Evidence',
    reference,
    facts.evidence.map((file) => ({ label: file.path, value: `SHA-256 ${file.sha256}, ${file.bytes} bytes` })),
    facts.evidence.length > 0 ? null : 'No evidence files are recorded; list what the findings rest on.',
  );
}

/** Only when the report is late by the law's own period (not a regulator's working assumption): the reasons are the controller's to give. */
function delaySection(facts: IncidentFacts, rules: JurisdictionRules, reference: string | null): ReportSection[] {
  const starts = { awareness: facts.incident.aware_at, assessment: null, report: null };
  const clock = rules.authority.deadlines
    .map((deadline) => clockFor(deadline, starts, new Date(facts.as_of), clockPlace(rules.jurisdiction, rules.time_zone)))
    .find((candidate) => candidate.due_at !== null && candidate.assumption === null);
  if (clock?.due_at == null || !clock.overdue) return [];
  return [
    section(
      'delay',
      'Reasons for the delay',
      reference,
      [
        { label: 'Deadline', value: `${clock.due_at} (${clock.basis})` },
        { label: 'Report prepared', value: facts.as_of },
        { label: 'Late by', value: `${-(clock.hours_left ?? 0)} hours` },
      ],
      'This report is late: give the reasons for the delay.',
    ),
  ];
}
