import { sql, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';

/**
 * Runs a bulk load with the tables' secondary indexes dropped, and rebuilds them afterwards
 * (PostgreSQL then gathers the tables' statistics), inside the caller's transaction. Building an
 * index once over sorted data is several times faster than growing it row by row with random
 * keys (emails), as pg_restore knows too.
 * Primary keys and unique indexes stay: conflicts must still be caught during the load.
 */
export async function withIndexesDeferred<T>(trx: Kysely<any>, dialect: Dialect, tables: string[], load: () => Promise<T>): Promise<T> {
  const indexes = await secondaryIndexes(trx, dialect, tables);
  for (const { name } of indexes) await sql`DROP INDEX ${sql.id(name)}`.execute(trx);
  const result = await load();
  for (const { definition } of indexes) await sql.raw(definition).execute(trx);
  // PostgreSQL plans by statistics, which autovacuum gathers only later: the next command would
  // plan for the tables as they were before the load (a scope run right after: a tenth slower).
  if (dialect === 'postgres') for (const table of tables) await sql`ANALYZE ${sql.table(table)}`.execute(trx);
  return result;
}

async function secondaryIndexes(db: Kysely<any>, dialect: Dialect, tables: string[]): Promise<{ name: string; definition: string }[]> {
  if (dialect === 'sqlite') {
    // Indexes SQLite makes for keys have no SQL; only CREATE INDEX ones do.
    const { rows } = await sql<{ name: string; definition: string }>`
      SELECT name, sql AS definition FROM sqlite_master
      WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (${sql.join(tables)})`.execute(db);
    return rows;
  }
  const { rows } = await sql<{ name: string; definition: string }>`
    SELECT index_class.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i
    JOIN pg_class index_class ON index_class.oid = i.indexrelid
    JOIN pg_class table_class ON table_class.oid = i.indrelid
    WHERE NOT i.indisunique AND table_class.relname IN (${sql.join(tables)})
      AND table_class.relnamespace = current_schema()::regnamespace`.execute(db);
  return rows;
}
