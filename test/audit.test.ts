import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { recordRun, verifyAudit } from '../src/incidents/audit.ts';
import { createIncident, updateIncident } from '../src/incidents/incidents.ts';
import { describeEachDatabase } from './helpers/databases.ts';

/** Tampering is done the way an intruder with database access would: plain SQL, around the service. */
describeEachDatabase('audit chain', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    ctx = await database().context();
  });
  afterAll(() => ctx?.close());

  beforeEach(async () => {
    ({ id } = await createIncident(ctx, { title: 'Chained', aware_at: '2019-11-14T16:00:00Z' }));
    await updateIncident(ctx, id, { controller: 'Shop Ltd' });
    await recordRun(ctx, id, { action: 'scope.run', details: { affected: 12 } });
    await updateIncident(ctx, id, { contained_at: '2019-11-15T00:00:00Z' });
  });

  it('verifies an untouched trail', async () => {
    expect(await verifyAudit(ctx, id)).toMatchObject({ entries: 4, intact: true, break: null });
  });

  it('names an entry whose details were altered', async () => {
    await ctx.db.updateTable('audit_log').set({ details: '{"affected":3}' }).where('incident_id', '=', id).where('seq', '=', 3).execute();
    const result = await verifyAudit(ctx, id);
    expect(result).toMatchObject({ intact: false, break: { kind: 'altered', seq: 3 } });
    expect(result.message).toContain('#3 was altered');
  });

  it('names an entry re-hashed to hide a change, by its broken link to the next', async () => {
    await ctx.db.updateTable('audit_log').set({ actor: 'someone-else', hash: 'f'.repeat(64) }).where('incident_id', '=', id).where('seq', '=', 2).execute();
    expect((await verifyAudit(ctx, id)).break).toEqual({ kind: 'altered', seq: 2 });
  });

  it('names an entry removed from the middle', async () => {
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '=', 2).execute();
    expect(await verifyAudit(ctx, id)).toMatchObject({ entries: 3, intact: false, break: { kind: 'removed', seq: 2 } });
  });

  it('notices entries removed from the end', async () => {
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '>=', 3).execute();
    const result = await verifyAudit(ctx, id);
    expect(result.break).toEqual({ kind: 'removed', seq: 3 });
    expect(result.message).toContain('#3 was removed');
  });
});
