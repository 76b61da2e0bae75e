import type { Kysely } from 'kysely';

/**
 * The portal's incident pages. A published page keeps what it says as it was at publishing (the
 * narratives, the facts, the categories, the FAQ, as JSON): it stays the same between publishes
 * whatever changes on the incident, and every server process renders the same page from it.
 * FAQs are kept apart, per locale, so that they can be written before the page is published.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('portal_pages')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    /** The page's address under /incidents/: public, so not the incident's id. */
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('portal_faqs')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('locale', 'text', (c) => c.notNull())
    /** Markdown, one heading per question. */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('portal_faqs_pk', ['incident_id', 'locale'])
    .execute();
}
