/**
 * Duplicates with proof. When a report comes in, its keys are kept: the endpoints (URL paths) its
 * text names and the LSH band keys of its text (src/lib/minhash.ts). The triage team is shown the
 * earlier reports it may duplicate (same asset with the same weakness or endpoint, or a text
 * alike) with why each is a candidate; a report closed as a duplicate shows its researcher the
 * original's submission time and state; and the original lists who reported it after.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/index.ts';
import { TEXT_BANDS, textBands } from '../lib/minhash.ts';
import type { ReportState } from './report-rules.ts';

/** How many endpoints of one report are kept: a report naming more is a scan's output, and its first ones say enough. */
const MAX_ENDPOINTS = 20;
const MAX_ENDPOINT_LENGTH = 200;
/** The candidates shown for one report, the likeliest first. */
const MAX_CANDIDATES = 10;

/** URLs, and paths standing alone (`GET /api/orders/1`, `` `/account/export` ``): what a report says it reached. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`)\]]+/gi;
const PATH_PATTERN = /(?<=^|[\s(`'"[])\/[A-Za-z0-9._~%-]+(?:\/[A-Za-z0-9._~%{}:-]*)*/gm;
/** Segments that identify a record rather than name a route: numbers, UUIDs, long hex, placeholders (`{id}`, `:id`). */
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[a-z]*\d)[0-9a-f]{8,}|\{[^}]*\}|:[a-z_]+)$/;

/** A path as routes are told apart: lower case, record ids as `:id`, no query, no trailing slash; null for the bare root. */
export function normalisedEndpoint(path: string): string | null {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A broken escape is kept as typed.
  }
  const segments = decoded
    .split(/[?#]/)[0]
    .toLowerCase()
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment));
  if (segments.length === 0) return null;
  const endpoint = `/${segments.join('/')}`;
  return endpoint.length > MAX_ENDPOINT_LENGTH ? null : endpoint;
}

/** The endpoints a report's text names, normalised, once each, in the order they first appear. */
export function endpointsIn(text: string): string[] {
  // A sentence's full stop or comma after a URL or path is no part of it.
  const trimmed = (match: string) => match.replace(/[.,;:!?]+$/, '');
  const paths = [...text.matchAll(URL_PATTERN)].flatMap(([url]) => (URL.canParse(trimmed(url)) ? [new URL(trimmed(url)).pathname] : []));
  paths.push(...[...text.matchAll(PATH_PATTERN)].map(([path]) => trimmed(path)));
  const found = new Set<string>();
  for (const path of paths) {
    const endpoint = normalisedEndpoint(path);
    if (endpoint !== null) found.add(endpoint);
    if (found.size === MAX_ENDPOINTS) break;
  }
  return [...found];
}

export interface ComparedText {
  title: string;
  description: string;
  steps: string;
  impact: string;
}

/**
 * What a report is compared by: the endpoints it names anywhere, and the band keys of what it
 * says it found and how (title, description, steps; impacts read alike from one report to another).
 */
export function reportKeys(report: ComparedText): { kind: 'endpoint' | 'text'; value: string }[] {
  const endpoints = endpointsIn([report.title, report.description, report.steps, report.impact].join('\n'));
  const bands = textBands([report.title, report.description, report.steps].join('\n'));
  return [...endpoints.map((value) => ({ kind: 'endpoint' as const, value })), ...bands.map((value) => ({ kind: 'text' as const, value }))];
}

/** Keeps a new report's keys, in the transaction that keeps the report. */
export async function keepReportKeys(trx: Kysely<Tables>, reference: string, report: ComparedText): Promise<void> {
  const keys = reportKeys(report);
  if (keys.length > 0) await trx.insertInto('bounty_report_keys').values(keys.map((key) => ({ report_reference: reference, ...key }))).execute();
}

/** An earlier report the triage team should compare with, and what it has in common with this one. */
export interface DuplicateCandidate {
  reference: string;
  title: string;
  state: ReportState;
  /** Its own original, when it was closed as a duplicate: the report to name instead. */
  duplicate_of: string | null;
  submitted_at: string;
  same_asset: boolean;
  same_weakness: boolean;
  /** The endpoints both reports name. */
  shared_endpoints: string[];
  /** How many of the TEXT_BANDS band keys of their texts are equal: 0 for texts unalike, more the more alike. */
  shared_text_bands: number;
}

/**
 * The earlier reports `row` may duplicate: on the same asset with the same weakness or a shared
 * endpoint, or with a text alike (a shared band key), spam left out; the likeliest first (a shared
 * endpoint, then the weakness, the asset and how alike the texts are), at most MAX_CANDIDATES.
 */
export async function duplicateCandidates(db: Kysely<Tables>, row: Tables['bounty_reports']): Promise<DuplicateCandidate[]> {
  const own = await db.selectFrom('bounty_report_keys').select(['kind', 'value']).where('report_reference', '=', row.reference).execute();
  const shared = new Map<string, { endpoints: string[]; bands: number }>();
  if (own.length > 0) {
    const ownKeys = new Set(own.map((key) => `${key.kind}:${key.value}`));
    const matches = await db
      .selectFrom('bounty_report_keys')
      .select(['report_reference', 'kind', 'value'])
      .where('value', 'in', [...new Set(own.map((key) => key.value))])
      .where('report_reference', '!=', row.reference)
      .execute();
    for (const match of matches) {
      if (!ownKeys.has(`${match.kind}:${match.value}`)) continue;
      const entry = shared.get(match.report_reference) ?? { endpoints: [], bands: 0 };
      if (match.kind === 'endpoint') entry.endpoints.push(match.value);
      else entry.bands++;
      shared.set(match.report_reference, entry);
    }
  }
  const reportsBefore = () =>
    db
      .selectFrom('bounty_reports')
      .selectAll()
      .where('reference', '!=', row.reference)
      .where('state', '!=', 'spam')
      .where((eb) => eb.or([eb('submitted_at', '<', row.submitted_at), eb.and([eb('submitted_at', '=', row.submitted_at), eb('reference', '<', row.reference)])]));
  const onAssetWithWeakness = await reportsBefore().where('asset', '=', row.asset).where('weakness', '=', row.weakness).orderBy('submitted_at', 'desc').limit(MAX_CANDIDATES * 5).execute();
  const byKeys = shared.size === 0 ? [] : await reportsBefore().where('reference', 'in', [...shared.keys()]).execute();
  const rows = new Map([...onAssetWithWeakness, ...byKeys].map((candidate) => [candidate.reference, candidate]));
  const candidates = [...rows.values()].flatMap((candidate): DuplicateCandidate[] => {
    const keys = shared.get(candidate.reference) ?? { endpoints: [], bands: 0 };
    const sameAsset = candidate.asset === row.asset;
    const sameWeakness = candidate.weakness === row.weakness;
    const endpoints = [...keys.endpoints].sort();
    if (!(keys.bands > 0 || (sameAsset && (sameWeakness || endpoints.length > 0)))) return [];
    return [
      {
        reference: candidate.reference,
        title: candidate.title,
        state: candidate.state as ReportState,
        duplicate_of: candidate.duplicate_of,
        submitted_at: candidate.submitted_at,
        same_asset: sameAsset,
        same_weakness: sameWeakness,
        shared_endpoints: endpoints,
        shared_text_bands: keys.bands,
      },
    ];
  });
  const likelihood = (candidate: DuplicateCandidate) =>
    (candidate.shared_endpoints.length > 0 ? 4 : 0) + (candidate.same_weakness ? 2 : 0) + (candidate.same_asset ? 1 : 0) + (4 * candidate.shared_text_bands) / TEXT_BANDS;
  return candidates.sort((a, b) => likelihood(b) - likelihood(a) || a.submitted_at.localeCompare(b.submitted_at)).slice(0, MAX_CANDIDATES);
}

/** What a candidate has in common with the report, in a few words: `asset`, `weakness`, the shared endpoints, `text (2/20 bands)`. */
export function inCommon(candidate: DuplicateCandidate): string[] {
  return [
    ...(candidate.same_asset ? ['asset'] : []),
    ...(candidate.same_weakness ? ['weakness'] : []),
    ...candidate.shared_endpoints,
    ...(candidate.shared_text_bands > 0 ? [`text (${candidate.shared_text_bands}/${TEXT_BANDS} bands)`] : []),
  ];
}

/** The original of a report closed as a duplicate, as its researcher is shown it: when it was submitted and what state it is in. */
export async function duplicateOriginal(db: Kysely<Tables>, row: Pick<Tables['bounty_reports'], 'duplicate_of'>): Promise<{ reference: string; submitted_at: string; state: ReportState } | null> {
  if (row.duplicate_of === null) return null;
  const original = await db.selectFrom('bounty_reports').select(['reference', 'submitted_at', 'state']).where('reference', '=', row.duplicate_of).executeTakeFirst();
  return original ? { reference: original.reference, submitted_at: original.submitted_at, state: original.state as ReportState } : null;
}

/**
 * Who reported `reference` after its researcher: the reports closed as its duplicates, the
 * earliest first, with their researchers (ids: how a researcher is named when the report is
 * disclosed is the disclosure's to decide). The triage view shows them as `duplicates`.
 */
export async function reportedAfter(db: Kysely<Tables>, reference: string): Promise<{ reference: string; researcher_id: string | null; submitted_at: string }[]> {
  return db
    .selectFrom('bounty_reports')
    .select(['reference', 'researcher_id', 'submitted_at'])
    .where('duplicate_of', '=', reference)
    .where('state', '=', 'duplicate')
    .orderBy('submitted_at')
    .orderBy('reference')
    .execute();
}
