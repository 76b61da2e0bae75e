/**
 * The exposure rules applied, set-based in the database: the attacker's requests stream into a
 * scratch table while the logs are scanned, and a few INSERT … SELECT statements turn them into
 * the run's evidence, exposures and affected subjects. Nothing grows in memory with the size of
 * the breach, and no row crosses into JavaScript and back.
 *
 * Exactly: the subject of each record a revealing request named gets the rule's categories;
 * categories its records hold that no revealing request exposed are not exposed. Requests that
 * named a record without revealing it (404, 429…) are kept as evidence and expose nothing.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { affectedPersonJson, bulkInsert, bulkInsertValues, type Dialect, personAddressing, personCountry, type Tables } from '../db/index.ts';
import { CATEGORIES, type Category, categoryBit, categoryMask } from '../domain/index.ts';
import type { Hit } from './hits.ts';
import type { BindableColumns } from './records-index.ts';

const SCRATCH_TABLES = ['scope_hits', 'scope_files', 'scope_rules', 'scope_reads'] as const;

const HIT_COLUMNS = ['id', 'request_id', 'file_no', 'line', 'at', 'request', 'status', 'exposes', 'rule', 'column_name', 'value', 'ip', 'peer', 'indicator'] as const;

/** Hits buffered before they are written: a few multi-row statements' worth. */
const FLUSH_HITS = 1024;
/** Hits found but not yet written beyond which the scan waits for the database (`caughtUp`). */
const MAX_UNWRITTEN_HITS = 64 * 1024;

export interface RunTotals {
  /** Log lines of the attacker's that named a record through a rule. */
  attackerRequests: number;
  affected: number;
  exposedRecords: number;
  /** Revealing requests whose bound value matched no record: nothing of ours was read, but worth a look. */
  unknownValues: number;
  /** Affected subjects per exposed category, in the fixed category order. */
  categories: { category: Category; subjects: number }[];
}

/**
 * Takes a scan's hits as they come (`add`, synchronous, as `scanLogs`' onHits wants) and writes
 * them to the scratch table in the background; `finished` waits for the last write.
 */
export class AttackerRequests {
  readonly #db: Kysely<Tables>;
  readonly #dialect: Dialect;
  readonly #fileNo: Map<string, number>;
  /** The last line seen of each file, and its request id: a line's hits arrive together. */
  readonly #lastLine = new Map<string, { line: number; id: number }>();
  /** Rows of scope_hits, one after another. */
  #pending: unknown[] = [];
  #writing: Promise<void> = Promise.resolve();
  #failed: unknown = null;
  #hits = 0;
  #written = 0;
  #requests = 0;

  private constructor(db: Kysely<Tables>, dialect: Dialect, files: readonly string[]) {
    this.#db = db;
    this.#dialect = dialect;
    this.#fileNo = new Map(files.map((file, index) => [file, index]));
  }

  /** Makes the scratch tables in the transaction `trx`, and a writer into them. */
  static async open(trx: Kysely<Tables>, dialect: Dialect, files: readonly string[], rules: ReadonlyMap<string, readonly Category[]>): Promise<AttackerRequests> {
    for (const statement of scratchTableDdl(dialect)) await statement.execute(trx);
    await bulkInsert(trx, dialect, 'scope_files', ['file_no', 'path'], files.map((file, index) => [index, file]));
    await bulkInsert(trx, dialect, 'scope_rules', ['rule', 'exposes'], [...rules].map(([rule, categories]) => [rule, categoryMask(categories)]));
    return new AttackerRequests(trx, dialect, files);
  }

  get requests(): number {
    return this.#requests;
  }

  add(hits: readonly Hit[]): void {
    for (const hit of hits) {
      const last = this.#lastLine.get(hit.file);
      let requestId: number;
      if (last !== undefined && last.line === hit.line) requestId = last.id;
      else {
        requestId = ++this.#requests;
        this.#lastLine.set(hit.file, { line: hit.line, id: requestId });
      }
      this.#pending.push(
        ++this.#hits,
        requestId,
        this.#fileNo.get(hit.file)!,
        hit.line,
        new Date(hit.time).toISOString(),
        `${hit.method} ${hit.target}`,
        hit.status,
        hit.exposes ? 1 : 0,
        hit.rule,
        hit.column,
        hit.value,
        hit.ip,
        hit.peer,
        hit.indicator ?? '',
      );
    }
    if (this.#pending.length >= FLUSH_HITS * HIT_COLUMNS.length) this.#flush();
  }

  /**
   * Resolves at once while the database keeps up, else once it has written what it was given:
   * the scan's `ready`, so that a slow database (PostgreSQL far away, a huge breach) holds the
   * scan back instead of the hits piling up in memory.
   */
  async caughtUp(): Promise<void> {
    // A failed write stops the scan too (finished rethrows it): nothing it finds could be stored.
    if (this.#failed !== null || this.#hits - this.#written > MAX_UNWRITTEN_HITS) await this.finished();
  }

  /** Waits until every hit added is written; rethrows a failed write. */
  async finished(): Promise<void> {
    this.#flush();
    await this.#writing;
    if (this.#failed !== null) throw this.#failed;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const values = this.#pending;
    this.#pending = [];
    this.#writing = this.#writing.then(async () => {
      if (this.#failed !== null) return;
      try {
        await bulkInsertValues(this.#db, this.#dialect, 'scope_hits', HIT_COLUMNS, values);
        this.#written += values.length / HIT_COLUMNS.length;
      } catch (error) {
        this.#failed = error;
      }
    });
  }
}

function scratchTableDdl(dialect: Dialect): RawBuilder<unknown>[] {
  // Both keep TEMP tables in a cache of their own, 2 MB (SQLite) or 8 MB (PostgreSQL) unless
  // told: the hits of a big breach spill early. PostgreSQL takes it before a session's first TEMP table.
  const cache = dialect === 'sqlite' ? [sql`PRAGMA temp.cache_size = -65536`] : [sql`SET LOCAL temp_buffers = '64MB'`];
  return [
    ...cache,
    sql`CREATE TEMP TABLE scope_hits (
      id integer PRIMARY KEY, request_id integer NOT NULL, file_no integer NOT NULL, line integer NOT NULL, at text NOT NULL,
      request text NOT NULL, status integer, exposes integer NOT NULL, rule text NOT NULL, column_name text NOT NULL,
      value text NOT NULL, ip text, peer text, indicator text NOT NULL)`,
    sql`CREATE TEMP TABLE scope_files (file_no integer PRIMARY KEY, path text NOT NULL)`,
    sql`CREATE TEMP TABLE scope_rules (rule text PRIMARY KEY, exposes integer NOT NULL)`,
    sql`CREATE TEMP TABLE scope_reads (hit_id integer NOT NULL, record_key text NOT NULL, subject text NOT NULL)`,
  ];
}

export async function dropScratchTables(trx: Kysely<Tables>): Promise<void> {
  for (const table of SCRATCH_TABLES) await sql`DROP TABLE ${sql.table(table)}`.execute(trx);
}

/**
 * Resolves the hits written to the scratch table to records and subjects and stores the
 * results as run `run`: evidence per request and record, and the affected subjects with what
 * was and was not exposed of each.
 */
export async function storeExposures(trx: Kysely<Tables>, dialect: Dialect, incidentId: string, run: number, columns: BindableColumns): Promise<Omit<RunTotals, 'attackerRequests'>> {
  const keyColumns = [...columns.keyColumns];
  const lookupColumns = [...columns.lookupColumns];
  // PostgreSQL plans by statistics, which autovacuum never gathers for TEMP tables: without
  // them it hashes every lookup row for the hits (a second of a big run).
  const analyze = (table: (typeof SCRATCH_TABLES)[number]) => (dialect === 'postgres' ? sql`ANALYZE ${sql.table(table)}`.execute(trx) : undefined);
  await analyze('scope_hits');
  // Which records each hit named: by their key, or through the lookups of the columns rules bind.
  // CROSS JOIN makes SQLite go from the hits to the records, as PostgreSQL's statistics do:
  // SQLite knows nothing of a TEMP table's size and would otherwise walk every lookup row.
  if (keyColumns.length > 0) {
    await sql`INSERT INTO scope_reads (hit_id, record_key, subject)
      SELECT h.id, r.key, r.subject FROM scope_hits h CROSS JOIN records r
      WHERE h.column_name IN (${sql.join(keyColumns)}) AND r.incident_id = ${incidentId} AND r.key = h.value`.execute(trx);
  }
  if (lookupColumns.length > 0) {
    await sql`INSERT INTO scope_reads (hit_id, record_key, subject)
      SELECT DISTINCT h.id, r.key, r.subject FROM scope_hits h CROSS JOIN record_lookups l CROSS JOIN records r
      WHERE h.column_name IN (${sql.join(lookupColumns)})
        AND l.incident_id = ${incidentId} AND l.column_name = h.column_name AND l.value = h.value
        AND r.incident_id = ${incidentId} AND r.key = l.key`.execute(trx);
  }

  await analyze('scope_reads');
  // One evidence row per line and record: when two rules matched one line, the one that revealed the record speaks.
  // Rows go in in the order of the table's key, the first of each key kept: the index grows at
  // its end instead of everywhere (SQLite: 0.33 s of CPU instead of 0.37 for the benchmark's 98k rows, medians of 5).
  await sql`INSERT INTO exposure_evidence (incident_id, run, subject, record_key, rule, path, line, at, request, status, exposes, ip, peer, indicator)
    SELECT ${incidentId}, ${run}, m.subject, m.record_key, h.rule, f.path, h.line, h.at, h.request, h.status, h.exposes, h.ip, h.peer, h.indicator
    FROM scope_reads m JOIN scope_hits h ON h.id = m.hit_id JOIN scope_files f ON f.file_no = h.file_no
    WHERE true ORDER BY f.path, h.line, m.record_key, h.exposes DESC, h.id
    ON CONFLICT DO NOTHING`.execute(trx);

  // One row per affected subject: the categories the revealing requests exposed (the OR of
  // their rules' masks), what the subject's records hold that none exposed, and their country
  // to filter by, both read from the subject index alone, which carries each record's mask and
  // country; how to address them, from their records; and all of it as the API's list sends it,
  // for a page to read the affected rows alone.
  const addressing = personAddressing(dialect, sql.val(incidentId), sql.ref('s.subject'));
  await sql`INSERT INTO affected (incident_id, run, subject, first_access, last_access, requests, records, exposed, not_exposed, country, email, name, locale, region, person_json)
    SELECT ${incidentId}, ${run}, p.subject, p.first_access, p.last_access, p.requests, p.records, p.exposed, p.not_exposed, p.country,
      p.email, p.name, p.locale, p.region, ${affectedPersonJson(dialect, 'p')}
    FROM (
      SELECT s.subject, s.first_access, s.last_access, s.requests, s.records, s.exposed,
        (SELECT BIT_OR(r.held) FROM records r WHERE r.incident_id = ${incidentId} AND r.subject = s.subject) & ~s.exposed AS not_exposed,
        ${personCountry(sql.val(incidentId), sql.ref('s.subject'))} AS country,
        ${addressing.email} AS email, ${addressing.name} AS name, ${addressing.locale} AS locale, ${addressing.region} AS region
      FROM (
        SELECT m.subject, MIN(h.at) AS first_access, MAX(h.at) AS last_access, COUNT(DISTINCT h.request_id) AS requests,
          ${sortedJsonArray(dialect, sql.ref('m.record_key'))} AS records, BIT_OR(u.exposes) AS exposed
        FROM scope_reads m JOIN scope_hits h ON h.id = m.hit_id JOIN scope_rules u ON u.rule = h.rule
        WHERE h.exposes = 1
        GROUP BY m.subject
      ) s
    ) p`.execute(trx);

  // The revealing requests that named no record, each a person who may be missing from the list.
  await sql`INSERT INTO unknown_reads (incident_id, run, hit, rule, column_name, value, path, line, at, request, status, ip, peer, indicator)
    SELECT ${incidentId}, ${run}, h.id, h.rule, h.column_name, h.value, f.path, h.line, h.at, h.request, h.status, h.ip, h.peer, h.indicator
    FROM scope_hits h JOIN scope_files f ON f.file_no = h.file_no
    WHERE h.exposes = 1 AND h.id NOT IN (SELECT hit_id FROM scope_reads)`.execute(trx);

  return runTotals(trx, incidentId, run);
}

async function runTotals(db: Kysely<Tables>, incidentId: string, run: number): Promise<Omit<RunTotals, 'attackerRequests'>> {
  const { rows: [counts] } = await sql<{ affected: number; exposed_records: number; unknown_values: number }>`
    SELECT
      (SELECT COUNT(*) FROM affected WHERE incident_id = ${incidentId} AND run = ${run}) AS affected,
      (SELECT COUNT(DISTINCT m.record_key) FROM scope_reads m JOIN scope_hits h ON h.id = m.hit_id WHERE h.exposes = 1) AS exposed_records,
      (SELECT COUNT(*) FROM unknown_reads WHERE incident_id = ${incidentId} AND run = ${run}) AS unknown_values`.execute(db);
  return {
    affected: Number(counts.affected),
    exposedRecords: Number(counts.exposed_records),
    unknownValues: Number(counts.unknown_values),
    categories: await affectedPerCategory(db, incidentId, run),
  };
}

/** A run's affected subjects per exposed category, in the fixed category order, the categories nobody lost left out. */
export async function affectedPerCategory(db: Kysely<Tables>, incidentId: string, run: number): Promise<{ category: Category; subjects: number }[]> {
  // Every category's count in one pass over the run's rows: a pass per category took ten times as long, a join with the categories would sort them all.
  const counted = CATEGORIES.map((category, k) => sql`COUNT(*) FILTER (WHERE (exposed & ${sql.lit(categoryBit(category))}) <> 0) AS ${sql.ref(`c${k}`)}`);
  const { rows: [perCategory] } = await sql<Record<string, number>>`
    SELECT ${sql.join(counted)} FROM affected WHERE incident_id = ${incidentId} AND run = ${run}`.execute(db);
  return CATEGORIES.map((category, k) => ({ category, subjects: Number(perCategory[`c${k}`]) })).filter((row) => row.subjects > 0);
}

/** The distinct values of `column` in the group as a compact JSON array (as JSON.stringify writes it: json_agg puts spaces in), sorted by code point as JavaScript would. */
function sortedJsonArray(dialect: Dialect, column: RawBuilder<unknown> | ReturnType<typeof sql.ref>): RawBuilder<string> {
  return dialect === 'sqlite'
    ? sql<string>`json_group_array(DISTINCT ${column} ORDER BY ${column})`
    : sql<string>`array_to_json(array_agg(DISTINCT ${column} COLLATE "C" ORDER BY ${column} COLLATE "C"))::text`;
}
