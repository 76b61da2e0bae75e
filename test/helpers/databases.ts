import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { configWith } from '../../src/config.ts';
import { openContext, type ContextOptions, type OpenContext } from '../../src/context.ts';
import type { DatabaseConfig, Dialect } from '../../src/db/connect.ts';
import { createIncident } from '../../src/incidents/index.ts';

/** Set by .ci/run; without it the PostgreSQL half of every database suite is skipped. */
export const POSTGRES_URL = process.env.TOCSIN_TEST_DATABASE_URL;
export const POSTGRES_SKIPPED = 'PostgreSQL suite skipped: set TOCSIN_TEST_DATABASE_URL=postgres://… to run it';

export interface TestDatabase {
  dialect: Dialect;
  /** What openDatabase/openContext take: a temp data directory, or a URL into a fresh schema. */
  config: DatabaseConfig;
  /** A context on this database with a fixed actor; close it when done (or use `using`). */
  context(options?: Partial<ContextOptions>): Promise<OpenContext>;
}

/** An incident made in this process, for a CLI test about another command than `incident create`: its id. */
export async function incidentIn(database: TestDatabase, title: string): Promise<string> {
  const ctx = await database.context();
  try {
    return (await createIncident(ctx, { title, aware_at: '2019-11-14T16:00:00Z' })).id;
  } finally {
    await ctx.close();
  }
}

/**
 * Declares `suite` once per database: SQLite in a temporary directory, and PostgreSQL in a
 * schema of its own (dropped afterwards) when TOCSIN_TEST_DATABASE_URL is set.
 */
export function describeEachDatabase(title: string, suite: (database: () => TestDatabase) => void): void {
  describe(`${title} [sqlite]`, () => {
    let database: TestDatabase;
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tocsin-test-'));
      database = testDatabase('sqlite', { dataDir: dir });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    suite(() => database);
  });

  const describePostgres = POSTGRES_URL ? describe : describe.skip;
  describePostgres(`${title} [postgres]${POSTGRES_URL ? '' : ` (${POSTGRES_SKIPPED})`}`, () => {
    let database: TestDatabase;
    let dropSchema: () => Promise<void>;
    let dir: string;
    beforeAll(async () => {
      const schema = await createSchema(POSTGRES_URL!);
      dropSchema = schema.drop;
      // Files beside the database (secret key, templates, outbox) get a directory of their own too.
      dir = mkdtempSync(join(tmpdir(), 'tocsin-test-'));
      database = testDatabase('postgres', { dataDir: dir, databaseUrl: schema.url });
    });
    afterAll(async () => {
      await dropSchema?.();
      rmSync(dir, { recursive: true, force: true });
    });
    suite(() => database);
  });
}

function testDatabase(dialect: Dialect, config: DatabaseConfig): TestDatabase {
  return {
    dialect,
    config,
    context: (options = {}) => openContext({ config: configWith({ data_dir: config.dataDir, database_url: config.databaseUrl }), actor: 'test', onWait: config.onWait, ...options }),
  };
}

/** A schema of its own per suite, so suites can run in parallel and leave nothing behind. */
export async function createSchema(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tocsin_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
