import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Reports sent by email to bounty.report_address: a report kept from a message has no researcher
 * until one claims it, so bounty_reports.researcher_id may be null. Its claim (`bounty_report_claims`)
 * keeps the sender's address only until the reply with the claim link is sent (or given up), the
 * link's token as a keyed hash, and who claimed it when.
 *
 * SQLite cannot drop a NOT NULL: the table is made again, in the migrations' transaction, where
 * foreign_keys cannot be switched off (and renaming the old table would rename the other tables'
 * references with it). Its rows wait in a temporary table while it is dropped and made again;
 * the references to its rows are broken only until they are back, which deferred foreign keys
 * allow (each row put back mends the references to it; any still broken fail the commit).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bounty_report_claims')
    .addColumn('report_reference', 'text', (c) => c.primaryKey().references('bounty_reports.reference'))
    .addColumn('reply_to', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('sending_until', 'text')
    .addColumn('replied_at', 'text')
    .addColumn('claimed_at', 'text')
    .addColumn('claimed_by', 'text', (c) => c.references('bounty_researchers.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    await sql`ALTER TABLE bounty_reports ALTER COLUMN researcher_id DROP NOT NULL`.execute(db);
    return;
  }
  const table = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'bounty_reports'`.execute(db);
  const indexes = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bounty_reports' AND sql IS NOT NULL`.execute(db);
  const created = table.rows[0].sql.replace(/("researcher_id" text) not null/i, '$1');
  if (created === table.rows[0].sql) throw new Error('bounty_reports.researcher_id is not as migration 0032 made it');
  await sql`PRAGMA defer_foreign_keys = ON`.execute(db);
  await sql`CREATE TEMP TABLE bounty_reports_before_0039 AS SELECT * FROM bounty_reports`.execute(db);
  await sql`DROP TABLE bounty_reports`.execute(db);
  await sql.raw(created).execute(db);
  await sql`INSERT INTO bounty_reports SELECT * FROM temp.bounty_reports_before_0039`.execute(db);
  await sql`DROP TABLE temp.bounty_reports_before_0039`.execute(db);
  for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
}
