import type { Category } from '../domain/index.ts';

/**
 * People who live in one place and had the same categories exposed. One row per person works;
 * so does one row per (country, region, categories) with counts, as the scoping stage can group them.
 */
export interface SubjectGroup {
  /** ISO 3166-1 alpha-2 country, or null when the records do not say. */
  country: string | null;
  /** ISO 3166-2 subdivision such as `US-CA` (`CA` alone is read within the country), or null. */
  region: string | null;
  exposed: readonly Category[];
  subjects: number;
  records: number;
}

export function countSubjects(groups: readonly SubjectGroup[]): number {
  return groups.reduce((sum, group) => sum + group.subjects, 0);
}

export function countRecords(groups: readonly SubjectGroup[]): number {
  return groups.reduce((sum, group) => sum + group.records, 0);
}
