import { sortCategories, type Category } from '../records/categories.ts';
import type { Hit } from './hits.ts';

/** What computeExposures needs of a scanner hit: an attacker's request that named a record through a rule. */
export type AttackerRequest = Pick<Hit, 'file' | 'line' | 'time' | 'method' | 'target' | 'status' | 'rule' | 'column' | 'value' | 'ip' | 'indicator' | 'exposes'>;

export interface HeldRecord {
  key: string;
  subject: string;
  /** Categories the record has a value for. */
  categories: Category[];
}

export interface ExposureInput {
  requests: Iterable<AttackerRequest>;
  /** Rule name → categories it exposes. */
  rules: ReadonlyMap<string, readonly Category[]>;
  /** lookupKey(column, value) → keys of the records holding that value. */
  keysByValue: ReadonlyMap<string, readonly string[]>;
  /** The records requests named, and all other records of their subjects, by key. */
  records: ReadonlyMap<string, HeldRecord>;
  recordsBySubject: ReadonlyMap<string, readonly string[]>;
}

export interface CategoryExposure {
  category: Category;
  firstAccess: number;
  lastAccess: number;
  requests: number;
}

export interface SubjectExposure {
  subject: string;
  exposed: CategoryExposure[];
  notExposed: Category[];
  /** Keys of the records the attacker read, sorted. */
  records: string[];
  firstAccess: number;
  lastAccess: number;
  /** Revealing requests that named any of the subject's records. */
  requests: number;
}

/** One request × one record it named: the file and line behind an exposure, or a miss that revealed nothing. */
export interface EvidenceLink {
  subject: string;
  recordKey: string;
  request: AttackerRequest;
}

export interface ExposureResult {
  subjects: SubjectExposure[];
  evidence: EvidenceLink[];
  /** Revealing requests whose value matched no record: nothing of ours was read, but worth a look. */
  unknownValues: number;
}

export const lookupKey = (column: string, value: string): string => `${column}\0${value}`;

/**
 * The exposure rules applied, exactly: the subject of each record a revealing request named
 * gets the rule's categories; categories its records hold that no revealing request exposed
 * are not exposed. Requests that named a record without revealing it (404, 429…) are kept as
 * evidence and expose nothing.
 */
export function computeExposures(input: ExposureInput): ExposureResult {
  const exposedBySubject = new Map<string, { categories: Map<Category, CategoryExposure>; records: Set<string>; requests: Set<AttackerRequest> }>();
  const evidence: EvidenceLink[] = [];
  let unknownValues = 0;

  for (const request of input.requests) {
    const keys = input.keysByValue.get(lookupKey(request.column, request.value));
    if (!keys || keys.length === 0) {
      if (request.exposes) unknownValues++;
      continue;
    }
    for (const key of keys) {
      const record = input.records.get(key);
      if (!record) continue;
      evidence.push({ subject: record.subject, recordKey: key, request });
      if (!request.exposes) continue;
      let subject = exposedBySubject.get(record.subject);
      if (!subject) exposedBySubject.set(record.subject, (subject = { categories: new Map(), records: new Set(), requests: new Set() }));
      subject.records.add(key);
      subject.requests.add(request);
      for (const category of input.rules.get(request.rule) ?? []) {
        const seen = subject.categories.get(category);
        if (!seen) subject.categories.set(category, { category, firstAccess: request.time, lastAccess: request.time, requests: 1 });
        else {
          seen.firstAccess = Math.min(seen.firstAccess, request.time);
          seen.lastAccess = Math.max(seen.lastAccess, request.time);
          seen.requests++;
        }
      }
    }
  }

  const subjects = [...exposedBySubject].map(([subject, { categories, records, requests }]): SubjectExposure => {
    const held = new Set<Category>();
    for (const key of input.recordsBySubject.get(subject) ?? []) for (const category of input.records.get(key)?.categories ?? []) held.add(category);
    return {
      subject,
      exposed: sortCategories(categories.keys()).map((category) => categories.get(category)!),
      notExposed: sortCategories([...held].filter((category) => !categories.has(category))),
      records: [...records].sort(),
      firstAccess: Math.min(...[...categories.values()].map((exposure) => exposure.firstAccess)),
      lastAccess: Math.max(...[...categories.values()].map((exposure) => exposure.lastAccess)),
      requests: requests.size,
    };
  });
  subjects.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  return { subjects, evidence, unknownValues };
}
