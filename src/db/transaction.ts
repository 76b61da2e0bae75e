import type { Kysely, Transaction } from 'kysely';

/**
 * Runs `work` in a transaction: a new one, or the caller's when `db` is one already, so that a
 * service (creating an incident) can be part of another's change (linking a report to it) and
 * both are kept or neither.
 */
export function inTransaction<DB, T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<DB>) : db.transaction().execute(work);
}
