import type { Kysely, Migration } from 'kysely';
import { deriveAuditKey, GENESIS_HASH, nextEntry } from '../../incidents/index.ts';
import type { Tables } from '../schema.ts';

/**
 * Audit trails become keyed: each entry's hash an HMAC under a key derived from the installation's
 * secret, and the head on the incident row MACed. Each existing trail is sealed here, once: an
 * `audit.keyed` entry, keyed, chains to its last plain-hashed entry, and the head records that
 * entries before it are plain SHA-256. Sealing in the migration, rather than on a trail's next use,
 * means no trail is ever legitimately unkeyed afterwards, so stripping a trail's MACs cannot pass
 * for "not upgraded yet". `secret` is asked for only when there are trails to seal.
 */
export function keyedAudit(secret: () => Uint8Array): Migration {
  return {
    async up(schemaDb: Kysely<unknown>): Promise<void> {
      await schemaDb.schema.alterTable('incidents').addColumn('audit_keyed_from', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await schemaDb.schema.alterTable('incidents').addColumn('audit_mac', 'text', (c) => c.notNull().defaultTo('')).execute();
      const db = schemaDb as Kysely<Tables>;
      const incidents = await db.selectFrom('incidents').select(['id', 'audit_seq', 'audit_hash']).execute();
      if (incidents.length === 0) return;
      const key = deriveAuditKey(secret());
      const at = new Date().toISOString();
      for (const incident of incidents) {
        const plain = { incident_id: incident.id, seq: incident.audit_seq, hash: incident.audit_seq === 0 ? GENESIS_HASH : incident.audit_hash, keyed_from: incident.audit_seq + 1 };
        const sealed = nextEntry(key, plain, { at, actor: 'tocsin', action: 'audit.keyed', details: JSON.stringify({ plain_entries: plain.seq, plain_head: plain.hash }) });
        await db.insertInto('audit_log').values(sealed.entry).execute();
        await db
          .updateTable('incidents')
          .set({ audit_seq: sealed.head.seq, audit_hash: sealed.head.hash, audit_keyed_from: plain.keyed_from, audit_mac: sealed.mac })
          .where('id', '=', incident.id)
          .execute();
      }
    },
  };
}
