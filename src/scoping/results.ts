import { sql, type Compilable, type Kysely, type Selectable } from 'kysely';
import type { Context } from '../context.ts';
import { executeBuiltOnce, type AffectedTable, type Tables } from '../db/index.ts';
import { getIncident, incidentIdOf } from '../incidents/index.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
import { categoriesOf, categoryBit, type Category } from '../domain/index.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { csvLine } from '../lib/csv.ts';
import type { PurgedReach } from './purge.ts';
import { AFFECTED_CSV_HEADER, affectedCsvCells } from './views.ts';

/** The newest scope run of an incident: later stages work from it. */
export async function latestRun(db: Kysely<Tables>, incidentId: string): Promise<number> {
  const row = await db.selectFrom('scope_runs').select((eb) => eb.fn.max('run').as('run')).where('incident_id', '=', incidentId).executeTakeFirst();
  if (row?.run == null) {
    throw new TocsinError('NO_SCOPE_RUN', `incident ${incidentId} has not been scoped yet; scope it with the rules and the logs first`, { kind: 'conflict', next: { action: 'scope', incident_id: incidentId } });
  }
  return Number(row.run);
}

export interface AffectedSubject {
  email: string;
  subject: string;
  name: string | null;
  locale: string | null;
  country: string | null;
  region: string | null;
  exposed: Category[];
  notExposed: Category[];
  firstAccess: string;
  lastAccess: string;
  requests: number;
  records: string[];
}

/** Everyone the run found affected, with what was and was not exposed, sorted by subject. */
export async function affectedSubjects(ctx: Pick<Context, 'db'>, incidentId: string, run?: number): Promise<{ run: number; subjects: AffectedSubject[] }> {
  const incident = await getIncident(ctx, incidentId);
  const chosen = run ?? (await latestRun(ctx.db, incident.id));
  const rows = await ctx.db.selectFrom('affected as a').select(PAGE_COLUMNS).where('a.incident_id', '=', incident.id).where('a.run', '=', chosen).orderBy('a.subject').execute();
  return { run: chosen, subjects: rows.map(affectedSubject) };
}

export interface AffectedPageQuery {
  limit: number;
  /** The last subject of the page before (next_cursor), to go on after it. */
  after?: string;
  /** Part of the email address, in any case. */
  q?: string;
  /** Only people who lost this category. */
  category?: Category;
  /** Only people of this country (ISO 3166-1): their country as notices take it, when the run was made. */
  country?: string;
}

/** What a person's view takes of their affected row: all of it but the incident. */
const PAGE_COLUMNS = ['a.subject', 'a.run', 'a.first_access', 'a.last_access', 'a.requests', 'a.records', 'a.exposed', 'a.not_exposed', 'a.country', 'a.email', 'a.name', 'a.locale', 'a.region'] as const;
type AffectedRow = Omit<Selectable<AffectedTable>, 'incident_id' | 'person_json'>;

/**
 * One page of the latest run's affected people, by subject, after a cursor: keyset paging, so
 * the millionth person costs what the first does. `next` is the page's last subject when more may follow.
 * One query reads the page from the affected rows alone (pageRows); only an empty page asks
 * again, to tell an unknown incident or one not scoped yet from the list's end.
 */
export async function affectedPage(ctx: Pick<Context, 'db'>, incidentId: string, query: AffectedPageQuery): Promise<{ run: number; subjects: AffectedSubject[]; next: string | null }> {
  const rows = await runPageStatement(ctx, 'affected', incidentId, query, (rows) => rows.select(PAGE_COLUMNS));
  if (rows.length === 0) return { ...(await emptyPage(ctx, incidentId)), subjects: [] };
  const subjects = rows.map(affectedSubject);
  const next = subjects.length === query.limit ? subjects[subjects.length - 1].subject : null;
  return { run: Number(rows[0].run), subjects, next };
}

/**
 * A page's statement, which `select` makes of the page's rows (pageRows): prepared on PostgreSQL,
 * a statement per combination of filters (`name` and the filters given), which took a fifth off
 * its backend's CPU a page (0.21–0.27 → 0.17–0.21 ms, 2,000 pages of each filter of bench:api's
 * shop, in-process); built once (executeBuiltOnce); and planned once per connection unless it
 * searches (executePrepared's plannedOnce). A filter walks an index in the list's order, a page like the one
 * before; for a rare part of an address, PostgreSQL reads the whole run in parallel and sorts
 * what it finds (146 ms in bench:api's shop) where walking the list took 342 ms.
 */
function runPageStatement<Row>(ctx: Pick<Context, 'db'>, name: string, incidentId: string, query: AffectedPageQuery, select: (rows: ReturnType<typeof pageRows>) => Compilable<Row>): Promise<Row[]> {
  const values = pageValues(incidentId, query);
  const variant = ['page', values.after !== undefined && 'after', values.pattern !== undefined && 'q', values.categoryBit !== undefined && 'category', values.country !== undefined && 'country'];
  return executeBuiltOnce(ctx.db, `${name}_${variant.filter(Boolean).join('_')}`, values, (placeheld) => select(pageRows(ctx.db, placeheld)), { plannedOnce: values.pattern === undefined });
}

/**
 * The same page as JSON text, each person as affectedPersonView writes them: the texts the scope
 * run stored (person_json), joined by the database. A hundred people as objects, their views and
 * JSON.stringify cost the server twice the query; a hundred rows of their texts, half the query
 * and much garbage. In-process, 1,000 pages of bench:api's shop filtered by country, PostgreSQL:
 * from objects 0.70 ms of Node's CPU a page; from rows of texts 0.39, its backend 0.34; joined
 * 0.22, its backend 0.40. Both databases join the ordered subquery's rows as they come, which
 * PostgreSQL's manual says "will usually work" (Aggregate Functions) when nothing between them
 * reorders rows, as nothing here does: sorting them again in the aggregate cost a fifth of the
 * query on each (pgbench, the page by country of bench:api's shop: 0.44–0.48 → 0.37–0.39 ms).
 * Were a page's people ever joined out of order, it would still hold the same people, and the
 * cursor (their greatest subject) would still go on after the last of them.
 */
export async function affectedPageJson(ctx: Pick<Context, 'db' | 'dialect'>, incidentId: string, query: AffectedPageQuery): Promise<{ run: number; items: string; next: string | null }> {
  const joined = ctx.dialect === 'sqlite' ? sql<string>`group_concat(p.person_json, ',')` : sql<string>`string_agg(p.person_json, ',')`;
  const [page] = await runPageStatement(ctx, 'affected_json', incidentId, query, (rows) =>
    ctx.db.selectFrom(rows.select(['a.run', 'a.subject', 'a.person_json']).as('p')).select((eb) => [eb.fn.max('p.run').as('run'), eb.fn.countAll<number>().as('people'), eb.fn.max('p.subject').as('last'), joined.as('items')]),
  );
  if (page.run === null) return { ...(await emptyPage(ctx, incidentId)), items: '[]' };
  return { run: Number(page.run), items: `[${page.items}]`, next: page.people === query.limit ? page.last : null };
}

/** A page's query as values: the statement's parameters, each filter's undefined when not given. */
interface PageValues {
  incidentId: string;
  after: string | undefined;
  /** `q` as a LIKE pattern. */
  pattern: string | undefined;
  categoryBit: number | undefined;
  country: string | undefined;
  limit: number;
}

function pageValues(incidentId: string, query: AffectedPageQuery): PageValues {
  return {
    incidentId: incidentIdOf(incidentId),
    after: query.after,
    pattern: query.q ? `%${escapeLike(query.q.toLowerCase())}%` : undefined,
    categoryBit: query.category ? categoryBit(query.category) : undefined,
    country: query.country ? query.country.toUpperCase() : undefined,
    limit: query.limit,
  };
}

/**
 * The rows of a page, filtered, in order, for the caller to choose the columns of. A country filter pages through the index of (run,
 * country, subject), which carries the exposed mask for a category filter beside it; a category
 * alone walks the run's rows in order. The latest run is found by a subquery.
 */
function pageRows(db: Kysely<Tables>, values: PageValues) {
  const latest = db.selectFrom('scope_runs').select((eb) => eb.fn.max('run').as('run')).where('incident_id', '=', values.incidentId);
  let select = db.selectFrom('affected as a').where('a.incident_id', '=', values.incidentId).where('a.run', '=', latest);
  if (values.after !== undefined) select = select.where('a.subject', '>', values.after);
  if (values.pattern !== undefined) select = select.where(sql<boolean>`a.subject like ${values.pattern} escape '\\'`);
  if (values.categoryBit !== undefined) select = select.where(sql<boolean>`(a.exposed & ${values.categoryBit}) <> 0`);
  if (values.country !== undefined) select = select.where('a.country', '=', values.country);
  return select.orderBy('a.subject').limit(values.limit);
}

/** An empty page's run: the latest, or the error of an unknown incident or one not scoped yet. */
async function emptyPage(ctx: Pick<Context, 'db'>, incidentId: string): Promise<{ run: number; next: null }> {
  const incident = await getIncident(ctx, incidentId);
  return { run: await latestRun(ctx.db, incident.id), next: null };
}

/** Rows read per query while writing the CSV: memory stays bounded however many people there are. */
const CSV_PAGE = 1000;

/**
 * The latest run's affected people under the page's filters, as CSV text in chunks of a page: the
 * first page is read before anything is returned, so an unknown incident fails before a download starts.
 */
export async function affectedCsv(
  ctx: Pick<Context, 'db' | 'dialect'>,
  incidentId: string,
  filters: Omit<AffectedPageQuery, 'limit' | 'after'>,
  pageSize = CSV_PAGE,
): Promise<{ run: number; chunks: AsyncIterable<string> }> {
  const first = await affectedPage(ctx, incidentId, { ...filters, limit: pageSize });
  const text = (subjects: AffectedSubject[]) => subjects.map((subject) => csvLine(affectedCsvCells(subject))).join('');
  async function* chunks() {
    yield csvLine(AFFECTED_CSV_HEADER) + text(first.subjects);
    for (let after = first.next; after !== null; ) {
      const page = await affectedPage(ctx, incidentId, { ...filters, limit: pageSize, after });
      yield text(page.subjects);
      after = page.next;
    }
  }
  return { run: first.run, chunks: chunks() };
}

/** `q` matched literally: LIKE's wildcards and its escape character stand for themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function affectedSubject(row: AffectedRow): AffectedSubject {
  return {
    email: row.email ?? row.subject,
    subject: row.subject,
    name: row.name,
    locale: row.locale,
    country: row.country,
    region: row.region,
    exposed: categoriesOf(row.exposed),
    notExposed: categoriesOf(row.not_exposed),
    firstAccess: row.first_access,
    lastAccess: row.last_access,
    requests: row.requests,
    records: JSON.parse(row.records) as string[],
  };
}

export interface Explanation {
  email: string;
  subject: string;
  run: number;
  affected: boolean;
  /** The subject's records, by key. */
  records: string[];
  exposed: Category[];
  notExposed: Category[];
  requests: (AttackerRequest & { record: string; exposes: boolean })[];
}

/** One of the attacker's requests through a rule, where the logs have it. */
export interface AttackerRequest {
  file: string;
  line: number;
  at: string;
  request: string;
  status: number | null;
  /** The client's address; `peer` the connecting proxy's, when the client's was resolved from X-Forwarded-For. */
  ip: string | null;
  peer: string | null;
  rule: string;
  indicator: string;
}

type RequestRow = { path: string; line: number; at: string; request: string; status: number | null; ip: string | null; peer: string | null; rule: string; indicator: string };

function attackerRequest(row: RequestRow): AttackerRequest {
  return { file: row.path, line: Number(row.line), at: row.at, request: row.request, status: row.status === null ? null : Number(row.status), ip: row.ip, peer: row.peer, rule: row.rule, indicator: row.indicator };
}

/** Why one person is, or is not, affected: each attacker request that named one of their records. */
export async function explainSubject(ctx: Pick<Context, 'db'>, incidentId: string, email: string): Promise<Explanation> {
  const incident = await getIncident(ctx, incidentId);
  const subject = normalizeEmail(email);
  if (subject === null) throw invalidInput('BAD_EMAIL', `'${email}' is not an email address`);
  const run = await latestRun(ctx.db, incident.id);
  const records = await ctx.db.selectFrom('records').select('key').where('incident_id', '=', incident.id).where('subject', '=', subject).orderBy('key').execute();
  const affected = await ctx.db
    .selectFrom('affected')
    .select(['exposed', 'not_exposed'])
    .where('incident_id', '=', incident.id)
    .where('run', '=', run)
    .where('subject', '=', subject)
    .executeTakeFirst();
  const evidence = await ctx.db
    .selectFrom('exposure_evidence')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .where('run', '=', run)
    .where('subject', '=', subject)
    .orderBy('at')
    .orderBy('path')
    .orderBy('line')
    .execute();
  return {
    email,
    subject,
    run,
    affected: affected !== undefined,
    records: records.map((row) => row.key),
    exposed: categoriesOf(affected?.exposed ?? 0),
    notExposed: categoriesOf(affected?.not_exposed ?? 0),
    requests: evidence.map((row) => ({
      ...attackerRequest(row),
      record: row.record_key,
      exposes: row.exposes === 1,
    })),
  };
}

/** A revealing request of the attacker's whose bound value named no imported record. */
export interface UnknownRead extends AttackerRequest {
  value: string;
  column: string;
  /** When the record it named was deleted by a purge; null when Tocsin never held it. */
  purged_at: string | null;
  /** The row the import quarantined that this value belongs to: a person missing from the affected list; null when none does. */
  quarantined_row: { file: string; line: number; reason: string } | null;
}

/**
 * The values the attacker read that matched no record in a run (the latest unless `run` is
 * given), in log order: each is someone who may be missing from the affected list, because the
 * export left their record out, the import quarantined it (named, when its values matched), or
 * a purge deleted it.
 */
export async function unknownReads(ctx: Pick<Context, 'db'>, incidentId: string, run?: number): Promise<{ run: number; reads: UnknownRead[] }> {
  const incident = await getIncident(ctx, incidentId);
  const chosen = run ?? (await latestRun(ctx.db, incident.id));
  const rows = await ctx.db
    .selectFrom('unknown_reads as u')
    .leftJoin('purges as p', (join) => join.onRef('p.incident_id', '=', 'u.incident_id').onRef('p.purge', '=', 'u.purge'))
    .leftJoin('quarantine as q', (join) =>
      join.onRef('q.incident_id', '=', 'u.incident_id').onRef('q.import_id', '=', 'u.quarantine_import').onRef('q.line', '=', 'u.quarantine_line'),
    )
    .select(['u.value', 'u.column_name', 'u.rule', 'u.path', 'u.line', 'u.at', 'u.request', 'u.status', 'u.ip', 'u.peer', 'u.indicator', 'p.at as purged_at'])
    .select(['q.path as quarantine_path', 'q.line as quarantine_line', 'q.reason as quarantine_reason'])
    .where('u.incident_id', '=', incident.id)
    .where('u.run', '=', chosen)
    .orderBy('u.path')
    .orderBy('u.line')
    .orderBy('u.column_name')
    .execute();
  return {
    run: chosen,
    reads: rows.map((row) => ({
      value: row.value,
      column: row.column_name,
      ...attackerRequest(row),
      purged_at: row.purged_at,
      quarantined_row: row.quarantine_path === null ? null : { file: row.quarantine_path, line: Number(row.quarantine_line), reason: row.quarantine_reason! },
    })),
  };
}

export interface EvidenceFile {
  kind: 'records' | 'log';
  path: string;
  sha256: string;
  bytes: number;
  lines: number | null;
  unparseable: number | null;
  truncated: number | null;
  firstTime: string | null;
  lastTime: string | null;
  error: string | null;
  /** Scope runs (for logs) or the import number (for records) that read it. */
  usedBy: string;
}

/** Every input file of the incident, with its SHA-256: imported exports and the logs of each scope run. */
export async function evidenceFiles(ctx: Pick<Context, 'db'>, incidentId: string): Promise<EvidenceFile[]> {
  const incident = await getIncident(ctx, incidentId);
  const imports = await ctx.db.selectFrom('imports').selectAll().where('incident_id', '=', incident.id).orderBy('id').execute();
  const logs = await ctx.db.selectFrom('evidence').selectAll().where('incident_id', '=', incident.id).orderBy('run').orderBy('path').execute();
  const files: EvidenceFile[] = imports.map((row) => ({
    kind: 'records',
    path: row.path,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    lines: row.rows_read,
    unparseable: row.quarantined,
    truncated: null,
    firstTime: null,
    lastTime: null,
    error: null,
    usedBy: `import ${row.id}`,
  }));
  // A log read by several runs is one piece of evidence as long as its bytes are the same.
  const byContent = new Map<string, EvidenceFile>();
  for (const row of logs) {
    const seen = byContent.get(`${row.path}\0${row.sha256}`);
    if (seen) {
      seen.usedBy += `, ${row.run}`;
      continue;
    }
    const file: EvidenceFile = {
      kind: 'log',
      path: row.path,
      sha256: row.sha256,
      bytes: Number(row.bytes),
      lines: Number(row.lines),
      unparseable: Number(row.unparseable),
      truncated: row.truncated,
      firstTime: row.first_time,
      lastTime: row.last_time,
      error: row.error,
      usedBy: `scope run ${row.run}`,
    };
    byContent.set(`${row.path}\0${row.sha256}`, file);
    files.push(file);
  }
  return files;
}

export interface RunDiff {
  from: number;
  to: number;
  /** Affected in `to`, not in `from`. */
  added: { subject: string; exposed: Category[] }[];
  /** Affected in `from`, no longer in `to`. */
  removed: { subject: string; exposed: Category[] }[];
  /** Affected in both, with other categories. */
  changed: { subject: string; before: Category[]; after: Category[] }[];
  /** Requests of `to` that reached purged records: people neither list can show (purgedWarning). */
  purged: PurgedReach;
}

/** Two of an incident's scope runs to compare; the latest and the one before it where left out. */
export interface RunPair {
  from?: number;
  to?: number;
}

/** Who became affected, or stopped being affected, between two runs: by default the last two. */
export async function diffRuns(ctx: Pick<Context, 'db'>, incidentId: string, pair: RunPair = {}): Promise<RunDiff> {
  const incident = await getIncident(ctx, incidentId);
  const latest = await latestRun(ctx.db, incident.id);
  const to = pair.to ?? latest;
  const from = pair.from ?? to - 1;
  if (pair.from === undefined && to === 1) {
    if (latest < 2) throw new TocsinError('ONE_SCOPE_RUN', `incident ${incident.id} has only one scope run; scope it again with new rules or logs to compare`, { kind: 'conflict', next: { action: 'scope', incident_id: incident.id } });
    throw invalidInput('NO_EARLIER_RUN', `run 1 is incident ${incident.id}'s first scope run, with none before it; name the run to compare it with (from)`);
  }
  for (const run of [from, to]) {
    if (run < 1 || run > latest) throw new TocsinError('SCOPE_RUN_NOT_FOUND', `incident ${incident.id} has no scope run ${run}; its runs are 1 to ${latest}`, { kind: 'not_found' });
  }
  const [before, after] = await Promise.all([exposedByRun(ctx.db, incident.id, from), exposedByRun(ctx.db, incident.id, to)]);
  const diff: RunDiff = { from, to, added: [], removed: [], changed: [], purged: await purgedReachOf(ctx.db, incident.id, to) };
  for (const [subject, exposed] of after) {
    const previous = before.get(subject);
    if (!previous) diff.added.push({ subject, exposed });
    else if (previous.join() !== exposed.join()) diff.changed.push({ subject, before: previous, after: exposed });
  }
  for (const [subject, exposed] of before) if (!after.has(subject)) diff.removed.push({ subject, exposed });
  return diff;
}

/** What a stored run found of purged records. */
async function purgedReachOf(db: Kysely<Tables>, incidentId: string, run: number): Promise<PurgedReach> {
  const row = await db.selectFrom('scope_runs').select(['purged_requests', 'purged_at']).where('incident_id', '=', incidentId).where('run', '=', run).executeTakeFirstOrThrow();
  return { requests: row.purged_requests, purgedAt: row.purged_at === null ? [] : (JSON.parse(row.purged_at) as string[]) };
}

async function exposedByRun(db: Kysely<Tables>, incidentId: string, run: number): Promise<Map<string, Category[]>> {
  const rows = await db.selectFrom('affected').select(['subject', 'exposed']).where('incident_id', '=', incidentId).where('run', '=', run).orderBy('subject').execute();
  return new Map(rows.map((row) => [row.subject, categoriesOf(row.exposed)]));
}
