/**
 * Which of a scope run's unknown reads (revealing requests whose value named no record) read a
 * row the import quarantined — a point-of-sale order without an email, a broken row: people
 * the attacker read who are missing from the affected list. Quarantined rows keep their values
 * as keyed hashes (see 0017_quarantined_values); the run's unknown values are hashed alike to
 * be compared. They are few: a shop answers 2xx for records it has.
 */
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { loadSecret } from '../lib/secret.ts';
import { quarantinedValueHash } from '../records/index.ts';
import { batches } from './records-index.ts';

export interface QuarantinedReach {
  /** Quarantined rows the attacker read: each a person missing from the affected list. */
  rows: number;
  /** Requests that read them. */
  requests: number;
}

/** Marks each of the run's unknown reads with the quarantined row its value belongs to (the newest import's first), and counts them. */
export async function quarantinedReached(trx: Kysely<Tables>, incidentId: string, run: number, ctx: Pick<Context, 'dataDir' | 'config'>): Promise<QuarantinedReach> {
  const unknown = await trx.selectFrom('unknown_reads').select(['hit', 'column_name', 'value', 'path', 'line']).where('incident_id', '=', incidentId).where('run', '=', run).execute();
  if (unknown.length === 0) return { rows: 0, requests: 0 };
  const hashing = { hashKey: loadSecret(ctx.dataDir, ctx.config), incidentId };
  const readsOf = Map.groupBy(unknown, (read) => quarantinedValueHash(hashing, read.column_name, read.value));

  /** The reads of each quarantined row reached, by `import:line`. */
  const reached = new Map<string, { importId: number; line: number; reads: typeof unknown }>();
  for (const batch of batches([...readsOf.keys()])) {
    const found = await trx
      .selectFrom('quarantined_values')
      .select(['value_hash', 'import_id', 'line'])
      .where('incident_id', '=', incidentId)
      .where('value_hash', 'in', batch)
      .orderBy('import_id', 'desc')
      .orderBy('line')
      .execute();
    const taken = new Set<string>();
    for (const { value_hash, import_id, line } of found) {
      if (taken.has(value_hash)) continue;
      taken.add(value_hash);
      const row = `${import_id}:${line}`;
      const entry = reached.get(row) ?? { importId: Number(import_id), line: Number(line), reads: [] };
      entry.reads.push(...readsOf.get(value_hash)!);
      reached.set(row, entry);
    }
  }
  const requests = new Set<string>();
  for (const { importId, line, reads } of reached.values()) {
    for (const read of reads) requests.add(`${read.path}:${read.line}`);
    for (const hits of batches(reads.map((read) => read.hit))) {
      await trx
        .updateTable('unknown_reads')
        .set({ quarantine_import: importId, quarantine_line: line })
        .where('incident_id', '=', incidentId)
        .where('run', '=', run)
        .where('hit', 'in', hits)
        .execute();
    }
  }
  return { rows: reached.size, requests: requests.size };
}

/** The loud word a run whose attacker read quarantined rows needs; null when it read none. */
export function quarantinedWarning(run: number, reach: QuarantinedReach): string | null {
  if (reach.rows === 0) return null;
  return (
    `warning: ${reach.requests} attacker requests of scope run ${run} read ${reach.rows} rows the import quarantined: ` +
    `${reach.rows} people the attacker read are missing from the affected list. The unknown values name the rows; ` +
    `fix them in the export, import it again and scope again`
  );
}
