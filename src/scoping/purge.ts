/**
 * Data minimization: the imported records of everyone the latest scope run did not find
 * affected are deleted, and so is every row that names them (earlier runs' results and
 * evidence). People who already have a notice are kept: their notice is built, perhaps sent,
 * and must stay provable. The space the rows held is then rewritten (SQLite: VACUUM and a
 * truncated WAL; PostgreSQL: VACUUM FULL), so that they cannot be read back from the files.
 *
 * What was purged is remembered only as keyed hashes of the values rules bind (record keys,
 * looked-up columns): a later scope run whose attacker reached a purged record can say so,
 * while whoever reads the database cannot learn the values back.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { bulkInsert, type Dialect, insertNumbered, type Tables } from '../db/index.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { keyedHash } from '../lib/keyed-hash.ts';
import { loadSecret } from '../lib/secret.ts';
import { batches, type BindableColumns } from './records-index.ts';
import { latestRun } from './results.ts';

/** Keys (and looked-up values) hashed and written per statement. */
const PAGE = 500;

export interface PurgeCounts {
  /** The scope run whose unaffected people are purged. */
  run: number;
  records: number;
  subjects: number;
  /** Unaffected people kept because they already have a notice. */
  keptWithNotice: number;
}

export interface PurgePlan extends PurgeCounts {
  /** Who would be purged: each person (normalized email) with their number of records. */
  people: { subject: string; records: number }[];
}

export interface PurgeResult extends PurgeCounts {
  /** The purge's number in the incident; null when nobody was left to purge. */
  purge: number | null;
  /** False when another transaction kept the purged rows' space from being rewritten (see reclaimSpace): purge again later. */
  reclaimed: boolean;
}

/** What `purgeUnaffected` would do, and to whom, changing nothing. */
export async function planPurge(ctx: Pick<Context, 'db'>, incidentId: string): Promise<PurgePlan> {
  const incident = await getIncident(ctx, incidentId);
  const run = await latestRun(ctx.db, incident.id);
  const people = await doomedRecords(ctx.db, incident.id, run)
    .select(['subject', (eb) => eb.fn.countAll<number>().as('records')])
    .groupBy('subject')
    .orderBy('subject')
    .execute();
  const keptWithNotice = await countKeptWithNotice(ctx.db, incident.id, run);
  const list = people.map((row) => ({ subject: row.subject, records: Number(row.records) }));
  return { run, records: list.reduce((sum, person) => sum + person.records, 0), subjects: list.length, keptWithNotice, people: list };
}

/** Purges the unaffected people of the latest run (see the top of this file), and reclaims the space their rows held. */
export async function purgeUnaffected(ctx: Context, incidentId: string): Promise<PurgeResult> {
  const incident = await getIncident(ctx, incidentId);
  const counts = await ctx.db.transaction().execute(async (trx) => {
    // The first statement writes (see insertNumbered), so that no scope run commits between
    // reading which run is the latest and deleting; the rest is filled in at the end.
    const purge = await insertNumbered(trx, 'purges', 'purge', { incident_id: incident.id, at: ctx.now().toISOString(), run: 0, records: 0, subjects: 0, kept_with_notice: 0 });
    const run = await latestRun(trx, incident.id);
    await sql`CREATE TEMP TABLE purge_keys (key text PRIMARY KEY, subject text NOT NULL)`.execute(trx);
    await trx.insertInto('purge_keys').columns(['key', 'subject']).expression(doomedRecords(trx, incident.id, run).select(['key', 'subject'])).execute();
    const { rows: [total] } = await sql<{ records: number; subjects: number }>`
      SELECT COUNT(*) AS records, COUNT(DISTINCT subject) AS subjects FROM purge_keys`.execute(trx);
    const result = { run, records: Number(total.records), subjects: Number(total.subjects), keptWithNotice: await countKeptWithNotice(trx, incident.id, run) };
    if (result.records === 0) {
      // Nobody was left: nothing to remember or audit.
      await sql`DROP TABLE purge_keys`.execute(trx);
      await trx.deleteFrom('purges').where('incident_id', '=', incident.id).where('purge', '=', purge).execute();
      return { ...result, purge: null };
    }

    await rememberPurgedValues(trx, ctx.dialect, incident.id, purge, loadSecret(ctx.dataDir, ctx.config));
    const named = sql`(SELECT subject FROM purge_keys)`;
    await sql`DELETE FROM exposure_evidence WHERE incident_id = ${incident.id} AND subject IN ${named}`.execute(trx);
    await sql`DELETE FROM affected WHERE incident_id = ${incident.id} AND subject IN ${named}`.execute(trx);
    await sql`DELETE FROM record_lookups WHERE incident_id = ${incident.id} AND key IN (SELECT key FROM purge_keys)`.execute(trx);
    await sql`DELETE FROM records WHERE incident_id = ${incident.id} AND key IN (SELECT key FROM purge_keys)`.execute(trx);
    await sql`DROP TABLE purge_keys`.execute(trx);
    await trx
      .updateTable('purges')
      .set({ run, records: result.records, subjects: result.subjects, kept_with_notice: result.keptWithNotice })
      .where('incident_id', '=', incident.id)
      .where('purge', '=', purge)
      .execute();
    await appendAudit(trx, ctx, incident.id, {
      action: 'records.purged',
      details: { purge, unaffected_of_run: run, records: result.records, subjects: result.subjects, kept_with_notice: result.keptWithNotice },
    });
    return { ...result, purge };
  });
  // Also when nobody was left: a purge whose reclaiming was kept from finishing is finished by running it again.
  return { ...counts, reclaimed: await reclaimSpace(ctx) };
}

/** The records of people the run did not find affected. */
function unaffectedRecords(db: Kysely<Tables>, incidentId: string, run: number) {
  return db
    .selectFrom('records')
    .where('incident_id', '=', incidentId)
    .where('subject', 'not in', db.selectFrom('affected').select('subject').where('incident_id', '=', incidentId).where('run', '=', run));
}

const noticed = (db: Kysely<Tables>, incidentId: string) => db.selectFrom('notices').select('subject').where('incident_id', '=', incidentId);

/** Those of people who have no notice either: what a purge deletes. */
function doomedRecords(db: Kysely<Tables>, incidentId: string, run: number) {
  return unaffectedRecords(db, incidentId, run).where('subject', 'not in', noticed(db, incidentId));
}

async function countKeptWithNotice(db: Kysely<Tables>, incidentId: string, run: number): Promise<number> {
  const row = await unaffectedRecords(db, incidentId, run)
    .where('subject', 'in', noticed(db, incidentId))
    .select((eb) => eb.fn.count<number>('subject').distinct().as('kept'))
    .executeTakeFirstOrThrow();
  return Number(row.kept);
}

const keyHash = (secret: Uint8Array, incidentId: string, key: string) => keyedHash(secret, 'tocsin/purged-record-key', incidentId, key);
const lookupHash = (secret: Uint8Array, incidentId: string, column: string, value: string) => keyedHash(secret, 'tocsin/purged-record-value', incidentId, column, value);

/**
 * Keyed hashes of every value rules can bind of the records in purge_keys: their keys, and
 * their looked-up values, gathered in one pass over the incident's lookups. Both are read page
 * by page along a TEMP table's primary key, so that memory holds a page whatever the purge's size.
 */
async function rememberPurgedValues(trx: Kysely<Tables>, dialect: Dialect, incidentId: string, purge: number, secret: Uint8Array): Promise<void> {
  const store = (hashes: string[]) => bulkInsert(trx, dialect, 'purged_values', ['value_hash'], hashes.map((hash) => [hash]), { constants: { incident_id: incidentId, purge } });
  await eachPage<{ key: string }>(
    (after) => sql<{ key: string }>`SELECT key FROM purge_keys ${after ? sql`WHERE key > ${after.key}` : sql``} ORDER BY key LIMIT ${sql.lit(PAGE)}`.execute(trx),
    (rows) => store(rows.map((row) => keyHash(secret, incidentId, row.key))),
  );
  await sql`CREATE TEMP TABLE purge_lookups (column_name text NOT NULL, value text NOT NULL, PRIMARY KEY (column_name, value))`.execute(trx);
  await sql`INSERT INTO purge_lookups (column_name, value)
    SELECT DISTINCT column_name, value FROM record_lookups WHERE incident_id = ${incidentId} AND key IN (SELECT key FROM purge_keys)`.execute(trx);
  await eachPage<{ column_name: string; value: string }>(
    (after) => sql<{ column_name: string; value: string }>`
      SELECT column_name, value FROM purge_lookups ${after ? sql`WHERE (column_name, value) > (${after.column_name}, ${after.value})` : sql``}
      ORDER BY column_name, value LIMIT ${sql.lit(PAGE)}`.execute(trx),
    (rows) => store(rows.map((row) => lookupHash(secret, incidentId, row.column_name, row.value))),
  );
  await sql`DROP TABLE purge_lookups`.execute(trx);
}

/** Keyset paging: `fetch` gives the page after the last row of the one before, until one comes empty. */
async function eachPage<Row>(fetch: (after: Row | undefined) => Promise<{ rows: Row[] }>, each: (rows: Row[]) => Promise<void>): Promise<void> {
  for (let after: Row | undefined; ; ) {
    const { rows } = await fetch(after);
    if (rows.length === 0) return;
    await each(rows);
    after = rows.at(-1);
  }
}

/**
 * Rewrites the database so that deleted rows cannot be read back from its files; false when
 * another reader kept it from doing so (run the purge again once it has ended). SQLite:
 * secure_delete already zeroed the freed space; VACUUM rebuilds the file, and a TRUNCATE
 * checkpoint empties the WAL, which still held the pages as they were; the checkpoint cannot
 * while another process reads (`tocsin send`). PostgreSQL: VACUUM FULL writes the tables anew (a
 * plain VACUUM left a deleted row's bytes in its page), but copies along the rows that a
 * transaction older than the purge may still read: it waits for those transactions first.
 */
async function reclaimSpace(ctx: Pick<Context, 'db' | 'dialect'>): Promise<boolean> {
  if (ctx.dialect === 'postgres') {
    if (!(await olderSnapshotsEnded(ctx.db))) return false;
    await sql`VACUUM (FULL) records, record_lookups, exposure_evidence, affected`.execute(ctx.db);
    return true;
  }
  await sql`VACUUM`.execute(ctx.db);
  const { rows: [checkpoint] } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(ctx.db);
  return Number(checkpoint.busy) === 0;
}

/** How long a purge waits on PostgreSQL for transactions that began before it to end. */
const SNAPSHOT_WAIT_MS = 60_000;

/**
 * Waits until no other session of this database holds a snapshot or a transaction id older
 * than a transaction id taken now, as VACUUM's horizon is the oldest of them; false if one
 * still does after SNAPSHOT_WAIT_MS. Sessions of other roles show neither without pg_read_all_stats.
 */
async function olderSnapshotsEnded(db: Kysely<Tables>): Promise<boolean> {
  const { rows: [now] } = await sql<{ xid: string }>`SELECT (txid_current() % 4294967296)::text AS xid`.execute(db);
  for (const deadline = Date.now() + SNAPSHOT_WAIT_MS; ; ) {
    const { rows: [older] } = await sql<{ sessions: number }>`
      SELECT COUNT(*) AS sessions FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND GREATEST(age(backend_xmin), age(backend_xid)) >= age(${now.xid}::xid)`.execute(db);
    if (Number(older.sessions) === 0) return true;
    if (Date.now() > deadline) return false;
    await delay(250);
  }
}

/** How many of a scope run's requests reached records a purge had deleted, and when those purges were made. */
export interface PurgedReach {
  requests: number;
  purgedAt: string[];
}

/**
 * Of the run's unknown reads (revealing requests that found no record), those whose value was
 * a purged record's, which are marked with their purge. The values are hashed to be compared:
 * the reads are few, as a shop answers 2xx for records it has, and every one of them missing
 * from Tocsin's data is worth telling of.
 */
export async function purgedReached(trx: Kysely<Tables>, incidentId: string, run: number, columns: BindableColumns, ctx: Pick<Context, 'dataDir' | 'config'>): Promise<PurgedReach> {
  const purges = await trx.selectFrom('purges').select(['purge', 'at']).where('incident_id', '=', incidentId).execute();
  if (purges.length === 0) return { requests: 0, purgedAt: [] };
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const unknown = await trx.selectFrom('unknown_reads').select(['hit', 'column_name', 'value', 'path', 'line']).where('incident_id', '=', incidentId).where('run', '=', run).execute();
  // Each unfound value's possible hashes, and the reads that named it.
  const readsOf = new Map<string, (typeof unknown)[number][]>();
  for (const read of unknown) {
    const hashes = [
      ...(columns.keyColumns.has(read.column_name) ? [keyHash(secret, incidentId, read.value)] : []),
      ...(columns.lookupColumns.has(read.column_name) ? [lookupHash(secret, incidentId, read.column_name, read.value)] : []),
    ];
    for (const hash of hashes) readsOf.set(hash, [...(readsOf.get(hash) ?? []), read]);
  }
  const reachedRequests = new Set<string>();
  // The reads each purge deleted the record of, marked with one statement per purge and batch.
  const hitsOf = new Map<number, number[]>();
  for (const batch of batches([...readsOf.keys()])) {
    const found = await trx.selectFrom('purged_values').select(['value_hash', 'purge']).where('incident_id', '=', incidentId).where('value_hash', 'in', batch).execute();
    for (const { value_hash, purge } of found) {
      const reads = readsOf.get(value_hash)!;
      for (const read of reads) reachedRequests.add(`${read.path}:${read.line}`);
      hitsOf.set(Number(purge), [...(hitsOf.get(Number(purge)) ?? []), ...reads.map((read) => read.hit)]);
    }
  }
  for (const [purge, hits] of hitsOf) {
    for (const batch of batches(hits)) {
      await trx.updateTable('unknown_reads').set({ purge }).where('incident_id', '=', incidentId).where('run', '=', run).where('hit', 'in', batch).execute();
    }
  }
  const purgedAt = purges.filter((row) => hitsOf.has(Number(row.purge))).map((row) => row.at).sort();
  return { requests: reachedRequests.size, purgedAt };
}

/** The loud word a run whose attacker reached purged records needs; null when it reached none. */
export function purgedWarning(run: number, reach: PurgedReach): string | null {
  if (reach.requests === 0) return null;
  const dates = reach.purgedAt.map((at) => at.slice(0, 10)).filter((date, i, all) => all.indexOf(date) === i);
  return (
    `warning: ${reach.requests} attacker requests of scope run ${run} reached records that were purged on ${dates.join(', ')}; ` +
    `those people are missing from this run and cannot be notified from Tocsin's data. ` +
    'Re-import the export and scope again'
  );
}
