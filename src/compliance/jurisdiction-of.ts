import { UNKNOWN_REGION, type RuleBook } from './rules/load.ts';
import type { SubjectGroup } from './subject-group.ts';

const ISO_COUNTRY = /^[A-Z]{2}$/;

/**
 * The jurisdiction whose law protects these people: their subdivision when Tocsin has rules for it
 * (`US-CA`), else their country — for the US that is the counsel-review fallback for other states.
 */
export function jurisdictionOf(group: Pick<SubjectGroup, 'country' | 'region'>, book: RuleBook): string {
  const country = group.country?.trim().toUpperCase() ?? '';
  if (!ISO_COUNTRY.test(country)) return UNKNOWN_REGION;
  const region = subdivisionOf(country, group.region);
  return region !== null && book.jurisdictions.has(region) ? region : country;
}

function subdivisionOf(country: string, region: string | null): string | null {
  const code = region?.trim().toUpperCase();
  if (!code) return null;
  if (!code.includes('-')) return `${country}-${code}`;
  return code.startsWith(`${country}-`) ? code : null;
}
