import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { insertNumbered, type Tables, withIndexesDeferred } from '../db/index.ts';
import { hashFile } from '../evidence/index.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { loadSecret } from '../lib/secret.ts';
import type { ColumnMapping } from './mapping.ts';
import { readForImport } from './read-in-worker.ts';
import type { ReadRecordsOptions } from './read-records.ts';
import { dropReplacedLookups, saveBatch } from './store.ts';

export interface ImportOptions extends ReadRecordsOptions {
  /** Aborting it stops the import before its next batch; nothing of it is kept. */
  signal?: AbortSignal;
}

export interface ImportSummary {
  importId: number;
  path: string;
  sha256: string;
  bytes: number;
  mapping: ColumnMapping;
  rowsRead: number;
  imported: number;
  quarantined: number;
  /** Distinct subjects among this file's good rows. */
  subjects: number;
  /** All subjects of the incident after this import. */
  incidentSubjects: number;
}

// From this size on, rebuilding the secondary indexes after the load beats growing them row by row.
const BULK_LOAD_BYTES = 16 * 1024 * 1024;

/**
 * Imports a shop export as the incident's records, in one transaction: good rows stored, bad
 * rows quarantined with their line (and the values they could be read by, as keyed hashes),
 * the file's hash and the counts in the audit log. The file
 * is parsed in a worker thread while this one writes.
 */
export async function importRecords(ctx: Context, incidentId: string, path: string, { signal, ...options }: ImportOptions = {}): Promise<ImportSummary> {
  const incident = await getIncident(ctx, incidentId);
  const absolute = resolve(path);
  const hashing = hashFile(absolute);
  hashing.catch(() => {}); // read errors surface from the reader, with a better message

  return ctx.db.transaction().execute(async (trx) => {
    // First, and before anything is read: the counts are filled in at the end.
    const importId = await insertNumbered(trx, 'imports', 'id', {
      incident_id: incident.id,
      at: ctx.now().toISOString(),
      path: absolute,
      sha256: '',
      bytes: 0,
      mapping: '{}',
      rows_read: 0,
      imported: 0,
      quarantined: 0,
      subjects: 0,
    });
    const reader = await readForImport(absolute, options, { hashKey: loadSecret(ctx.dataDir, ctx.config), incidentId: incident.id });
    const digest = await hashing;

    let rowsRead = 0;
    let imported = 0;
    let quarantined = 0;
    const load = async () => {
      for await (const batch of reader.batches) {
        signal?.throwIfAborted();
        await saveBatch(trx, ctx.dialect, batch, { incidentId: incident.id, importId, path: absolute });
        rowsRead += batch.rowsRead;
        quarantined += batch.rowsQuarantined;
        imported += batch.rowsRead - batch.rowsQuarantined;
      }
    };
    if (digest.bytes >= BULK_LOAD_BYTES) await withIndexesDeferred(trx, ctx.dialect, ['records', 'record_lookups'], load);
    else await load();
    if (importId > 1) await dropReplacedLookups(trx, incident.id, importId);

    const incidentSubjects = await countSubjects(trx, incident.id);
    // The first import's subjects are all of them: spare a scan of the whole table.
    const subjects = importId === 1 ? incidentSubjects : await countSubjects(trx, incident.id, importId);
    const counts = { rows_read: rowsRead, imported, quarantined, subjects };
    await trx
      .updateTable('imports')
      .set({ sha256: digest.sha256, bytes: digest.bytes, mapping: JSON.stringify(reader.mapping), ...counts })
      .where('incident_id', '=', incident.id)
      .where('id', '=', importId)
      .execute();
    await appendAudit(trx, ctx, incident.id, {
      action: 'records.imported',
      details: { import: importId, path: absolute, sha256: digest.sha256, bytes: digest.bytes, ...counts },
    });
    return { importId, path: absolute, sha256: digest.sha256, bytes: digest.bytes, mapping: reader.mapping, rowsRead, imported, quarantined, subjects, incidentSubjects };
  });
}

async function countSubjects(db: Kysely<Tables>, incidentId: string, importId?: number): Promise<number> {
  let query = db.selectFrom('records').select((eb) => eb.fn.count<number>('subject').distinct().as('n')).where('incident_id', '=', incidentId);
  if (importId !== undefined) query = query.where('import_id', '=', importId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export interface QuarantineEntry {
  importId: number;
  path: string;
  line: number;
  reason: string;
}

export async function listQuarantine(ctx: Context, incidentId: string): Promise<QuarantineEntry[]> {
  const incident = await getIncident(ctx, incidentId);
  const rows = await ctx.db.selectFrom('quarantine').selectAll().where('incident_id', '=', incident.id).orderBy('import_id').orderBy('line').execute();
  return rows.map((row) => ({ importId: row.import_id, path: row.path, line: row.line, reason: row.reason }));
}

/** How many imports the incident has had (a file imported again counts again). */
export async function importCount(ctx: Pick<Context, 'db'>, incidentId: string): Promise<number> {
  const row = await ctx.db.selectFrom('imports').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
  return Number(row.n);
}
