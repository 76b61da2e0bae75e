import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkNoticeContent } from '../src/compliance/notice-content.ts';
import { loadRuleBook } from '../src/compliance/rules/load.ts';
import type { OpenContext } from '../src/context.ts';
import type { NoticesTable, NoticeVariant } from '../src/db/schema.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { buildNotices } from '../src/notices/build.ts';
import { composeNotice, type StoredVars } from '../src/notices/compose.ts';
import { renderNotice } from '../src/notices/render-notice.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { BUILT_IN_TEMPLATES_DIR, loadTemplateSet } from '../src/notices/template-set.ts';
import { incidentTemplatesDir } from '../src/lib/template-dirs.ts';
import { incidentTemplates, initIncidentTemplates } from '../src/notices/templates.ts';
import { deriveCode } from '../src/notices/verification-code.ts';
import { importRecords } from '../src/records/import.ts';
import { affectedSubjects } from '../src/scoping/results.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-variants-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
const CALIFORNIA_HEADINGS = ['What Happened', 'What Information Was Involved', 'What We Are Doing', 'What You Can Do', 'For More Information'];
const EU = new Set(['AT', 'BE', 'DE', 'ES', 'FR', 'IE', 'IT', 'NL', 'PL', 'PT', 'SE', 'GB']);

beforeAll(() => generateDemoShop({ outDir: shop, orders: 2000, logLines: 20_000, seed: 5 }));

describeEachDatabase('notice variants', (database) => {
  let ctx: OpenContext;

  /** An incident scoped on the demo shop, its notices not yet built. */
  async function scopedIncident(): Promise<string> {
    const { id } = await createDemoIncident(ctx);
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: logs() });
    return id;
  }

  beforeAll(async () => {
    ctx = await database().context();
  });
  afterAll(() => ctx?.close());

  it("writes to each reader in the variant their jurisdiction requires", async () => {
    const id = await scopedIncident();
    const summary = await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    const { subjects } = await affectedSubjects(ctx, id);
    const place = new Map(subjects.map((subject) => [subject.subject, subject]));
    const notices = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).execute();
    const templates = incidentTemplates(database().config.dataDir, id);
    const secret = loadSecret(database().config.dataDir);
    const living = (test: (country: string | null, region: string | null) => boolean) =>
      notices.filter((notice) => test(place.get(notice.subject)!.country, place.get(notice.subject)!.region));

    const californians = living((country, region) => country === 'US' && region === 'US-CA');
    const massachusetts = living((country, region) => country === 'US' && region === 'US-MA');
    const otherStates = living((country, region) => country === 'US' && region !== 'US-CA' && region !== 'US-MA');
    const europeans = living((country) => EU.has(country ?? ''));
    for (const group of [californians, massachusetts, otherStates, europeans]) expect(group.length).toBeGreaterThan(0);
    expect(summary.variants['us-ma']).toBe(massachusetts.length);

    for (const notice of [...californians, ...otherStates]) {
      expect(notice).toMatchObject({ variant: 'us-ca', locale: 'en-US' });
      const { subject, text, html } = composeNotice(notice, templates, secret);
      expect(subject).toMatch(/^Notice of Data Breach – /);
      const lines = text.split('\n');
      for (const heading of ['Notice of Data Breach', ...CALIFORNIA_HEADINGS]) expect(lines).toContain(heading);
      expect([...html.matchAll(/<h2[^>]*>(.*?)<\/h2>/g)].map(([, heading]) => heading)).toEqual(CALIFORNIA_HEADINGS);
      expect(text).toContain('November 13, 2019'); // American dates
    }

    const rules = loadRuleBook().rulesFor('US-MA');
    for (const notice of massachusetts) {
      expect(notice).toMatchObject({ variant: 'us-ma', locale: 'en-US' });
      const { subject, text, html } = composeNotice(notice, templates, secret);
      for (const part of [text, html]) {
        expect(part).toContain('police report');
        expect(part).toContain('security freeze');
        expect(part).not.toMatch(/what happened|unauthori[sz]ed|lookup page|misuse/i); // how it happened
        expect(part).not.toMatch(/\b\d[\d,]* (?:\w+ )?(?:customers|people|residents|persons|individuals)\b/i); // how many
        expect(checkNoticeContent(rules, part).problems).toEqual([]);
      }
      expect(subject).not.toMatch(/\d/);
    }

    // Europeans keep the GDPR notice, word for word what the base templates say.
    const base = loadTemplateSet([BUILT_IN_TEMPLATES_DIR]);
    for (const notice of europeans) {
      expect(notice.variant).toBe('gdpr');
      const vars = JSON.parse(notice.vars) as StoredVars;
      const expected = renderNotice({ ...base, variant: 'gdpr' }, notice.locale, { ...vars, verificationCode: deriveCode(secret, id, notice.subject) });
      expect(composeNotice(notice, templates, secret)).toEqual(expected);
    }

    // Everyone else under a national regime reads their own authority and rights, never the GDPR's complaint.
    const REGIMES: Record<string, [NoticeVariant, string]> = {
      CH: ['ch-fadp', 'de'], IN: ['in-dpdp', 'en-GB'], JP: ['jp-appi', 'en-GB'], SG: ['sg-pdpa', 'en-GB'], AU: ['au-privacy', 'en-GB'], CA: ['ca-pipeda', 'en-GB'], BR: ['br-lgpd', 'pt-BR'],
    };
    for (const [country, [variant, usualLocale]] of Object.entries(REGIMES)) {
      const readers = living((where) => where === country);
      expect(readers.length, country).toBeGreaterThan(0);
      expect(summary.variants[variant]).toBe(readers.length);
      expect(readers.map((notice) => notice.locale), country).toContain(usualLocale);
      for (const notice of readers) {
        expect(notice.variant).toBe(variant);
        const { authority } = JSON.parse(readFileSync(join(BUILT_IN_TEMPLATES_DIR, notice.locale, 'regimes.json'), 'utf8'))[variant];
        const { text, html } = composeNotice(notice, templates, secret);
        expect(text, `${country} ${notice.locale}`).toContain(authority);
        for (const part of [text, html]) expect(part).not.toMatch(/supervisory authority|autorité de contrôle|Aufsichtsbehörde|autoridad de control|autorità di controllo|were not affected/i);
      }
    }
  });

  it('refuses, in templates check and in build, a Massachusetts variant that states how many people were affected', async () => {
    const id = await scopedIncident();
    initIncidentTemplates(database().config.dataDir, id);
    const file = join(incidentTemplatesDir(database().config.dataDir, id), 'variants', 'us-ma', 'en-US', 'notice.txt.liquid');
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, source.replace('What Information Was Involved\n-----------------------------\n', '$&\n4,241 residents were affected.\n'));

    const problem = `${file}: Massachusetts notices must not state the number of people affected ("4,241 residents were affected")`;
    const check = await tocsinMain(['templates', 'check', id], { database: database().config });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(problem);
    await expect(buildNotices(ctx, id, { shopAddress: 'shop.example.com' })).rejects.toMatchObject({ code: 'TEMPLATES_INVALID', message: expect.stringContaining(problem) });
    const stored: Pick<NoticesTable, 'subject'>[] = await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', id).execute();
    expect(stored).toEqual([]);

    writeFileSync(file, source);
    const fixed = await tocsinMain(['templates', 'check', id], { database: database().config });
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toMatch(/^templates OK: .*us-ma: en-US/);
  });
});
