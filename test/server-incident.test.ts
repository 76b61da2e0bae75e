import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assessIncident, assessmentView } from '../src/compliance/index.ts';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { buildNotices } from '../src/notices/index.ts';
import { importRecords } from '../src/records/index.ts';
import { AFFECTED_CSV_HEADER, affectedCsvCells, affectedPersonView, affectedSubjects, loadScopeFile, ruleColumns, runScope } from '../src/scoping/index.ts';
import { csvLine } from '../src/lib/csv.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-server-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
let truth: { affected: { email: string; exposed: string[] }[] };

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 1500, logLines: 15_000, seed: 7 });
  truth = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8'));
});

describeEachDatabase("an incident's data over the API", (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let id: string;
  let staff: Staff;
  let responder: ReturnType<typeof asRole>;
  let viewer: ReturnType<typeof asRole>;
  beforeAll(async () => {
    // A fixed clock: the assessment's time left is the same however long the requests take.
    ctx = await database().context({ now: () => new Date('2019-11-16T12:00:00Z') });
    ({ id } = await createDemoIncident(ctx));
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
    staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
    responder = asRole(listeners.staffUrl, staff, 'responder');
    viewer = asRole(listeners.staffUrl, staff, 'viewer');
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  /** Every page of a listing, following next_cursor. */
  async function allPages(as: ReturnType<typeof asRole>, query: string) {
    const items: { email: string; subject: string; name: string | null; exposed: string[]; country: string | null; records: string[] }[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = await json(as(`/api/incidents/${id}/affected?limit=7${query}${cursor ? `&cursor=${cursor}` : ''}`));
      items.push(...page.items);
      cursor = page.next_cursor;
      pages++;
    }
    return { items, pages };
  }

  it('pages through every affected person once, in order, with the filters of the full list', async () => {
    const { subjects } = await affectedSubjects(ctx, id);
    const { items, pages } = await allPages(responder, '');
    expect(items.map((item) => item.subject)).toEqual(subjects.map((s) => s.subject));
    expect(items.map((item) => item.subject)).toEqual(truth.affected.map((a) => a.email));
    expect(pages).toBe(Math.floor(subjects.length / 7) + 1);
    expect(items[0]).toEqual(JSON.parse(JSON.stringify(affectedPersonView(subjects[0]))));

    const phone = await allPages(responder, '&category=phone');
    expect(phone.items.map((item) => item.subject)).toEqual(subjects.filter((s) => s.exposed.includes('phone')).map((s) => s.subject));
    const country = subjects.find((s) => s.country)!.country!;
    const inCountry = await allPages(responder, `&country=${country.toLowerCase()}`);
    expect(inCountry.items.length).toBeGreaterThan(0);
    expect(inCountry.items.every((item) => item.country === country)).toBe(true);
    const domain = subjects[3].subject.split('@')[1];
    const search = await allPages(responder, `&q=${encodeURIComponent(`@${domain.toUpperCase()}`)}`);
    expect(search.items.map((item) => item.subject)).toEqual(subjects.filter((s) => s.subject.endsWith(`@${domain}`)).map((s) => s.subject));
    expect((await allPages(responder, `&q=${encodeURIComponent('%')}`)).items).toEqual([]);
    expect((await allPages(responder, `&q=${encodeURIComponent('_')}`)).items).toEqual(JSON.parse(JSON.stringify(subjects.filter((s) => s.subject.includes('_')).map(affectedPersonView))));
  });

  it("masks people's data for a viewer and refuses them a search by email", async () => {
    const { items } = await allPages(viewer, '');
    const { subjects } = await affectedSubjects(ctx, id);
    expect(items.length).toBe(subjects.length);
    for (const [i, item] of items.entries()) {
      expect(item.email).toBe(`${subjects[i].email[0]}•••@${subjects[i].email.split('@')[1]}`);
      expect(item.subject).toBe(item.email);
      expect(item.name).toBe(subjects[i].name ? `${subjects[i].name![0]}•••` : null);
      expect(item.records).toEqual([]);
      expect(item.exposed).toEqual(subjects[i].exposed);
    }
    const search = await viewer(`/api/incidents/${id}/affected?q=a`);
    expect(search.status).toBe(403);
    expect((await viewer(`/api/incidents/${id}/affected/${encodeURIComponent(subjects[0].email)}/explain`)).status).toBe(403);
  });

  it('downloads the filtered list as CSV, the same rows the CLI writes, for personal_data:read only', async () => {
    const { run, subjects } = await affectedSubjects(ctx, id);
    const all = await responder(`/api/incidents/${id}/affected.csv`);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(all.headers.get('content-disposition')).toBe(`attachment; filename="affected-${id}-run-${run}.csv"`);
    expect(await all.text()).toBe([AFFECTED_CSV_HEADER, ...subjects.map(affectedCsvCells)].map(csvLine).join(''));
    const country = subjects.find((s) => s.country)!.country!;
    const inCountry = await (await responder(`/api/incidents/${id}/affected.csv?country=${country}&category=email`)).text();
    const kept = subjects.filter((s) => s.country === country && s.exposed.includes('email'));
    expect(inCountry).toBe([AFFECTED_CSV_HEADER, ...kept.map(affectedCsvCells)].map(csvLine).join(''));
    expect((await viewer(`/api/incidents/${id}/affected.csv`)).status).toBe(403);
    expect((await json(responder('/api/incidents/zzz999/affected.csv'))).error.code).toBe('INCIDENT_NOT_FOUND');
    expect((await responder(`/api/incidents/${id}/affected.csv?country=France`)).status).toBe(400);
  });

  it('refuses bad paging parameters with 400', async () => {
    for (const query of ['limit=0', 'limit=1001', 'limit=ten', 'cursor=%25%25', 'category=shoe_size', 'country=FRA', 'sort=name']) {
      const response = await responder(`/api/incidents/${id}/affected?${query}`);
      expect(response.status, query).toBe(400);
      expect((await json(response)).error.code).toBe('INVALID_REQUEST');
    }
  });

  it('explains a person, lists evidence and unknown reads, as the CLI does', async () => {
    const [first] = truth.affected;
    const explanation = await json(responder(`/api/incidents/${id}/affected/${encodeURIComponent(first.email.toUpperCase())}/explain`));
    expect(explanation).toMatchObject({ affected: true, subject: first.email });
    expect(explanation.requests.length).toBeGreaterThan(0);
    const evidence = await json(responder(`/api/incidents/${id}/evidence`));
    expect(evidence.items.map((file: { kind: string }) => file.kind).sort()).toEqual(['log', 'log', 'log', 'records']);
    const unknown = await json(responder(`/api/incidents/${id}/unknown`));
    expect(unknown).toMatchObject({ run: 1, count: unknown.reads.length });
    // A viewer learns how many, not the values nor the requests that carry them.
    expect(await json(viewer(`/api/incidents/${id}/unknown`))).toEqual({ run: 1, count: unknown.count, reads: [] });
    expect(await json(responder(`/api/incidents/${id}/scope-runs/diff`))).toMatchObject({ error: { code: 'ONE_SCOPE_RUN' } });
  });

  it('gives the assessment as assess --json, reports in their media types, and the register', async () => {
    const assessment = await json(viewer(`/api/incidents/${id}/assessment`));
    expect(assessment).toEqual(JSON.parse(JSON.stringify(assessmentView(await assessIncident(ctx, id)))));
    const markdown = await viewer(`/api/incidents/${id}/reports/FR?format=md`);
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await markdown.text()).toContain('#');
    const html = await viewer(`/api/incidents/${id}/reports/fr?format=html`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The report runs nothing, fetches nothing, and only the console may frame it (its preview).
    expect(html.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'unsafe-inline';.* frame-ancestors 'self'; sandbox$/);
    expect(await html.text()).toMatch(/<h1/);
    expect((await json(viewer(`/api/incidents/${id}/reports/FR`))).authority).toBeDefined();
    // Made: each report is in the trail. Only looked at (the console's preview): nothing is.
    const made = async () => (await ctx.db.selectFrom('audit_log').select('seq').where('incident_id', '=', id).where('action', '=', 'report.made').execute()).length;
    const madeBefore = await made();
    expect(madeBefore).toBeGreaterThanOrEqual(3);
    const preview = await viewer(`/api/incidents/${id}/reports/FR?format=html&preview=true`);
    expect(await preview.text()).toMatch(/<h1/);
    expect(await made()).toBe(madeBefore);
    expect((await viewer(`/api/incidents/${id}/reports/FR?preview=yes`)).status).toBe(400);
    const registerPage = await viewer('/api/register?format=html');
    expect(registerPage.headers.get('content-security-policy')).toContain("default-src 'none'");
    const register = await json(viewer('/api/register'));
    expect(register.map((entry: { incident?: { id: string } }) => JSON.stringify(entry)).join()).toContain(id);
  });

  it('checks templates and previews notices as send would write them', async () => {
    expect(await json(viewer(`/api/incidents/${id}/templates/check`))).toMatchObject({ problems: [] });
    await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    const preview = await json(responder(`/api/incidents/${id}/notices/preview?locale=fr`));
    expect(preview.items.length).toBeGreaterThan(0);
    for (const item of preview.items) {
      expect(item.locale).toBe('fr');
      expect(item.message).toMatch(/^From: /m);
      expect(item.html).toContain('<html');
    }
    expect((await viewer(`/api/incidents/${id}/notices/preview`)).status).toBe(403);
    const progress = await json(viewer(`/api/incidents/${id}/delivery`));
    expect(progress).toMatchObject({ total: truth.affected.length, done: 0 });
  });

  it('gives where the response stands: stages done and next, affected count, reports made, nearest open deadline', async () => {
    const pipeline = await json(viewer(`/api/incidents/${id}/pipeline`));
    // Imported, scoped, notices built, not approved and none sent yet (the test before built them).
    expect(pipeline.stages).toEqual([
      { stage: 'imported', state: 'done' },
      { stage: 'scoped', state: 'done' },
      { stage: 'notices_built', state: 'done' },
      { stage: 'approved', state: 'next' },
      { stage: 'sent', state: 'todo' },
      { stage: 'reported', state: 'todo' },
    ]);
    expect(pipeline.affected).toBe(truth.affected.length);
    expect(pipeline.reported).toEqual([]);
    const { jurisdictions } = await json(viewer(`/api/incidents/${id}/assessment`));
    const required = jurisdictions.filter((line: any) => line.authority_required);
    expect(pipeline.facts).toMatchObject({ imports: 1, scope_runs: 1, notices: truth.affected.length, notices_approved: false, approval_required: true, unsent_notices: truth.affected.length, reports_required: required.length, reports_missing: required.length });
    const dated = jurisdictions.flatMap((line: any) => [line.authority_duty !== 'not-required' && line.authority_deadline, line.individuals !== 'not-required' && line.individuals_deadline]).filter(Boolean).sort();
    expect(pipeline.next_deadline).toMatchObject({ due_at: dated[0], overdue: dated[0] < '2019-11-16T12:00:00.000Z' });

    // A report recorded as submitted stops that authority's clock.
    const first = required[0].jurisdiction;
    expect((await asRole(listeners.staffUrl, staff, 'privacy')(`/api/incidents/${id}/reports/${first}/submitted`, { method: 'POST', body: JSON.stringify({ submitted_at: '2019-11-16T10:00:00Z' }) })).status).toBe(201);
    const after = await json(viewer(`/api/incidents/${id}/pipeline`));
    expect(after.reported).toEqual([first]);
    expect(after.facts.reports_missing).toBe(required.length - 1);
    expect(after.next_deadline?.jurisdiction === first && after.next_deadline?.to === 'authority').toBe(false);
  });

  it('gives a new incident its first stage next, and no count or deadline before a scope run', async () => {
    const created = await json(responder('/api/incidents', { method: 'POST', body: JSON.stringify({ title: 'Fresh', aware_at: '2019-11-16T08:00:00Z' }) }));
    expect(await json(viewer(`/api/incidents/${created.id}/pipeline`))).toEqual({
      stages: [
        { stage: 'imported', state: 'next' },
        { stage: 'scoped', state: 'todo' },
        { stage: 'notices_built', state: 'todo' },
        { stage: 'approved', state: 'todo' },
        { stage: 'sent', state: 'todo' },
        { stage: 'reported', state: 'todo' },
      ],
      facts: { imports: 0, scope_runs: 0, notices: 0, notices_approved: false, approval_required: true, unsent_notices: 0, reports_required: 0, reports_missing: 0 },
      affected: null,
      reported: [],
      next_deadline: null,
    });
    expect((await viewer('/api/incidents/nope42/pipeline')).status).toBe(404);
  });
});
