import { UNKNOWN_REGION, type RuleBook } from './rules/load.ts';
import type { SubjectGroup } from './subject-group.ts';

const ISO_COUNTRY = /^[A-Z]{2}$/;

/**
 * US territories have ISO 3166-1 codes of their own (`PR`) and are also US subdivisions in ISO 3166-2
 * (`US-PR`). A US law protects their residents, so they are read as the subdivision: records that say
 * `PR` must reach Puerto Rico's rules, or the US fallback's clocks, never the no-clock "unknown" rules.
 */
const US_TERRITORIES = new Set(['AS', 'GU', 'MP', 'PR', 'UM', 'VI']);

/**
 * The jurisdiction whose law protects these people: their subdivision when Tocsin has rules for it
 * (`US-CA`), else their country — for the US that is the counsel-review fallback for other states.
 */
export function jurisdictionOf(group: Pick<SubjectGroup, 'country' | 'region'>, book: RuleBook): string {
  const country = group.country?.trim().toUpperCase() ?? '';
  if (!ISO_COUNTRY.test(country)) return UNKNOWN_REGION;
  if (US_TERRITORIES.has(country)) return inCountry('US', `US-${country}`, book);
  return inCountry(country, subdivisionOf(country, group.region), book);
}

function inCountry(country: string, region: string | null, book: RuleBook): string {
  return region !== null && book.jurisdictions.has(region) ? region : country;
}

function subdivisionOf(country: string, region: string | null): string | null {
  const code = region?.trim().toUpperCase();
  if (!code) return null;
  if (!code.includes('-')) return `${country}-${code}`;
  return code.startsWith(`${country}-`) ? code : null;
}
