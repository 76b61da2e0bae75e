import type { Category } from '../domain/index.ts';
import type { IncidentFacts } from './facts.ts';
import { categoryList, here, TIMELINE } from './report-facts.ts';
import { section, type ReportFact, type ReportSection } from './report-document.ts';
import { fill, type ReportWords } from './report-words.ts';

/** For a complementary report: what Tocsin's records say changed since the initial one. `place` names the jurisdiction. */
export function changesSection(before: IncidentFacts, after: IncidentFacts, code: string, place: string, words: ReportWords, reference: string | null): ReportSection {
  const { labels } = words;
  const changed = <T extends string | number | null>(label: string, then: T, now: T): ReportFact[] => {
    if (then === now) return [];
    const delta = typeof then === 'number' && typeof now === 'number' ? ` (${now > then ? '+' : ''}${now - then})` : '';
    return [{ label, value: `${then ?? words.not_recorded} → ${now ?? words.not_recorded}${delta}` }];
  };
  const facts: ReportFact[] = [
    ...changed(labels.changed_runs, before.scope.runs, after.scope.runs),
    ...changed(labels.changed_subjects_all, before.scope.subjects, after.scope.subjects),
    ...changed(fill(labels.changed_subjects_here, { place }), here(before.scope, code).subjects, here(after.scope, code).subjects),
    ...changed(labels.changed_records_all, before.scope.records, after.scope.records),
    ...changed(fill(labels.changed_records_here, { place }), here(before.scope, code).records, here(after.scope, code).records),
    ...added(labels.now_exposed, names(after.categories.exposed, words), names(before.categories.exposed, words)),
    ...added(labels.now_not_exposed, names(after.categories.not_exposed, words), names(before.categories.not_exposed, words)),
    ...added(labels.evidence_added, after.evidence.map((file) => evidenceName(file, words)), before.evidence.map((file) => evidenceName(file, words))),
    ...changed(labels.notices_sent, before.notices.sent, after.notices.sent),
    ...changed(labels.notices_bounced, before.notices.bounced, after.notices.bounced),
    ...added(labels.measure_added, after.measures, before.measures),
    ...TIMELINE.flatMap(([field]) => changed(labels[field], before.incident[field], after.incident[field])),
  ];
  if (facts.length === 0) facts.push({ label: labels.changes_none_label, value: words.labels.changes_none });
  const { title, prompt } = words.sections.changes;
  return section('changes', title, reference, facts, prompt);
}

function added(label: string, now: readonly string[], then: readonly string[]): ReportFact[] {
  return now.filter((item) => !then.includes(item)).map((value) => ({ label, value }));
}

function names(categories: readonly Category[], words: ReportWords): string[] {
  return categories.map((category) => categoryList([category], words));
}

function evidenceName(file: IncidentFacts['evidence'][number], words: ReportWords): string {
  return fill(words.labels.evidence_name, { path: file.path, sha256: file.sha256 });
}
