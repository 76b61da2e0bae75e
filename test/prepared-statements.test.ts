import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import { executeBuiltOnce, executePrepared } from '../src/db/index.ts';
import { createIncident } from '../src/incidents/index.ts';
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

  it('plan a statement once where asked: each run of it on PostgreSQL takes the one generic plan, none a plan of its own', async () => {
    // One connection a pool, so that the statements and the view of them meet on the same one.
    const { config } = database();
    const one = await openContext({ config: configWith({ data_dir: config.dataDir, database_url: config.databaseUrl, database_pool: 1 }), actor: 'test' });
    try {
      const page = (limit: number) => one.db.selectFrom('incidents').select('id').where('id', '>', '').orderBy('id').limit(limit);
      for (let limit = 1; limit <= 8; limit++) expect(await executePrepared(one.db, 'probe_planned_once', page(limit), { plannedOnce: true })).toEqual(await page(limit).execute());
      if (database().dialect !== 'postgres') return;
      const statements = sql<{ name: string; generic_plans: number; custom_plans: number }>`pg_prepared_statements`.as('s');
      const plans = one.db.selectFrom(statements).select(['s.generic_plans', 's.custom_plans']).where('s.name', '=', 'probe_planned_once');
      expect(await executePrepared(one.db, 'probe_plans', plans, { plannedOnce: true })).toEqual([{ generic_plans: 8, custom_plans: 0 }]);
    } finally {
      await one.close();
    }
  });
  it('build a statement once per name, each run with its own values, a value not given leaving its filter out', async () => {
    const titles = ['Built once: a', 'Built once: b', 'Built once: c'];
    for (const title of titles) await createIncident(ctx, { title, aware_at: '2026-01-01T00:00:00Z' });
    let builds = 0;
    const run = (values: { after: string | undefined; limit: number }) =>
      executeBuiltOnce(ctx.db, `probe_built_once_${values.after === undefined ? 'all' : 'after'}`, values, ({ after, limit }) => {
        builds++;
        let select = ctx.db.selectFrom('incidents').select('title').where('title', 'like', 'Built once: %');
        if (after !== undefined) select = select.where('title', '>', after);
        return select.orderBy('title').limit(limit);
      });
    expect(await run({ after: titles[0], limit: 5 })).toEqual([{ title: titles[1] }, { title: titles[2] }]);
    expect(await run({ after: titles[1], limit: 5 })).toEqual([{ title: titles[2] }]);
    expect(await run({ after: titles[0], limit: 1 })).toEqual([{ title: titles[1] }]);
    expect(builds).toBe(1);
    expect(await run({ after: undefined, limit: 2 })).toEqual([{ title: titles[0] }, { title: titles[1] }]);
    expect(builds).toBe(2);
  });

  it('refuse a statement built once that would run with values it was not built with', async () => {
    const titles = (limit: number | undefined) => ctx.db.selectFrom('incidents').select('title').orderBy('title').limit(limit ?? 1);
    // Built with a limit, run without one: its SQL would keep the first run's shape.
    await executeBuiltOnce(ctx.db, 'probe_shape', { limit: 1 as number | undefined }, ({ limit }) => titles(limit));
    await expect(executeBuiltOnce(ctx.db, 'probe_shape', { limit: undefined as number | undefined }, ({ limit }) => titles(limit))).rejects.toThrow(/built with limit, and is run with :/);
    // A value the build left out of the parameters would be the same for every run.
    await expect(executeBuiltOnce(ctx.db, 'probe_unused', { limit: 2 }, () => titles(1))).rejects.toThrow(/built without the parameter limit/);
    await expect(executeBuiltOnce(ctx.db, 'probe_as_text', { title: 'x' }, ({ title }) => ctx.db.selectFrom('incidents').select('id').where('title', '=', `${title}%`))).rejects.toThrow(/is a parameter/);
  });
});
