import { sql, type Migration } from 'kysely';
import { expect, it } from 'vitest';
import { openDatabase } from '../src/db/connect.ts';
import { migrateToLatest, migrations, migrationStatus } from '../src/db/migrate.ts';
import { entryHash, GENESIS_HASH } from '../src/incidents/audit-chain.ts';
import { auditTrail, verifyAudit } from '../src/incidents/audit.ts';
import { categoryBit } from '../src/domain/categories.ts';
import { diffRuns } from '../src/scoping/results.ts';
import { describeEachDatabase } from './helpers/databases.ts';

/** Creates a table, then fails: the table must not survive. */
const failingHalfWay: Migration = {
  async up(db) {
    await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
    await sql`INSERT INTO no_such_table VALUES (1)`.execute(db);
  },
};

describeEachDatabase('migrations', (database) => {
  it('apply once, record themselves, and a second run applies nothing', async () => {
    const db = await openDatabase(database().config);
    try {
      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations(database().config.dataDir)));
      expect(await migrateToLatest(db)).toEqual([]);
      const status = await migrationStatus(db);
      expect(status.map((m) => m.name)).toEqual(Object.keys(migrations(database().config.dataDir)));
      expect(status.every((m) => m.applied_at !== null)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('leave the database as it was when one fails half-way', async () => {
    const db = await openDatabase(database().config);
    try {
      const withFailure = { ...migrations(database().config.dataDir), '9999_failing': failingHalfWay };
      await expect(migrateToLatest(db, withFailure)).rejects.toMatchObject({ code: 'MIGRATION_FAILED', kind: 'failed', next: { action: 'database_status' } });
      await expect(migrateToLatest(db, withFailure)).rejects.toThrow(/9999_failing failed .*left as it was/);
      const tables = await db.db.introspection.getTables();
      expect(tables.map((t) => t.name)).not.toContain('half_done');
      const status = await migrationStatus(db, withFailure);
      expect(status.find((m) => m.name === '9999_failing')?.applied_at).toBeNull();
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migrations beside another Tocsin database', (database) => {
  it('apply in a schema of their own even when another schema on the server already has them', async () => {
    if (database().dialect !== 'postgres') return expect(database().dialect).toBe('sqlite');
    const url = new URL(database().config.databaseUrl!);
    const neighbour = `${url.searchParams.get('options')!.split('=')[1]}_neighbour`;
    const admin = await openDatabase(database().config);
    try {
      await migrateToLatest(admin); // this schema now has Kysely's bookkeeping tables
      await sql`CREATE SCHEMA ${sql.id(neighbour)}`.execute(admin.db);
      url.searchParams.set('options', `-c search_path=${neighbour}`);
      const other = await openDatabase({ dataDir: database().config.dataDir, databaseUrl: url.toString() });
      try {
        expect(await migrateToLatest(other)).toEqual(Object.keys(migrations(database().config.dataDir)));
        expect(await migrateToLatest(other)).toEqual([]);
      } finally {
        await other.close();
      }
    } finally {
      await sql`DROP SCHEMA ${sql.id(neighbour)} CASCADE`.execute(admin.db);
      await admin.close();
    }
  });

  it("look at no other schema, so that one dropped meanwhile (another suite's, another shop's) cannot fail them", async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateToLatest(db);
      const own = await db.db.introspection.getTables({ withInternalKyselyTables: true });
      expect(own.map((table) => table.name)).toContain('kysely_migration');
      if (database().dialect === 'postgres') {
        const [current] = await db.db.introspection.getSchemas();
        await sql`CREATE SCHEMA ${sql.id(`${current.name}_gone`)}`.execute(db.db);
        await sql`CREATE TABLE ${sql.id(`${current.name}_gone`, 'kysely_migration')} (name text)`.execute(db.db);
        try {
          expect(new Set((await db.db.introspection.getTables({ withInternalKyselyTables: true })).map((table) => table.schema))).toEqual(new Set([current.name]));
        } finally {
          await sql`DROP SCHEMA ${sql.id(`${current.name}_gone`)} CASCADE`.execute(db.db);
        }
      }
    } finally {
      await db.close();
    }
  });
});

const at = '2019-11-14T16:00:00Z';

/** Migrates to just before migration `next`, and makes incident 'old' for data stored before it. */
async function migrateBefore(db: Awaited<ReturnType<typeof openDatabase>>, next: string): Promise<void> {
  await migrateToLatest(db, Object.fromEntries(Object.entries(migrations(db.dataDir)).filter(([name]) => name < next)));
  await sql`INSERT INTO incidents (id, title, aware_at, locale, created_at, updated_at, audit_seq, audit_hash) VALUES ('old', 'Old', ${at}, 'en', ${at}, ${at}, 0, '')`.execute(db.db);
}

describeEachDatabase('migration 0007 on records imported before it', (database) => {
  it('gives each record the mask of the categories its fields hold', async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0007');
      const fields = [JSON.stringify({ name: 'Ana', phone: '', device_id: '350000000000001' }), JSON.stringify({})];
      for (const [index, json] of fields.entries()) {
        await sql`INSERT INTO records (incident_id, key, subject, email, fields, import_id, line) VALUES ('old', ${`SO${index}`}, 'ana@example.com', 'ana@example.com', ${json}, 1, ${index + 2})`.execute(db.db);
      }
      await migrateToLatest(db);
      const rows = await db.db.selectFrom('records').select(['key', 'held']).orderBy('key').execute();
      expect(rows).toEqual([
        { key: 'SO0', held: categoryBit('name') | categoryBit('device_id') },
        { key: 'SO1', held: 0 },
      ]);
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0008 on scope runs stored before it', (database) => {
  it("turns each affected subject's exposure rows into the masks of their affected row, and drops the rows", async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0008');
      for (const [run, subject] of [[1, 'ana@example.com'], [2, 'ana@example.com'], [2, 'bo@example.com']] as const) {
        await sql`INSERT INTO affected (incident_id, run, subject, first_access, last_access, requests, records) VALUES ('old', ${run}, ${subject}, ${at}, ${at}, 1, '["SO1"]')`.execute(db.db);
      }
      const exposures: [number, string, string, number][] = [
        [1, 'ana@example.com', 'name', 1],
        [1, 'ana@example.com', 'device_id', 0],
        [2, 'ana@example.com', 'name', 1],
        [2, 'ana@example.com', 'phone', 1],
        [2, 'bo@example.com', 'payment_card_last4', 1],
        [2, 'bo@example.com', 'postal_address', 0],
        [2, 'bo@example.com', 'phone', 0],
      ];
      for (const [run, subject, category, exposed] of exposures) {
        await sql`INSERT INTO exposures (incident_id, run, subject, category, exposed, first_access, last_access, requests)
          VALUES ('old', ${run}, ${subject}, ${category}, ${exposed}, NULL, NULL, 0)`.execute(db.db);
      }
      await migrateToLatest(db);
      const rows = await db.db.selectFrom('affected').select(['run', 'subject', 'exposed', 'not_exposed']).orderBy('run').orderBy('subject').execute();
      expect(rows).toEqual([
        { run: 1, subject: 'ana@example.com', exposed: categoryBit('name'), not_exposed: categoryBit('device_id') },
        { run: 2, subject: 'ana@example.com', exposed: categoryBit('name') | categoryBit('phone'), not_exposed: 0 },
        { run: 2, subject: 'bo@example.com', exposed: categoryBit('payment_card_last4'), not_exposed: categoryBit('postal_address') | categoryBit('phone') },
      ]);
      await expect(sql`SELECT COUNT(*) FROM exposures`.execute(db.db)).rejects.toThrow();
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0009 on audit trails made before it', (database) => {
  it('seals each plain trail with a keyed entry, after which rewriting its plain part is caught', async () => {
    const db = await openDatabase(database().config);
    let prevHash = GENESIS_HASH;
    try {
      await migrateBefore(db, '0009');
      for (const seq of [1, 2]) {
        const fields = { incident_id: 'old', seq, at, actor: 'ana', action: 'incident.updated', details: `{"n":${seq}}`, prev_hash: prevHash };
        prevHash = entryHash(fields, null);
        await db.db.insertInto('audit_log').values({ ...fields, hash: prevHash }).execute();
      }
      await db.db.updateTable('incidents').set({ audit_seq: 2, audit_hash: prevHash }).where('id', '=', 'old').execute();
      await migrateToLatest(db);
    } finally {
      await db.close();
    }

    const ctx = await database().context();
    try {
      expect(await verifyAudit(ctx, 'old')).toMatchObject({ entries: 3, intact: true });
      const [first, , sealed] = await auditTrail(ctx, 'old');
      expect(sealed).toMatchObject({ seq: 3, actor: 'tocsin', action: 'audit.keyed', prev_hash: prevHash });
      expect(JSON.parse(sealed.details)).toEqual({ plain_entries: 2, plain_head: prevHash });

      // Rewriting a plain entry and its plain successors is what plain hashes allowed: the keyed seal no longer fits.
      const edited = { ...first, actor: 'someone-else' };
      const editedHash = entryHash(edited, null);
      await ctx.db.updateTable('audit_log').set({ actor: edited.actor, hash: editedHash }).where('incident_id', '=', 'old').where('seq', '=', 1).execute();
      const [, second] = await auditTrail(ctx, 'old');
      const secondHash = entryHash({ ...second, prev_hash: editedHash }, null);
      await ctx.db.updateTable('audit_log').set({ prev_hash: editedHash, hash: secondHash }).where('incident_id', '=', 'old').where('seq', '=', 2).execute();
      await ctx.db.updateTable('audit_log').set({ prev_hash: secondHash }).where('incident_id', '=', 'old').where('seq', '=', 3).execute();
      const result = await verifyAudit(ctx, 'old');
      expect(result).toMatchObject({ intact: false, break: { kind: 'altered', seq: 3 } });
      expect(result.message).toContain('made before the trail was keyed');

      // Nor can the seal be declared a plain entry too.
      await ctx.db.updateTable('audit_log').set({ hash: entryHash({ ...sealed, prev_hash: secondHash }, null) }).where('incident_id', '=', 'old').where('seq', '=', 3).execute();
      await ctx.db.updateTable('incidents').set({ audit_keyed_from: 4, audit_hash: entryHash({ ...sealed, prev_hash: secondHash }, null) }).where('id', '=', 'old').execute();
      expect((await verifyAudit(ctx, 'old')).break).toEqual({ kind: 'head-forged', seq: 4 });
    } finally {
      await ctx.close();
    }
  });
});

describeEachDatabase('migration 0010 on scope runs stored before it', (database) => {
  it('gives them no purged requests, which their diff reads', async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0010');
      for (const run of [1, 2]) {
        await sql`INSERT INTO scope_runs (incident_id, run, at, rules_path, rules_sha256, rules, log_format, attacker_requests, affected, exposed_records, unknown_values)
          VALUES ('old', ${run}, ${at}, '/scope.yml', '', '', 'combined', 0, 0, 0, 3)`.execute(db.db);
      }
      await migrateToLatest(db);
      expect(await diffRuns({ db: db.db }, 'old')).toEqual({ from: 1, to: 2, added: [], removed: [], changed: [], purged: { requests: 0, purgedAt: [] } });
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0021 on scope runs stored before it', (database) => {
  it("gives each affected row its person's country as notices take it: the newest record that names one, in capitals", async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0021');
      // key, subject, country, import, line: ana moved from France to Belgium (import 2), her
      // newest order names no country; bo wrote his in lower case; cy's is blank; dee has no record.
      const records: [string, string, string | null, number, number][] = [
        ['SO1', 'ana@example.com', 'FR', 1, 2],
        ['SO2', 'ana@example.com', 'be', 2, 2],
        ['SO3', 'ana@example.com', null, 2, 3],
        ['SO4', 'bo@example.com', ' de ', 1, 3],
        ['SO5', 'cy@example.com', '  ', 1, 4],
      ];
      for (const [key, subject, country, importId, line] of records) {
        await sql`INSERT INTO records (incident_id, key, subject, email, country, fields, import_id, line) VALUES ('old', ${key}, ${subject}, ${subject}, ${country}, '{}', ${importId}, ${line})`.execute(db.db);
      }
      for (const [run, subject] of [[1, 'ana@example.com'], [2, 'ana@example.com'], [2, 'bo@example.com'], [2, 'cy@example.com'], [2, 'dee@example.com']] as const) {
        await sql`INSERT INTO affected (incident_id, run, subject, first_access, last_access, requests, records) VALUES ('old', ${run}, ${subject}, ${at}, ${at}, 1, '[]')`.execute(db.db);
      }
      await migrateToLatest(db);
      const rows = await db.db.selectFrom('affected').select(['run', 'subject', 'country']).orderBy('run').orderBy('subject').execute();
      expect(rows).toEqual([
        { run: 1, subject: 'ana@example.com', country: 'BE' },
        { run: 2, subject: 'ana@example.com', country: 'BE' },
        { run: 2, subject: 'bo@example.com', country: 'DE' },
        { run: 2, subject: 'cy@example.com', country: null },
        { run: 2, subject: 'dee@example.com', country: null },
      ]);
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0034 on scope runs stored before it', (database) => {
  it('gives each affected row how to address its person: each value from the newest record that has one, the first line of a name', async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0034');
      // key, subject, email, name, locale, region, import, line: ana's newest order (import 2) has
      // no name, locale or region, and her email in capitals; bo's name has a shipping name under
      // the billing one and a name with a quote, then a blank one; dee has no record.
      const records: [string, string, string, string | null, string | null, string | null, number, number][] = [
        ['SO1', 'ana@example.com', 'ana@example.com', 'Ana Old', 'fr', 'IDF', 1, 2],
        ['SO2', 'ana@example.com', 'ana@example.com', 'Ana Lima', 'pt-BR', null, 2, 2],
        ['SO3', 'ana@example.com', 'ANA@example.com', null, null, null, 2, 3],
        ['SO4', 'bo@example.com', 'bo@example.com', "Bo O'Neil\nShip To", 'en', 'CA', 1, 3],
        ['SO5', 'bo@example.com', 'bo@example.com', '', null, null, 1, 4],
      ];
      for (const [key, subject, email, name, locale, region, importId, line] of records) {
        const fields = JSON.stringify(name === null ? {} : { name });
        await sql`INSERT INTO records (incident_id, key, subject, email, locale, region, fields, import_id, line) VALUES ('old', ${key}, ${subject}, ${email}, ${locale}, ${region}, ${fields}, ${importId}, ${line})`.execute(db.db);
      }
      for (const [run, subject] of [[1, 'ana@example.com'], [2, 'ana@example.com'], [2, 'bo@example.com'], [2, 'dee@example.com']] as const) {
        await sql`INSERT INTO affected (incident_id, run, subject, first_access, last_access, requests, records, exposed, not_exposed) VALUES ('old', ${run}, ${subject}, ${at}, ${at}, 1, '[]', 0, 0)`.execute(db.db);
      }
      await migrateToLatest(db);
      const rows = await db.db.selectFrom('affected').select(['run', 'subject', 'email', 'name', 'locale', 'region']).orderBy('run').orderBy('subject').execute();
      const ana = { subject: 'ana@example.com', email: 'ANA@example.com', name: 'Ana Lima', locale: 'pt-BR', region: 'IDF' };
      expect(rows).toEqual([
        { run: 1, ...ana },
        { run: 2, ...ana },
        { run: 2, subject: 'bo@example.com', email: 'bo@example.com', name: "Bo O'Neil", locale: 'en', region: 'CA' },
        { run: 2, subject: 'dee@example.com', email: null, name: null, locale: null, region: null },
      ]);
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0041 on scope runs stored before it', (database) => {
  it("gives each affected row its person's JSON, as the API's list sends them, with record keys written compact", async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0041');
      // PostgreSQL's scope runs wrote json_agg's text, with spaces; a key may hold ", " itself.
      const records = db.dialect === 'postgres' ? String.raw`["SO1", "SO\", \"2"]` : String.raw`["SO1","SO\", \"2"]`;
      await sql`INSERT INTO affected (incident_id, run, subject, first_access, last_access, requests, records, exposed, not_exposed, country, email, name, locale, region)
                VALUES ('old', 1, 'ana@example.com', ${at}, ${at}, 3, ${records}, ${categoryBit('name') | categoryBit('phone')}, ${categoryBit('health')}, 'FR', 'ANA@example.com', ${'Ana "Lima"\n'}, 'fr', NULL),
                       ('old', 1, 'bo@example.com', ${at}, ${at}, 1, '[]', 0, 0, NULL, NULL, NULL, NULL, NULL)`.execute(db.db);
      await migrateToLatest(db);
      const rows = await db.db.selectFrom('affected').select(['subject', 'records', 'person_json']).orderBy('subject').execute();
      expect(rows.map((row) => row.records)).toEqual([String.raw`["SO1","SO\", \"2"]`, '[]']);
      expect(rows.map((row) => row.person_json)).toEqual([
        JSON.stringify({ email: 'ANA@example.com', subject: 'ana@example.com', name: 'Ana "Lima"\n', locale: 'fr', country: 'FR', region: null, exposed: ['name', 'phone'], not_exposed: ['health'], first_access: at, last_access: at, requests: 3, records: ['SO1', 'SO", "2'] }),
        JSON.stringify({ email: 'bo@example.com', subject: 'bo@example.com', name: null, locale: null, country: null, region: null, exposed: [], not_exposed: [], first_access: at, last_access: at, requests: 1, records: [] }),
      ]);
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0035 on notices built before it', (database) => {
  it('gives each incident with notices a notice set with no builder (unknown) and no approval, built when its newest notice was', async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0035');
      for (const [subject, updated] of [['ana@example.com', '2019-11-15T10:00:00.000Z'], ['bo@example.com', '2019-11-15T11:00:00.000Z']]) {
        await sql`INSERT INTO notices (incident_id, subject, seq, run, email, locale, vars, templates_sha256, code_hash, code_subject_hash, state, attempts, created_at, updated_at)
                  VALUES ('old', ${subject}, 1, 1, ${subject}, 'en', '{}', 'sha', ${`h-${subject}`}, ${`s-${subject}`}, 'queued', 0, ${at}, ${updated})`.execute(db.db);
      }
      await sql`INSERT INTO incidents (id, title, aware_at, locale, created_at, updated_at, audit_seq, audit_hash) VALUES ('none', 'No notices', ${at}, 'en', ${at}, ${at}, 0, '')`.execute(db.db);
      await migrateToLatest(db);
      expect(await db.db.selectFrom('notice_sets').selectAll().execute()).toEqual([
        { incident_id: 'old', built_by: null, built_at: '2019-11-15T11:00:00.000Z', approved_by: null, approved_at: null },
      ]);
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('migration 0039 on bounty reports kept before it', (database) => {
  it('keeps every report and what refers to it, lets a report have no researcher, and still refuses a reference to no report', async () => {
    const db = await openDatabase(database().config);
    try {
      await migrateBefore(db, '0039');
      await sql`INSERT INTO bounty_researchers (id, email, locale, password_hash, created_at, updated_at) VALUES ('r1', 'ada@research.example', 'en-GB', 'x', ${at}, ${at})`.execute(db.db);
      await sql`INSERT INTO bounty_reports (reference, researcher_id, asset, weakness, title, description, steps, impact, researcher_cvss, state, submitted_at, state_changed_at)
        VALUES ('B-0000-0000-0001', 'r1', 'shop.example.com', 'CWE-79', 'XSS', 'd', 's', 'i', '', 'new', ${at}, ${at})`.execute(db.db);
      await sql`INSERT INTO bounty_attachments (id, report_reference, filename, content_type, size, sha256, bytes) VALUES ('a1', 'B-0000-0000-0001', 'proof.txt', 'text/plain', 1, 'h', ${Buffer.from('x')})`.execute(db.db);
      await sql`INSERT INTO bounty_comments (report_reference, at, author_kind, author, internal, body) VALUES ('B-0000-0000-0001', ${at}, 'team', 'triager', 0, 'Thanks')`.execute(db.db);
      await migrateToLatest(db);
      expect(await db.db.selectFrom('bounty_reports').select(['reference', 'researcher_id', 'title']).execute()).toEqual([{ reference: 'B-0000-0000-0001', researcher_id: 'r1', title: 'XSS' }]);
      expect(await db.db.selectFrom('bounty_attachments').select('report_reference').execute()).toEqual([{ report_reference: 'B-0000-0000-0001' }]);
      expect(await db.db.selectFrom('bounty_comments').select('body').execute()).toEqual([{ body: 'Thanks' }]);
      if (db.dialect === 'sqlite') {
        // The table made again has its indexes again.
        const indexes = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bounty_reports' AND sql IS NOT NULL ORDER BY name`.execute(db.db);
        expect(indexes.rows.map((row) => row.name)).toEqual(['bounty_reports_asset_weakness', 'bounty_reports_researcher', 'bounty_reports_state']);
      }
      await sql`INSERT INTO bounty_reports (reference, researcher_id, asset, weakness, title, description, steps, impact, researcher_cvss, state, submitted_at, state_changed_at)
        VALUES ('B-0000-0000-0002', NULL, 'unknown (sent by email)', 'NVD-CWE-noinfo', 'By mail', 'd', '', '', '', 'new', ${at}, ${at})`.execute(db.db);
      await expect(sql`INSERT INTO bounty_comments (report_reference, at, author_kind, author, internal, body) VALUES ('B-NONE', ${at}, 'team', 'triager', 0, 'x')`.execute(db.db)).rejects.toThrow(/foreign key/i);
      await expect(sql`INSERT INTO bounty_reports (reference, researcher_id, asset, weakness, title, description, steps, impact, researcher_cvss, state, submitted_at, state_changed_at)
        VALUES ('B-0000-0000-0003', 'nobody', 'a', 'CWE-1', 't', 'd', '', '', '', 'new', ${at}, ${at})`.execute(db.db)).rejects.toThrow(/foreign key/i);
    } finally {
      await db.close();
    }
  });
});
