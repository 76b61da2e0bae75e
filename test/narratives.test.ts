import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { DEMO_INCIDENT } from '../src/demo/story.ts';
import { auditTrail } from '../src/incidents/audit.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { narrativesOf, setNarrative } from '../src/incidents/narrative.ts';
import { assessIncident } from '../src/compliance/incident-compliance.ts';
import { jurisdictionOf } from '../src/compliance/jurisdiction-of.ts';
import { loadRuleBook } from '../src/compliance/rules/load.ts';
import { buildNotices } from '../src/notices/build.ts';
import { composeNotice } from '../src/notices/compose.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { BUILT_IN_TEMPLATES_DIR } from '../src/notices/template-set.ts';
import { incidentTemplatesDir } from '../src/lib/template-dirs.ts';
import { incidentTemplates } from '../src/notices/templates.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { affectedSubjects } from '../src/scoping/results.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-narratives-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const LANGUAGES = ['de', 'en', 'es', 'fr', 'it'];
const REST_API = `## What happened
An attacker enumerated our REST API
at /wc/v3/orders with a leaked key.

## What we did
- We revoked the leaked API key.
`;
const DEMO_WORDS = /order lookup|customer support|misused|Bestellabfrage|consulta de pedidos|recherche de commandes|ricerca degli ordini/i;

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 600, logLines: 6000, seed: 11 });
  writeFileSync(join(shop, 'rest-api.md'), REST_API);
  writeFileSync(join(shop, 'bad.md'), '## What happened\nA\n\n## Timeline\nB\n');
});

describeEachDatabase('narratives', (database) => {
  let ctx: OpenContext;
  let id: string;
  const cli = (args: string[]) => tocsinMain(args, { database: database().config });
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, DEMO_INCIDENT));
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
  });
  afterAll(() => ctx?.close());

  it('refuses to build notices for a locale without a narrative, naming the command that sets it, and stores nothing', async () => {
    await setNarrative(ctx, id, 'en', { what_happened: ['Story.'] });
    const refused = await cli(['notices', 'build', id, '--shop-address', 'shop.example.com']);
    expect(refused.status).toBe(1); // not the command line: the incident lacks a story, a step to take first
    expect(refused.stderr).toMatch(new RegExp(`no narrative in '(de|es|fr|it)' .*'tocsin incident update ${id} --narrative-file (de|es|fr|it)=FILE'`));
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', id).execute()).toEqual([]);
  });

  it('stores each locale\'s narrative from the CLI, refusing a bad file whole, and shows which locales have one', async () => {
    const bad = await cli(['incident', 'update', id, '--narrative-file', `de=${join(shop, 'rest-api.md')}`, '--narrative-file', `fr=${join(shop, 'bad.md')}`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${join(shop, 'bad.md')}, line 4: 'Timeline' is not a part of a narrative`);
    expect([...(await narrativesOf(ctx, id)).keys()]).toEqual(['en']); // the good file given with it was not stored either

    const args = LANGUAGES.flatMap((language) => ['--narrative-file', `${language}=${join(shop, 'rest-api.md')}`]);
    const updated = await cli(['incident', 'update', id, ...args]);
    expect(updated.stderr).toContain(`updated ${id}: narrative de, narrative en, narrative es, narrative fr, narrative it`);
    const shown = JSON.parse((await cli(['incident', 'show', id, '--json'])).stdout);
    expect(shown.narratives.fr).toEqual({ what_happened: ['An attacker enumerated our REST API at /wc/v3/orders with a leaked key.'], what_we_did: ['We revoked the leaked API key.'] });
    expect(Object.keys(shown.narratives)).toEqual(LANGUAGES);
    const trail = await auditTrail(ctx, id);
    expect(trail.filter((entry) => entry.action === 'incident.narrative_set').map((entry) => JSON.parse(entry.details).locale)).toEqual(['en', ...LANGUAGES]);
  });

  it("builds notices that tell the incident's story, none of the demo's, and keep it as built", async () => {
    const built = await cli(['notices', 'build', id, '--shop-address', 'shop.example.com', '--json']);
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout).added).toBeGreaterThan(0);
    const notices = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).execute();
    expect(new Set(notices.map((notice) => notice.locale)).size).toBeGreaterThan(1);
    const templates = incidentTemplates(database().config.dataDir, id);
    const secret = loadSecret(database().config.dataDir);
    // Massachusetts notices may not say how the breach happened: they are left out here (the unit tests check them).
    const told = notices.filter((notice) => notice.variant !== 'us-ma');
    const rendered = () => told.map((notice) => composeNotice(notice, templates, secret));
    for (const { text, html } of rendered()) {
      expect(text).toContain('An attacker enumerated our REST API at /wc/v3/orders with a leaked key.');
      expect(html).toContain('<li>We revoked the leaked API key.</li>');
      expect(`${text}${html}`).not.toMatch(DEMO_WORDS);
    }
    // A later change of the narrative reaches notices only when they are built again: what was built is what is sent.
    await setNarrative(ctx, id, 'en', { what_happened: ['<b>Rewritten</b> {{ controller }}'] });
    for (const { text } of rendered()) expect(text).not.toContain('Rewritten');
    await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    const english = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('locale', 'like', 'en%').where('variant', '!=', 'us-ma').execute();
    expect(english.length).toBeGreaterThan(0);
    for (const notice of english) {
      const { text, html } = composeNotice(notice, templates, secret);
      expect(text).toContain('<b>Rewritten</b> {{ controller }}');
      expect(html).toContain('<p>&lt;b&gt;Rewritten&lt;/b&gt; {{ controller }}</p>');
    }
    expect(readFileSync(join(shop, 'rest-api.md'), 'utf8')).toBe(REST_API);
  });

  it('says a report was made only once it is recorded as submitted (register, audit trail), and names duties only where the assessment finds them', async () => {
    const ICO = "Information Commissioner's Office (ICO)";
    const before = await ctx.db.selectFrom('notices').select(['vars', 'variant']).where('incident_id', '=', id).execute();
    expect(before.every((notice) => JSON.parse(notice.vars).reportedTo.length === 0)).toBe(true);

    expect(await cli(['report', id, '--jurisdiction', 'GB', '--submitted-at', '2999-01-01T00:00:00Z'])).toMatchObject({ status: 2, stderr: expect.stringContaining('is in the future') });
    expect(await cli(['report', id, '--jurisdiction', 'XX', '--submitted-at', '2019-11-15T09:00:00Z'])).toMatchObject({ status: 2, stderr: expect.stringContaining("no rules for jurisdiction 'XX'") });
    const recorded = await cli(['report', id, '--jurisdiction', 'gb', '--submitted-at', '2019-11-15T09:00:00Z']);
    expect(recorded.status).toBe(0);
    expect(recorded.stderr).toContain(`the report to ${ICO} (GB) was submitted at 2019-11-15T09:00:00.000Z`);
    const register = JSON.parse((await cli(['register', '--format', 'json'])).stdout);
    const remedial = register.find((entry: { incident_id: string }) => entry.incident_id === id).sections.find((section: { key: string }) => section.key === 'remedial-action');
    expect(JSON.stringify(remedial)).toContain(`${ICO} (GB), submitted 2019-11-15T09:00:00.000Z`);
    const trail = await auditTrail(ctx, id);
    expect(trail.filter((entry) => entry.action === 'report.submitted').map((entry) => JSON.parse(entry.details))).toEqual([{ jurisdiction: 'GB', submitted_at: '2019-11-15T09:00:00.000Z' }]);

    expect((await cli(['notices', 'build', id, '--shop-address', 'shop.example.com'])).status).toBe(0);
    const notices = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).execute();
    const templates = incidentTemplates(database().config.dataDir, id);
    const secret = loadSecret(database().config.dataDir);
    const base = notices.filter((notice) => notice.variant === 'default' || notice.variant === 'gdpr');
    expect(base.length).toBeGreaterThan(0);
    for (const notice of base) expect(composeNotice(notice, templates, secret).text).toContain(ICO);

    const book = loadRuleBook();
    const { lines } = await assessIncident(ctx, id);
    const required = new Set(lines.filter((line) => line.authority.duty === 'required').map((line) => line.jurisdiction));
    const { subjects } = await affectedSubjects(ctx, id);
    const place = new Map(subjects.map((subject) => [subject.subject, jurisdictionOf(subject, book)]));
    const duties = notices.map((notice) => [JSON.parse(notice.vars).authorityDuty, required.has(place.get(notice.subject)!)]);
    expect(duties.every(([stored, assessed]) => stored === assessed)).toBe(true);
    expect(new Set(duties.map(([stored]) => stored)).size).toBe(2); // some readers' authorities must be told, some not
  });

  it("has templates check and build refuse the incident's own template that says it reported outside reported_to", async () => {
    const dir = join(incidentTemplatesDir(database().config.dataDir, id), 'de');
    mkdirSync(dir, { recursive: true });
    const text = readFileSync(join(BUILT_IN_TEMPLATES_DIR, 'de', 'notice.txt.liquid'), 'utf8').replace('Was Sie tun können', 'Wir haben den Vorfall gemeldet.\n\nWas Sie tun können');
    writeFileSync(join(dir, 'notice.txt.liquid'), text);
    try {
      const checked = await cli(['templates', 'check', id, '--json']);
      expect(checked.status).toBe(1);
      expect(JSON.parse(checked.stdout).problems).toMatchObject([{ kind: 'unguarded-statement', locale: 'de', message: expect.stringContaining("says 'Vorfall gemeldet'") }]);
      const refused = await cli(['notices', 'build', id, '--shop-address', 'shop.example.com']);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('{% if reported_to != empty %}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
