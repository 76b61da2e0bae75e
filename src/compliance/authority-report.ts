import { invalidInput } from '../lib/errors.ts';
import { clockFor } from '../domain/index.ts';
import { clockPlace } from './holidays.ts';
import type { IncidentFacts } from './facts.ts';
import { changesSection } from './report-changes.ts';
import { section, type ReportDocument, type ReportSection } from './report-document.ts';
import { byJurisdiction, categoryList, consequencesPrompt, here, missingTimeline, placeName, timelineFacts } from './report-facts.ts';
import { fill, type ReportSectionKey, type ReportWords } from './report-words.ts';
import type { JurisdictionRules } from './rules/schema.ts';

export type ReportPhase = 'initial' | 'complementary';

/** One member state's figures in the lead authority's report. */
export interface EeaFigures {
  jurisdiction: string;
  name: string;
  subjects: number;
  records: number;
}

export interface ReportInput {
  facts: IncidentFacts;
  rules: JurisdictionRules;
  phase: ReportPhase;
  words: ReportWords;
  /** The initial report's facts, for a complementary report to say what changed since. */
  previous?: IncidentFacts;
  /** Every EU/EEA member state's figures when this authority is the one-stop-shop lead (GDPR Art. 56); absent otherwise. */
  eea?: readonly EeaFigures[];
  /** What a person wrote for a section, in the report's language, by section. */
  written?: Readonly<Partial<Record<ReportSectionKey, string>>>;
}

export interface AuthorityReport extends ReportDocument {
  kind: 'authority-report';
  phase: ReportPhase;
  jurisdiction: string;
  authority: { name: string; filing: string; url: string | null };
  /** Whether the report goes to the one-stop-shop lead, covering every EU/EEA resident. */
  lead: boolean;
  /** The sections that still wait for a person to write them, by key. */
  unfilled: string[];
  /** How many sections still wait for a human. */
  needs_human: number;
}

/**
 * A report to one jurisdiction's authority, built from Tocsin's facts, in the words of one language.
 * Every item only a human can write — what happened, who the people are, the likely consequences —
 * is marked `needs_human` with a prompt until a person has written it. A complementary report also
 * says what changed since `previous`, the initial report's facts. The lead authority's report adds
 * the EU/EEA total and every member state's figures.
 */
export function buildAuthorityReport(input: ReportInput): AuthorityReport {
  const { facts, rules, phase, words } = input;
  const reference = (key: ReportSectionKey) => referenceFor(rules, key, words);
  const place = placeName(rules.jurisdiction, rules.name, words);
  const sections: ReportSection[] = [
    ...(phase === 'complementary' ? [changesSection(initialFacts(input.previous), facts, rules.jurisdiction, place, words, reference('changes'))] : []),
    natureSection(facts, words, reference('nature')),
    subjectsSection(input, place, reference('subjects')),
    recordsSection(input, place, reference('records')),
    contactSection(facts, words, reference('contact')),
    section('consequences', words.sections.consequences.title, reference('consequences'), [], consequencesPrompt(facts.categories.exposed, words.sections.consequences.prompt, words)),
    measuresSection(facts, words, reference('measures')),
    timelineSection(facts, words, reference('timeline')),
    evidenceSection(facts, words, reference('evidence')),
    ...(phase === 'initial' ? delaySection(facts, rules, words, reference('delay')) : []),
  ].map((entry) => withWritten(entry, input.written?.[entry.key as ReportSectionKey]));
  const unfilled = sections.filter((entry) => entry.needs_human);
  const lead = input.eea !== undefined;
  const { meta } = words;
  return {
    kind: 'authority-report',
    language: words.language,
    title: fill(words.title[phase], { authority: rules.authority.name }),
    phase,
    jurisdiction: rules.jurisdiction,
    authority: { name: rules.authority.name, filing: rules.authority.filing, url: rules.authority.url ?? null },
    lead,
    meta: [
      { label: meta.incident, value: `${facts.incident.title} (${facts.incident.id})` },
      { label: meta.jurisdiction, value: `${place} (${rules.jurisdiction})` },
      ...(lead ? [{ label: meta.role, value: meta.lead_role }] : []),
      { label: meta.law, value: rules.law },
      { label: meta.filing, value: rules.authority.url ? `${rules.authority.filing} — ${rules.authority.url}` : rules.authority.filing },
      { label: meta.as_of, value: facts.as_of },
      { label: meta.rules_reviewed, value: fill(meta.rules_reviewed_value, { date: rules.last_reviewed, confidence: rules.confidence }) },
      ...(facts.audit_checkpoint ? [{ label: meta.checkpoint, value: facts.audit_checkpoint }] : []),
      { label: meta.unfilled, value: unfilled.map((entry) => entry.title).join('; ') || words.nothing_unfilled },
    ],
    sections,
    unfilled: unfilled.map((entry) => entry.key),
    needs_human: unfilled.length,
    needs_human_label: words.needs_human,
    disclaimer: words.disclaimer,
  };
}

/** A section with what a person wrote for it: it no longer asks for anything. Paragraphs are split on blank lines. */
function withWritten(entry: ReportSection, written: string | undefined): ReportSection {
  if (written === undefined) return entry;
  return { ...entry, written: written.split(/\n\s*\n/).map((paragraph) => paragraph.trim()).filter(Boolean), needs_human: false, prompt: null };
}

/** The provision a section answers, cited as the language cites it (`GDPR Art. 33(3)(a)`, `art. 33, paragraphe 3, point a), du RGPD`). */
function referenceFor(rules: JurisdictionRules, key: ReportSectionKey, words: ReportWords): string | null {
  if (rules.regime !== 'eu-gdpr' && rules.regime !== 'uk-gdpr') return null;
  return fill(words.reference, { law: words.law[rules.regime], article: words.sections[key].reference });
}

function initialFacts(previous: IncidentFacts | undefined): IncidentFacts {
  if (previous === undefined) {
    throw invalidInput('NO_INITIAL_FACTS', 'a complementary report says what changed since the initial one; give the facts the initial report was built from');
  }
  return previous;
}

function titled(key: ReportSectionKey, words: ReportWords) {
  return { title: words.sections[key].title, prompt: words.sections[key].prompt };
}

function natureSection(facts: IncidentFacts, words: ReportWords, reference: string | null): ReportSection {
  const { title, prompt } = titled('nature', words);
  return section(
    'nature',
    title,
    reference,
    [
      { label: words.labels.exposed, value: categoryList(facts.categories.exposed, words) },
      { label: words.labels.not_exposed, value: categoryList(facts.categories.not_exposed, words) },
      { label: words.labels.runs, value: facts.scope.runs },
    ],
    prompt,
  );
}

/** The lead's report counts every EU/EEA resident, with a table by member state; any other, the people where it is. */
function subjectsSection({ facts, rules, words, eea }: ReportInput, place: string, reference: string | null): ReportSection {
  const { title, prompt } = titled('subjects', words);
  const { labels } = words;
  const total = { label: labels.subjects_all, value: facts.scope.subjects };
  const all = { label: labels.by_jurisdiction, value: byJurisdiction(facts.scope, words) };
  if (eea === undefined) {
    return section('subjects', title, reference, [total, { label: fill(labels.subjects_here, { place }), value: here(facts.scope, rules.jurisdiction).subjects }, all], prompt);
  }
  const table = { columns: [labels.member_state, labels.data_subjects, labels.records], rows: eea.map((state) => [`${state.name} (${state.jurisdiction})`, state.subjects, state.records]) };
  return section('subjects', title, reference, [total, { label: labels.subjects_eea, value: sum(eea, 'subjects') }, all], prompt, eea.length > 0 ? table : null);
}

function recordsSection({ facts, rules, words, eea }: ReportInput, place: string, reference: string | null): ReportSection {
  const { labels } = words;
  const local = eea === undefined ? { label: fill(labels.records_here, { place }), value: here(facts.scope, rules.jurisdiction).records } : { label: labels.records_eea, value: sum(eea, 'records') };
  return section('records', words.sections.records.title, reference, [
    { label: labels.categories, value: categoryList(facts.categories.exposed, words) },
    { label: labels.records_all, value: facts.scope.records },
    local,
  ]);
}

function sum(figures: readonly EeaFigures[], key: 'subjects' | 'records'): number {
  return figures.reduce((total, state) => total + state[key], 0);
}

function contactSection(facts: IncidentFacts, words: ReportWords, reference: string | null): ReportSection {
  const { controller, contact_email: email } = facts.incident;
  const { labels } = words;
  const missing = [controller === null && labels.missing_controller, email === null && labels.missing_contact].filter((item) => item !== false);
  const { title, prompt } = titled('contact', words);
  return section(
    'contact',
    title,
    reference,
    [...(controller === null ? [] : [{ label: labels.controller, value: controller }]), ...(email === null ? [] : [{ label: labels.contact, value: email }])],
    missing.length === 0 ? null : fill(prompt, { missing: new Intl.ListFormat(words.language, { type: 'conjunction' }).format(missing) }),
  );
}

function measuresSection(facts: IncidentFacts, words: ReportWords, reference: string | null): ReportSection {
  const { built, sent, bounced } = facts.notices;
  const { title, prompt } = titled('measures', words);
  return section(
    'measures',
    title,
    reference,
    [
      ...facts.measures.map((measure) => ({ label: words.labels.measure, value: measure })),
      { label: words.labels.notices, value: fill(words.labels.notices_value, { built, sent, bounced }) },
    ],
    facts.measures.length > 0 ? null : prompt,
  );
}

function timelineSection(facts: IncidentFacts, words: ReportWords, reference: string | null): ReportSection {
  const missing = missingTimeline(facts.incident, words);
  const { title, prompt } = titled('timeline', words);
  return section('timeline', title, reference, timelineFacts(facts.incident, words), missing.length === 0 ? null : fill(prompt, { missing: missing.join(', ') }));
}

function evidenceSection(facts: IncidentFacts, words: ReportWords, reference: string | null): ReportSection {
  const { title, prompt } = titled('evidence', words);
  return section(
    'evidence',
    title,
    reference,
    facts.evidence.map((file) => ({ label: file.path, value: fill(words.labels.evidence_value, { sha256: file.sha256, bytes: file.bytes }) })),
    facts.evidence.length > 0 ? null : prompt,
  );
}

/** Only when the report is late by the law's own period (not a regulator's working assumption): the reasons are the controller's to give. */
function delaySection(facts: IncidentFacts, rules: JurisdictionRules, words: ReportWords, reference: string | null): ReportSection[] {
  const starts = { awareness: facts.incident.aware_at, assessment: null, report: null };
  const clock = rules.authority.deadlines
    .map((deadline) => clockFor(deadline, starts, new Date(facts.as_of), clockPlace(rules.jurisdiction, rules.time_zone)))
    .find((candidate) => candidate.due_at !== null && candidate.assumption === null);
  if (clock?.due_at == null || !clock.overdue) return [];
  const { labels } = words;
  const { title, prompt } = titled('delay', words);
  return [
    section(
      'delay',
      title,
      reference,
      [
        { label: labels.deadline, value: `${clock.due_at} (${clock.basis})` },
        { label: labels.prepared, value: facts.as_of },
        { label: labels.late_by, value: fill(labels.late_by_value, { hours: -(clock.hours_left ?? 0) }) },
      ],
      prompt,
    ),
  ];
}
