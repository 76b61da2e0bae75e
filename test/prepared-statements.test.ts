import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { executePrepared } from '../src/db/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';

describeEachDatabase('prepared statements', (database) => {
  let ctx: OpenContext;
  beforeAll(async () => {
    ctx = await database().context();
  });
  afterAll(() => ctx?.close());

  it('run a Kysely query under a name, prepared once per PostgreSQL connection, with the rows a plain run gives', async () => {
    const query = (db: typeof ctx.db, after: number) => db.selectFrom('incidents').select((eb) => eb.val(after).as('after')).limit(1);
    expect(await executePrepared(ctx.db, 'probe_plain', query(ctx.db, 1))).toEqual(await query(ctx.db, 1).execute());
    await ctx.db.transaction().execute(async (trx) => {
      // Twice on one connection: the second run binds the statement the first prepared.
      await executePrepared(trx, 'probe_twice', query(trx, 1));
      await executePrepared(trx, 'probe_twice', query(trx, 2));
      if (database().dialect === 'postgres') {
        const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(trx);
        expect(rows.map((row) => row.name)).toContain('probe_twice');
      }
    });
    await expect(executePrepared(ctx.db, 'Probe; DROP', query(ctx.db, 1))).rejects.toThrow(/lower-case letters/);
  });
});
