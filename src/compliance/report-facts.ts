import type { Category } from '../domain/index.ts';
import type { IncidentFacts } from './facts.ts';
import type { ReportFact } from './report-document.ts';

type Incident = IncidentFacts['incident'];
type Scope = IncidentFacts['scope'];

/** The incident's timeline fields, in order, as reports label them. */
export const TIMELINE = [
  ['occurred_from', 'Occurred from', '--occurred-from'],
  ['occurred_to', 'Occurred to', '--occurred-to'],
  ['discovered_at', 'Discovered', '--discovered-at'],
  ['aware_at', 'Became aware', '--aware-at'],
  ['contained_at', 'Contained', '--contained-at'],
] as const;

export function timelineFacts(incident: Incident): ReportFact[] {
  return TIMELINE.flatMap(([field, label]) => (incident[field] === null ? [] : [{ label, value: incident[field] }]));
}

/** Timeline fields still empty, with the flag that sets each. */
export function missingTimeline(incident: Incident): string[] {
  return TIMELINE.filter(([field]) => incident[field] === null).map(([, label, flag]) => `${label.toLowerCase()} (${flag})`);
}

export function here(scope: Scope, jurisdiction: string): { subjects: number; records: number } {
  return scope.by_jurisdiction.find((entry) => entry.jurisdiction === jurisdiction) ?? { subjects: 0, records: 0 };
}

export function byJurisdiction(scope: Scope): string {
  return scope.by_jurisdiction.map((entry) => `${entry.jurisdiction} ${entry.subjects}`).join(', ') || 'none recorded';
}

export function categoryList(categories: readonly Category[]): string {
  return categories.map((category) => category.replace(/_/g, ' ')).join(', ') || 'none recorded';
}

/** What each exposed category can lead to: considerations offered to the writer, never conclusions. */
const CONSEQUENCES: Partial<Record<Category, string>> = {
  email: 'phishing emails that imitate you',
  phone: 'scam calls and text messages',
  postal_address: 'unwanted mail or visits',
  order_history: 'scams quoting real orders',
  payment_card_number: 'card fraud',
  bank_account: 'fraudulent debits',
  password_hash: 'account takeover where passwords are reused',
  security_qa: 'abuse of account recovery',
  national_id: 'identity theft',
  date_of_birth: 'identity theft combined with other data',
  health: 'discrimination or distress',
  geolocation: 'risks to physical safety',
  device_id: 'tracking across services',
};

export function consequencesPrompt(exposed: readonly Category[]): string {
  const considerations = exposed.flatMap((category) => CONSEQUENCES[category] ?? []);
  const consider = considerations.length > 0 ? ` Given the data exposed, consider: ${considerations.join('; ')}.` : '';
  return `Describe the likely consequences for the people affected.${consider} Tocsin lists considerations, not conclusions.`;
}
