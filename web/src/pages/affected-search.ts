import type { Category } from '../../../src/domain/index.ts';

/** The affected table's filters, kept in the URL so a view can be shared by link (router.tsx validates them). */
export interface AffectedSearch {
  q: string | undefined;
  category: Category | undefined;
  country: string | undefined;
}

/** A two-letter country code, upper case, or no filter while the code is incomplete. */
export function countryOf(text: string): string | undefined {
  const code = text.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : undefined;
}
