import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { withIndexesDeferred } from '../src/db/bulk-load.ts';
import { bulkInsert, bulkInsertValues, bulkTake } from '../src/db/bulk-insert.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { describeEachDatabase } from './helpers/databases.ts';

describeEachDatabase('bulk loading', (database) => {
  async function indexNames(ctx: Awaited<ReturnType<ReturnType<typeof database>['context']>>, db = ctx.db): Promise<string[]> {
    const query =
      ctx.dialect === 'sqlite'
        ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL`
        : sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'records' AND schemaname = current_schema() AND indexname <> 'records_pk'`;
    return (await query.execute(db)).rows.map((row) => row.name).sort();
  }

  it('drops secondary indexes for the load, rebuilds them after, and upserts by key', async () => {
    const ctx = await database().context();
    try {
      const { id } = await createIncident(ctx, { title: 'Bulk', aware_at: '2019-11-14T16:00:00Z' });
      expect(await indexNames(ctx)).toEqual(['records_subject']);
      const columns = ['incident_id', 'key', 'subject', 'email', 'fields', 'import_id', 'line'] as const;
      const rows = Array.from({ length: 5000 }, (_, i) => [id, `K${i}`, `s${i % 10}@x.example`, `S${i}@x.example`, '{}', 1, i + 2]);
      await ctx.db.transaction().execute((trx) =>
        withIndexesDeferred(trx, ctx.dialect, ['records'], async () => {
          expect(await indexNames(ctx, trx)).toEqual([]);
          await bulkInsert(trx, ctx.dialect, 'records', columns, rows, { upsertOn: ['incident_id', 'key'] });
          await bulkInsert(trx, ctx.dialect, 'records', columns, [[id, 'K7', 'new@x.example', 'New@x.example', '{}', 2, 99]], { upsertOn: ['incident_id', 'key'] });
        }),
      );
      expect(await indexNames(ctx)).toEqual(['records_subject']);
      const count = await ctx.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(5000);
      const replaced = await ctx.db.selectFrom('records').selectAll().where('incident_id', '=', id).where('key', '=', 'K7').executeTakeFirstOrThrow();
      expect(replaced).toMatchObject({ subject: 'new@x.example', import_id: 2, line: 99 });
    } finally {
      await ctx.close();
    }
  });

  it('writes constant columns into the statement, quoted, and upserts them too', async () => {
    const ctx = await database().context();
    try {
      const { id } = await createIncident(ctx, { title: 'Constants', aware_at: '2019-11-14T16:00:00Z' });
      const path = "/exports/o'brien's orders.csv";
      await bulkInsertValues(ctx.db, ctx.dialect, 'quarantine', ['line', 'reason'], [2, 'empty', 3, "it's bad"], { constants: { incident_id: id, import_id: 7, path } });
      const rows = await ctx.db.selectFrom('quarantine').selectAll().where('incident_id', '=', id).orderBy('line').execute();
      expect(rows).toEqual([
        { incident_id: id, import_id: 7, path, line: 2, reason: 'empty' },
        { incident_id: id, import_id: 7, path, line: 3, reason: "it's bad" },
      ]);
      const recordColumns = ['key', 'subject', 'email', 'fields', 'line'] as const;
      const upsert = (importId: number) =>
        bulkInsertValues(ctx.db, ctx.dialect, 'records', recordColumns, ['K1', 'a@x.example', 'a@x.example', '{}', importId], {
          constants: { incident_id: id, import_id: importId },
          upsertOn: ['incident_id', 'key'],
        });
      await upsert(1);
      await upsert(2);
      const record = await ctx.db.selectFrom('records').select(['import_id', 'line']).where('incident_id', '=', id).executeTakeFirstOrThrow();
      expect(record).toEqual({ import_id: 2, line: 2 });
    } finally {
      await ctx.close();
    }
  });

  it('takes rows: makes the missing ones, returns every one as stored, changes none, and holds them locked on PostgreSQL', async () => {
    const ctx = await database().context();
    const other = await database().context();
    try {
      const columns = ['key', 'failures', 'last_failure_at', 'locked_until'] as const;
      await bulkInsert(ctx.db, ctx.dialect, 'login_throttles', columns, [['take:b', 4, '2026-12-06T04:00:00.000Z', null]]);
      const empty = (key: string) => [key, 0, new Date(0).toISOString(), null];
      const taken = await bulkTake(ctx.db, ctx.dialect, 'login_throttles', columns, ['take:a', 'take:b', 'take:c'].map(empty), ['key']);
      expect([...taken].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'take:a', failures: 0, last_failure_at: new Date(0).toISOString(), locked_until: null },
        { key: 'take:b', failures: 4, last_failure_at: '2026-12-06T04:00:00.000Z', locked_until: null },
        { key: 'take:c', failures: 0, last_failure_at: new Date(0).toISOString(), locked_until: null },
      ]);
      const stored = await ctx.db.selectFrom('login_throttles').select(['key', 'failures']).where('key', 'like', 'take:%').orderBy('key').execute();
      expect(stored).toEqual([{ key: 'take:a', failures: 0 }, { key: 'take:b', failures: 4 }, { key: 'take:c', failures: 0 }]);
      if (ctx.dialect !== 'postgres') return;
      // Taken in a transaction, a row is another's only once that transaction ends, as with SELECT … FOR UPDATE.
      let committing = false;
      let waiting!: Promise<boolean>;
      await ctx.db.transaction().execute(async (trx) => {
        await bulkTake(trx, ctx.dialect, 'login_throttles', columns, [empty('take:b')], ['key']);
        waiting = other.db.transaction().execute(async (otherTrx) => {
          await bulkTake(otherTrx, other.dialect, 'login_throttles', columns, [empty('take:b')], ['key']);
          return committing;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        committing = true;
      });
      expect(await waiting).toBe(true);
    } finally {
      await Promise.all([ctx.close(), other.close()]);
    }
  });

  it('stores any text as given: quotes, backslashes, braces, commas, line breaks, NULL as a word and as a value', async () => {
    const ctx = await database().context();
    try {
      const { id } = await createIncident(ctx, { title: 'Awkward', aware_at: '2019-11-14T16:00:00Z' });
      const awkward = ['{"a":"b,c"}', 'back\\slash \\"', 'line\nbreak', '{braces}', 'NULL', '', 'Çà ✓ 🙂', " 'single' "];
      const values = awkward.flatMap((text, i) => [`K${i}`, 's@x.example', text, text, i === 4 ? null : text, i + 2]);
      await bulkInsertValues(ctx.db, ctx.dialect, 'records', ['key', 'subject', 'email', 'fields', 'locale', 'line'], values, { constants: { incident_id: id, import_id: 1 } });
      const rows = await ctx.db.selectFrom('records').select(['key', 'email', 'fields', 'locale']).where('incident_id', '=', id).orderBy('line').execute();
      expect(rows).toEqual(awkward.map((text, i) => ({ key: `K${i}`, email: text, fields: text, locale: i === 4 ? null : text })));
    } finally {
      await ctx.close();
    }
  });

  it('leaves the indexes in place when the load fails', async () => {
    const ctx = await database().context();
    try {
      await expect(
        ctx.db.transaction().execute((trx) =>
          withIndexesDeferred(trx, ctx.dialect, ['records'], async () => {
            throw new Error('disk full');
          }),
        ),
      ).rejects.toThrow('disk full');
      expect(await indexNames(ctx)).toEqual(['records_subject']);
    } finally {
      await ctx.close();
    }
  });
});
