import { sql, type Insertable, type Kysely } from 'kysely';
import type { Tables } from './schema.ts';

/** Tables whose rows an incident numbers 1, 2, 3…: its imports, scope runs and purges. */
type Numbered = { imports: 'id'; scope_runs: 'run'; purges: 'purge' };

/**
 * Inserts `row` numbered one past the incident's highest number in `table`, and returns the
 * number. Claiming the number this way, in one statement that writes, is how a transaction that
 * will write must begin: SQLite then takes its write lock before anything is read. A transaction
 * that read first is refused its first write ("database is locked") if another process
 * committed in between, as WAL keeps each reader on the snapshot it started with.
 */
export async function insertNumbered<T extends keyof Numbered>(
  trx: Kysely<Tables>,
  table: T,
  column: Numbered[T],
  row: Omit<Insertable<Tables[T]>, Numbered[T]> & { incident_id: string },
): Promise<number> {
  const entries = Object.entries(row) as [string, string | number][];
  // Numbers go in as literals: PostgreSQL reads a bare parameter in a SELECT list as text.
  const values = entries.map(([, value]) => (typeof value === 'number' ? sql.lit(value) : sql`${value}`));
  const { rows } = await sql<{ number: number }>`
    INSERT INTO ${sql.table(table)} (${sql.ref(column)}, ${sql.join(entries.map(([name]) => sql.ref(name)))})
    SELECT COALESCE(MAX(${sql.ref(column)}), 0) + 1, ${sql.join(values)}
    FROM ${sql.table(table)} WHERE incident_id = ${row.incident_id}
    RETURNING ${sql.ref(column)} AS number`.execute(trx);
  return Number(rows[0].number);
}
