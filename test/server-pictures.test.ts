import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { buildNotices } from '../src/notices/index.ts';
import { importRecords } from '../src/records/index.ts';
import { affectedSubjects, loadScopeFile, ruleColumns, runScope } from '../src/scoping/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-pictures-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
let truth: { attack_requests: number; indicators: { from: string; until: string }; affected: { email: string; exposed: string[] }[] };

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 800, logLines: 8000, seed: 11 });
  truth = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8'));
});

describeEachDatabase("an incident's pictures over the API", (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let id: string;
  let viewer: ReturnType<typeof asRole>;
  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date('2019-11-16T12:00:00Z') });
    ({ id } = await createDemoIncident(ctx));
    listeners = await startTestListeners(ctx);
    viewer = asRole(listeners.staffUrl, await addStaff(ctx), 'viewer');
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('asks for a scope run before drawing one, and draws no delivery before notices are tried', async () => {
    for (const picture of ['requests', 'affected']) {
      const response = await viewer(`/api/incidents/${id}/pictures/${picture}`);
      expect(response.status).toBe(409);
      expect((await json(response)).error.code).toBe('NO_SCOPE_RUN');
    }
    expect(await json(viewer(`/api/incidents/${id}/pictures/delivery`))).toEqual({ unit: 'day', buckets: [] });
    expect((await json(viewer('/api/incidents/zzz999/pictures/delivery'))).error.code).toBe('INCIDENT_NOT_FOUND');
  });

  it("counts the attacker's requests per day over the indicators' window, each log line once", async () => {
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });

    const picture = await json(viewer(`/api/incidents/${id}/pictures/requests`));
    expect(picture.run).toBe(1);
    expect(picture.window).toEqual({ from: '2019-10-30T00:00:00.000Z', until: expect.stringMatching(/^2019-11-13T23:59:59\.\d{3}Z$/) });
    expect(picture.unit).toBe('day');
    // Every day of the window, in order, the empty ones too.
    const days = picture.buckets.map((bucket: { start: string }) => bucket.start);
    expect(days[0]).toBe('2019-10-30T00:00:00.000Z');
    expect(days.at(-1)).toBe('2019-11-13T00:00:00.000Z');
    expect(days.length).toBe(15);

    // The same count by hand: the run's evidence and unknown reads, one per log line, by the day of its time.
    const lines = new Map<string, string>();
    for (const table of ['exposure_evidence', 'unknown_reads'] as const) {
      for (const row of await ctx.db.selectFrom(table).select(['path', 'line', 'at']).where('incident_id', '=', id).execute()) lines.set(`${row.path}:${row.line}`, row.at);
    }
    const perDay = new Map<string, number>();
    for (const at of lines.values()) perDay.set(`${at.slice(0, 10)}T00:00:00.000Z`, (perDay.get(`${at.slice(0, 10)}T00:00:00.000Z`) ?? 0) + 1);
    expect(picture.buckets).toEqual(days.map((start: string) => ({ start, requests: perDay.get(start) ?? 0 })));
    const total = picture.buckets.reduce((sum: number, bucket: { requests: number }) => sum + bucket.requests, 0);
    expect(total).toBe(lines.size);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(truth.attack_requests);
  });

  it('counts the affected people by country, most first, and by exposed category', async () => {
    const picture = await json(viewer(`/api/incidents/${id}/pictures/affected`));
    const { subjects } = await affectedSubjects(ctx, id);
    expect(picture.affected).toBe(truth.affected.length);
    const perCountry = new Map<string | null, number>();
    for (const subject of subjects) perCountry.set(subject.country, (perCountry.get(subject.country) ?? 0) + 1);
    expect(new Map(picture.countries.map((row: { country: string | null; subjects: number }) => [row.country, row.subjects]))).toEqual(perCountry);
    const counts = picture.countries.map((row: { subjects: number }) => row.subjects);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(picture.countries.length).toBeGreaterThan(1);

    const perCategory = new Map<string, number>();
    for (const person of truth.affected) for (const category of person.exposed) perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
    expect(new Map(picture.categories.map((row: { category: string; subjects: number }) => [row.category, row.subjects]))).toEqual(perCategory);
  });

  it('counts notices per hour in the state they reached, a bounce when it was learnt', async () => {
    await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    const outcome = (seqs: number[], state: 'sent' | 'deferred' | 'bounced' | 'failed', at: string, sentAt: string | null = null) =>
      ctx.db.updateTable('notices').set({ state, updated_at: at, sent_at: sentAt }).where('incident_id', '=', id).where('seq', 'in', seqs).execute();
    await outcome([1, 2, 3], 'sent', '2019-11-20T10:59:00.000Z', '2019-11-20T10:15:00.000Z');
    await outcome([4], 'sent', '2019-11-20T12:30:00.000Z', '2019-11-20T12:30:00.000Z');
    await outcome([5, 6], 'deferred', '2019-11-20T12:05:00.000Z');
    // Sent on the 20th, bounced the next morning: counted as a bounce then, not as sent.
    await outcome([7], 'bounced', '2019-11-21T09:40:00.000Z', '2019-11-20T10:20:00.000Z');
    await outcome([8], 'failed', '2019-11-20T10:45:00.000Z');

    const picture = await json(viewer(`/api/incidents/${id}/pictures/delivery`));
    expect(picture.unit).toBe('hour');
    expect(picture.buckets.length).toBe(24);
    const empty = { sent: 0, deferred: 0, bounced: 0, failed: 0 };
    const expected = new Map([
      ['2019-11-20T10:00:00.000Z', { ...empty, sent: 3, failed: 1 }],
      ['2019-11-20T12:00:00.000Z', { ...empty, sent: 1, deferred: 2 }],
      ['2019-11-21T09:00:00.000Z', { ...empty, bounced: 1 }],
    ]);
    for (const bucket of picture.buckets) expect(bucket).toEqual({ start: bucket.start, ...(expected.get(bucket.start) ?? empty) });
    expect(picture.buckets[0].start).toBe('2019-11-20T10:00:00.000Z');
    expect(picture.buckets.at(-1).start).toBe('2019-11-21T09:00:00.000Z');
  });
});
