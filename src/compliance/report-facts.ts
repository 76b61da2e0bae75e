import type { Category } from '../domain/index.ts';
import type { IncidentFacts } from './facts.ts';
import type { ReportFact } from './report-document.ts';
import { fill, type ReportWords } from './report-words.ts';

type Incident = IncidentFacts['incident'];
type Scope = IncidentFacts['scope'];

/** The incident's timeline fields, in order, with the flag that sets each. */
export const TIMELINE = [
  ['occurred_from', '--occurred-from'],
  ['occurred_to', '--occurred-to'],
  ['discovered_at', '--discovered-at'],
  ['aware_at', '--aware-at'],
  ['contained_at', '--contained-at'],
] as const;

export function timelineFacts(incident: Incident, words: ReportWords): ReportFact[] {
  return TIMELINE.flatMap(([field]) => (incident[field] === null ? [] : [{ label: words.labels[field], value: incident[field] }]));
}

/** Timeline fields still empty, with the flag that sets each. */
export function missingTimeline(incident: Incident, words: ReportWords): string[] {
  return TIMELINE.filter(([field]) => incident[field] === null).map(([field, flag]) => `${words.labels[field].toLowerCase()} (${flag})`);
}

export function here(scope: Scope, jurisdiction: string): { subjects: number; records: number } {
  return scope.by_jurisdiction.find((entry) => entry.jurisdiction === jurisdiction) ?? { subjects: 0, records: 0 };
}

export function byJurisdiction(scope: Scope, words: ReportWords): string {
  return scope.by_jurisdiction.map((entry) => `${entry.jurisdiction} ${entry.subjects}`).join(', ') || words.none_recorded;
}

export function categoryList(categories: readonly Category[], words: ReportWords): string {
  return categories.map((category) => words.categories[category]).join(', ') || words.none_recorded;
}

/**
 * A jurisdiction's name in the report's language: the country's own name for an ISO country code
 * (`Allemagne` for DE in French), the rules' name for a subdivision such as US-CA.
 */
export function placeName(code: string, fallback: string, words: ReportWords): string {
  if (!/^[A-Z]{2}$/.test(code) || code === 'ZZ') return fallback;
  return new Intl.DisplayNames([words.language], { type: 'region', fallback: 'none' }).of(code) ?? fallback;
}

/** What the writer of the consequences is asked, with what each exposed category can lead to: considerations, never conclusions. */
export function consequencesPrompt(exposed: readonly Category[], prompt: string, words: ReportWords): string {
  const considerations = exposed.flatMap((category) => words.consequences[category] ?? []);
  return fill(prompt, { consider: considerations.length > 0 ? fill(words.labels.consider, { considerations: considerations.join('; ') }) : '' });
}
