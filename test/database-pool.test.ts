import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith, loadConfig } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import { servingPool } from '../src/db/index.ts';
import { POSTGRES_SKIPPED, POSTGRES_URL, createSchema } from './helpers/databases.ts';

describe('database_pool', () => {
  it('comes from TOCSIN_DATABASE_POOL, unset unless told, and refuses what is not a number of connections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-pool-'));
    try {
      expect(loadConfig({ dataDir: dir }, {}).config.database_pool).toBeUndefined();
      expect(loadConfig({ dataDir: dir }, { TOCSIN_DATABASE_POOL: '2' }).config.database_pool).toBe(2);
      for (const bad of ['0', '2.5', 'many', '101']) expect(() => loadConfig({ dataDir: dir }, { TOCSIN_DATABASE_POOL: bad }), bad).toThrow(/TOCSIN_DATABASE_POOL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("unset, gives each serving process its share of the cores where PostgreSQL runs on this machine, at least 2, and 10 where it runs elsewhere", () => {
    for (const local of ['postgres://postgres@127.0.0.1:5432/tocsin', 'postgres://localhost/tocsin', 'postgresql://[::1]:5432/tocsin', 'postgres:///tocsin', 'postgres://%2Fvar%2Frun%2Fpostgresql/tocsin', 'postgres://db.example/tocsin?host=/run/postgresql']) {
      expect(servingPool(local, 2, 2), local).toBe(2);
      expect(servingPool(local, 2, 8), local).toBe(4);
      expect(servingPool(local, 3, 8), local).toBe(3);
      expect(servingPool(local, 8, 2), local).toBe(2);
    }
    for (const remote of ['postgres://tocsin@db.internal:5432/tocsin', 'postgres://10.0.0.7/tocsin', 'postgres://postgres@127.0.0.1.example/tocsin', 'postgres://%zz/tocsin', 'not a url']) expect(servingPool(remote, 2, 2), remote).toBe(10);
    expect(servingPool(undefined, 2, 2)).toBe(10);
  });
});

describe.runIf(POSTGRES_URL)(`database_pool on PostgreSQL${POSTGRES_URL ? '' : ` (${POSTGRES_SKIPPED})`}`, () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-pool-'));
    schema = await createSchema(POSTGRES_URL!);
  });
  afterAll(async () => {
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The backends that six queries of a quarter second each, all started at once, ran on. */
  async function backendsOfSixQueries(pool?: number): Promise<number> {
    const ctx = await openContext({ config: configWith({ data_dir: dir, database_url: schema.url, ...(pool === undefined ? {} : { database_pool: pool }) }), actor: 'test' });
    try {
      const pids = await Promise.all(Array.from({ length: 6 }, () => sql<{ pid: number }>`SELECT pg_backend_pid() AS pid, pg_sleep(0.25)`.execute(ctx.db)));
      return new Set(pids.map(({ rows }) => rows[0].pid)).size;
    } finally {
      await ctx.close();
    }
  }

  it('keeps at most that many connections a process: queries beyond them wait their turn', async () => {
    expect(await backendsOfSixQueries(2)).toBe(2);
    expect(await backendsOfSixQueries()).toBe(6);
  });

  it('tells a query that waited 5 s for a busy connection that the connections were busy, not lost', async () => {
    const ctx = await openContext({ config: configWith({ data_dir: dir, database_url: schema.url, database_pool: 1 }), actor: 'test' });
    try {
      const long = sql`SELECT pg_sleep(6)`.execute(ctx.db);
      await expect(sql`SELECT 1`.execute(ctx.db)).rejects.toMatchObject({ code: 'DATABASE_BUSY', kind: 'unavailable', message: expect.stringMatching(/^all 1 of this process's PostgreSQL connections stayed busy for 5 s; .*raise database_pool$/) });
      await long;
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(ctx.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await ctx.close();
    }
  });
});
