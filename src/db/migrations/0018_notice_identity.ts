import type { Kysely } from 'kysely';

/**
 * What some regimes require a notice to say of the shop and its offer, as the responder records it: a phone
 * number beside the contact email, the company that owns the controller (Massachusetts), whether a law
 * enforcement investigation delayed the notice (California), and the identity theft protection or credit
 * monitoring offered, with its provider, how to enrol and for how many months.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('contact_phone', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('controller_parent', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('law_enforcement_delay', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('protection_provider', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('protection_enrolment', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('protection_months', 'integer').execute();
}
