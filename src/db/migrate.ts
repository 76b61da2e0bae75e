import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { TocsinError } from '../lib/errors.ts';
import type { Database } from './connect.ts';
import { databaseFailure } from './errors.ts';
import * as incidents from './migrations/0001_incidents.ts';
import * as scoping from './migrations/0002_scoping.ts';
import * as notices from './migrations/0003_notices.ts';
import * as delivery from './migrations/0004_delivery.ts';
import * as compliance from './migrations/0005_compliance.ts';
import * as noticeVariants from './migrations/0006_notice_variants.ts';
import * as heldCategories from './migrations/0007_held_categories.ts';
import * as exposureMasks from './migrations/0008_exposure_masks.ts';
import { keyedAudit } from './migrations/0009_keyed_audit.ts';
import * as purges from './migrations/0010_purges.ts';
import * as regulatedBy from './migrations/0011_regulated_by.ts';
import * as clientPeer from './migrations/0012_client_peer.ts';
import * as incidentFacts from './migrations/0013_incident_facts.ts';
import * as unknownReads from './migrations/0014_unknown_reads.ts';
import * as noticeFacts from './migrations/0015_notice_facts.ts';
import * as reportSections from './migrations/0016_report_sections.ts';
import * as quarantinedValues from './migrations/0017_quarantined_values.ts';
import * as noticeIdentity from './migrations/0018_notice_identity.ts';
import * as accounts from './migrations/0019_accounts.ts';
import * as jobs from './migrations/0020_jobs.ts';
import * as affectedCountry from './migrations/0021_affected_country.ts';
import * as phishingReports from './migrations/0022_phishing_reports.ts';
import * as portalLookups from './migrations/0023_portal_lookups.ts';
import * as portalPages from './migrations/0024_portal_pages.ts';
import * as subjectIndexCountry from './migrations/0026_subject_index_country.ts';
import * as throttleSweep from './migrations/0027_throttle_sweep.ts';
import * as bountySecurityTxt from './migrations/0028_bounty_security_txt.ts';
import * as phishingAnalyses from './migrations/0029_phishing_analyses.ts';
import * as phishingCampaigns from './migrations/0030_phishing_campaigns.ts';
import * as phishingMailbox from './migrations/0031_phishing_mailbox.ts';
import * as bountyReports from './migrations/0032_bounty_reports.ts';
import * as affectedAddressing from './migrations/0034_affected_addressing.ts';
import * as noticeApprovals from './migrations/0035_notice_approvals.ts';
import * as bountyAwardsDisclosures from './migrations/0036_bounty_awards_disclosures.ts';
import * as bountyDuplicatesBreach from './migrations/0037_bounty_duplicates_breach.ts';
import * as researcherPasskeys from './migrations/0038_researcher_passkeys.ts';
import * as bountyMailedReports from './migrations/0039_bounty_mailed_reports.ts';
import * as senderThrottle from './migrations/0040_sender_throttle.ts';
import * as affectedPersonJson from './migrations/0041_affected_person_json.ts';
import * as queuedJobsIndex from './migrations/0042_queued_jobs_index.ts';
import * as restrictingThrottlesIndex from './migrations/0043_restricting_throttles_index.ts';
import { loadSecret, type SecretConfig } from '../lib/secret.ts';

/**
 * Every migration, in order, for a database whose files live in `dataDir` (0009 keys existing
 * audit trails with the installation's secret). Names are stable: they are recorded in the database.
 */
export function migrations(dataDir: string, secret: SecretConfig = {}): Record<string, Migration> {
  return {
    '0001_incidents': incidents,
    '0002_scoping': scoping,
    '0003_notices': notices,
    '0004_delivery': delivery,
    '0005_compliance': compliance,
    '0006_notice_variants': noticeVariants,
    '0007_held_categories': heldCategories,
    '0008_exposure_masks': exposureMasks,
    '0009_keyed_audit': keyedAudit(() => loadSecret(dataDir, secret)),
    '0010_purges': purges,
    '0011_regulated_by': regulatedBy,
    '0012_client_peer': clientPeer,
    '0013_incident_facts': incidentFacts,
    '0014_unknown_reads': unknownReads,
    '0015_notice_facts': noticeFacts,
    '0016_report_sections': reportSections,
    '0017_quarantined_values': quarantinedValues,
    '0018_notice_identity': noticeIdentity,
    '0019_accounts': accounts,
    '0020_jobs': jobs,
    '0021_affected_country': affectedCountry,
    '0022_phishing_reports': phishingReports,
    '0023_portal_lookups': portalLookups,
    '0024_portal_pages': portalPages,
    '0026_subject_index_country': subjectIndexCountry,
    '0027_throttle_sweep': throttleSweep,
    '0028_bounty_security_txt': bountySecurityTxt,
    '0029_phishing_analyses': phishingAnalyses,
    '0030_phishing_campaigns': phishingCampaigns,
    '0031_phishing_mailbox': phishingMailbox,
    '0032_bounty_reports': bountyReports,
    '0034_affected_addressing': affectedAddressing,
    '0035_notice_approvals': noticeApprovals,
    '0036_bounty_awards_disclosures': bountyAwardsDisclosures,
    '0037_bounty_duplicates_breach': bountyDuplicatesBreach,
    '0038_researcher_passkeys': researcherPasskeys,
    '0039_bounty_mailed_reports': bountyMailedReports,
    '0040_sender_throttle': senderThrottle,
    '0041_affected_person_json': affectedPersonJson,
    '0042_queued_jobs_index': queuedJobsIndex,
    '0043_restricting_throttles_index': restrictingThrottlesIndex,
  };
}

export interface MigrationState {
  name: string;
  applied_at: string | null;
}

/**
 * On PostgreSQL the bookkeeping tables are named with the connection's current schema: Kysely
 * otherwise looks them up in every schema, and another Tocsin database on the same server
 * (a schema of its own) would make it believe they exist here.
 */
async function migrator(database: Database, migrations: Record<string, Migration>): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  // Names are numbered ASCII: compared as code units. Kysely's default, localeCompare, starts ICU's collator, a twentieth of a short command's time.
  const nameComparator = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  if (database.dialect === 'sqlite') return new Migrator({ db: database.db, provider, nameComparator });
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(database.db);
  return new Migrator({ db: database.db, provider, nameComparator, migrationTableSchema: rows[0].schema });
}

/**
 * Brings the schema up to date. All pending migrations run in one transaction on both
 * dialects, so a failure leaves the database as it was.
 */
export async function migrateToLatest(database: Database, all = migrations(database.dataDir)): Promise<string[]> {
  const { error, results = [] } = await (await migrator(database, all)).migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'the schema check';
    const reason = error instanceof Error ? error.message : String(error);
    throw databaseFailure(error) ?? new TocsinError(
      'MIGRATION_FAILED',
      `migration ${failed} failed (${reason}); the database was left as it was. Look at the database's status, and report this if it persists`,
      { kind: 'failed', next: { action: 'database_status' }, cause: error },
    );
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

export async function migrationStatus(database: Database, all = migrations(database.dataDir)): Promise<MigrationState[]> {
  const known = await (await migrator(database, all)).getMigrations();
  return known.map((migration) => ({
    name: migration.name,
    applied_at: migration.executedAt ? migration.executedAt.toISOString() : null,
  }));
}
