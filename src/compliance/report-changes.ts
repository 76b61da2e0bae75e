import type { Category } from '../domain/index.ts';
import type { IncidentFacts } from './facts.ts';
import { here, TIMELINE } from './report-facts.ts';
import { section, type ReportFact, type ReportSection } from './report-document.ts';
import type { JurisdictionRules } from './rules/schema.ts';

/** For a complementary report: what Tocsin's records say changed since the initial one. */
export function changesSection(before: IncidentFacts, after: IncidentFacts, rules: JurisdictionRules, reference: string | null): ReportSection {
  const code = rules.jurisdiction;
  const facts: ReportFact[] = [
    ...changed('Scope runs', before.scope.runs, after.scope.runs),
    ...changed('People affected, all jurisdictions', before.scope.subjects, after.scope.subjects),
    ...changed(`People affected in ${rules.name}`, here(before.scope, code).subjects, here(after.scope, code).subjects),
    ...changed('Records affected, all jurisdictions', before.scope.records, after.scope.records),
    ...changed(`Records affected in ${rules.name}`, here(before.scope, code).records, here(after.scope, code).records),
    ...added('Now known to be exposed', names(after.categories.exposed), names(before.categories.exposed)),
    ...added('Now known not to be exposed', names(after.categories.not_exposed), names(before.categories.not_exposed)),
    ...added('Evidence added', after.evidence.map(evidenceName), before.evidence.map(evidenceName)),
    ...changed('Notices sent', before.notices.sent, after.notices.sent),
    ...changed('Notices bounced', before.notices.bounced, after.notices.bounced),
    ...added('Measure added', after.measures, before.measures),
    ...TIMELINE.flatMap(([field, label]) => changed(label, before.incident[field], after.incident[field])),
  ];
  if (facts.length === 0) facts.push({ label: "Changes in Tocsin's records", value: 'none since the initial report' });
  return section(
    'changes',
    'What changed since the initial report',
    reference,
    facts,
    'Give the reference number and date of your initial report so the authority can match this one to it, and say what this report adds.',
  );
}

function changed<T extends string | number | null>(label: string, before: T, after: T): ReportFact[] {
  if (before === after) return [];
  const delta = typeof before === 'number' && typeof after === 'number' ? ` (${after > before ? '+' : ''}${after - before})` : '';
  return [{ label, value: `${before ?? 'not recorded'} → ${after ?? 'not recorded'}${delta}` }];
}

function added(label: string, now: readonly string[], then: readonly string[]): ReportFact[] {
  return now.filter((item) => !then.includes(item)).map((value) => ({ label, value }));
}

function names(categories: readonly Category[]): string[] {
  return categories.map((category) => category.replace(/_/g, ' '));
}

function evidenceName(file: IncidentFacts['evidence'][number]): string {
  return `${file.path} (sha256 ${file.sha256})`;
}
