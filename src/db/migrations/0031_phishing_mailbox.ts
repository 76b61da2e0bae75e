import type { Kysely } from 'kysely';

/**
 * The phishing desk's mailboxes and replies. A report remembers the language to answer its
 * reporter in and when that answer went out (so a job run again does not answer twice). Each
 * polled IMAP mailbox keeps where it stopped: its UIDVALIDITY and the highest UID kept as a
 * report, written in the transaction that keeps the report, so a poll after a crash fetches
 * neither a message twice nor none of those it missed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('phishing_reports').addColumn('locale', 'text').execute();
  await db.schema.alterTable('phishing_reports').addColumn('replied_at', 'text').execute();
  await db.schema
    .createTable('phishing_mailbox_cursors')
    /** imap://user@host:port/mailbox: the mailbox as configured. */
    .addColumn('mailbox', 'text', (c) => c.primaryKey())
    /** IMAP's UIDVALIDITY (up to 2^32 - 1, hence bigint): another value means the UIDs were renumbered. */
    .addColumn('uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
