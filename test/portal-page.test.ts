import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident, DEMO_NARRATIVES } from '../src/demo/narratives.ts';
import { createIncident, setNarrative } from '../src/incidents/index.ts';
import { PORTAL_WORDS } from '../src/portal/index.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import type { Listeners } from '../src/server/index.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-portal-page-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 600, logLines: 6000, seed: 7 });
});

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const HOSTILE = `<script>alert("narrative")</script> & <img src=x onerror=alert(1)>`;
const FAQ = `## Was my <b>card</b> involved?

No: card numbers were not in the orders that were read. <script>alert("faq")</script> [more](javascript:alert(1))
`;

/** A page's text as it is escaped in HTML. */
const escaped = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;').replaceAll("'", '&#39;');

/** Waits for a condition another process brings about (the server reads published pages again within a second); no time limit of its own but the test's. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

describeEachDatabase('the portal’s incident page', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let id: string;
  let responder: ReturnType<typeof asRole>;
  let viewer: ReturnType<typeof asRole>;
  const page = (path: string, headers: Record<string, string> = {}) => fetch(`${listeners.publicUrl}${path}`, { headers: { ...BROWSER, ...headers } });

  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date('2019-11-25T10:00:00Z') });
    ({ id } = await createDemoIncident(ctx));
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
    const staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx, { shop: { name: 'Example <Phone> Shop & Co', domains: ['shop.example.com'] } });
    responder = asRole(listeners.staffUrl, staff, 'responder');
    viewer = asRole(listeners.staffUrl, staff, 'viewer');
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('is not there until published; publishing refuses a locale without a narrative, naming the command that fills it', async () => {
    expect((await page(`/incidents/${id}`)).status).toBe(404);
    expect(await (await page('/')).text()).not.toContain('/incidents/');

    const other = await createIncident(ctx, { title: 'English only', aware_at: '2019-11-20T00:00:00Z' });
    await setNarrative(ctx, other.id, 'en', { what_happened: ['Something happened.'] });
    const refused = await responder(`/api/incidents/${other.id}/portal/publish`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect((await json(refused)).error).toMatchObject({ code: 'NARRATIVE_MISSING', next: { action: 'set_narrative', incident_id: other.id, locale: 'de' } });
    const cli = await tocsinMain(['portal', 'publish', other.id], { database: database().config });
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain(`tocsin incident update ${other.id} --narrative-file de=FILE`);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    // A page may not say the incident was reported before a report is recorded as submitted.
    const claim = await responder(`/api/incidents/${id}/portal/publish`, { method: 'POST', body: JSON.stringify({ faqs: { 'en-GB': '## Did you tell anyone?\n\nYes: we have reported the incident to the ICO.\n' } }) });
    expect(claim.status).toBe(409);
    expect((await json(claim)).error.code).toBe('UNRECORDED_STATEMENT');
    expect((await page(`/incidents/${id}`)).status).toBe(404);
    // A viewer may read incidents, not publish them.
    expect((await viewer(`/api/incidents/${id}/portal/publish`, { method: 'POST' })).status).toBe(403);
    const status = await json(viewer(`/api/incidents/${id}/portal`));
    expect(status).toMatchObject({ incident_id: id, page: null });
    expect(status.faqs.map((row: { locale: string }) => row.locale)).toEqual([...PORTAL_WORDS.keys()]);
    expect(status.faqs.find((row: { locale: string }) => row.locale === 'de')).toEqual({ locale: 'de', faq: null, updated_at: null });
  });

  it('publishes through the API in every portal locale: the narrative, the data involved and not, the FAQ, all escaped', async () => {
    await setNarrative(ctx, id, 'fr', { ...DEMO_NARRATIVES.fr, what_happened: [`Récit ${HOSTILE}`] });
    const published = await responder(`/api/incidents/${id}/portal/publish`, { method: 'POST', body: JSON.stringify({ slug: 'incident-2019', faqs: { fr: FAQ, 'en-GB': FAQ } }) });
    expect(published.status).toBe(200);
    expect(await json(published)).toEqual({ incident_id: id, slug: 'incident-2019', published_at: '2019-11-25T10:00:00.000Z', path: '/incidents/incident-2019', url: '/incidents/incident-2019' });

    const status = await json(viewer(`/api/incidents/${id}/portal`));
    expect(status.page).toEqual({ slug: 'incident-2019', published_at: '2019-11-25T10:00:00.000Z', path: '/incidents/incident-2019', url: '/incidents/incident-2019' });
    expect(status.faqs.find((row: { locale: string }) => row.locale === 'fr')).toEqual({ locale: 'fr', faq: FAQ, updated_at: '2019-11-25T10:00:00.000Z' });
    expect(status.faqs.find((row: { locale: string }) => row.locale === 'de')).toEqual({ locale: 'de', faq: null, updated_at: null });
    expect((await viewer('/api/incidents/nosuch/portal')).status).toBe(404);

    const home = await (await page('/?lang=de')).text();
    expect(home).toContain('href="/incidents/incident-2019?lang=de"');

    for (const locale of PORTAL_WORDS.keys()) {
      const response = await page(`/incidents/incident-2019?lang=${locale}`);
      expect(response.status, locale).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      expect(response.headers.get('set-cookie')).toBeNull();
      const html = await response.text();
      expect(html).toContain(`<html lang="${locale}">`);
      expect(html).toContain('Example &lt;Phone&gt; Shop &amp; Co');
      expect(html).not.toMatch(/<script|<img|href="javascript:|<[^>]*\s(src|style|on[a-z]+)=/i);
      const narrative = locale === 'fr' ? `Récit ${HOSTILE}` : DEMO_NARRATIVES[locale.slice(0, 2)].what_happened![0];
      expect(html).toContain(escaped(narrative));
    }
    const french = await (await page('/incidents/incident-2019', { 'accept-language': 'fr-CH' })).text();
    // The demo's attack read names, emails, phones, addresses and card digits, not the devices' IMEI.
    expect(french).toContain('<li>votre adresse de livraison</li>');
    expect(french.indexOf('<li>les identifiants de votre appareil')).toBeGreaterThan(french.indexOf('ne sont pas concernées'));
    expect(french).toContain('<h3>Was my &lt;b&gt;card&lt;/b&gt; involved?</h3>');
    expect(french).toContain('&lt;script&gt;alert(&quot;faq&quot;)&lt;/script&gt;');
    expect(french).toContain('Nous ne vous demanderons jamais votre mot de passe');
    expect(await (await page('/incidents/incident-2019?lang=de')).text()).not.toContain('Was my');
  });

  it('stays as published until it is published again, and is gone once unpublished', async () => {
    await setNarrative(ctx, id, 'fr', { what_happened: ['Un récit changé.'] });
    expect(await (await page('/incidents/incident-2019?lang=fr')).text()).not.toContain('Un récit changé.');
    const again = await responder(`/api/incidents/${id}/portal/publish`, { method: 'POST' });
    expect((await json(again)).slug).toBe('incident-2019');
    expect(await (await page('/incidents/incident-2019?lang=fr')).text()).toContain('Un récit changé.');

    const off = await responder(`/api/incidents/${id}/portal`, { method: 'DELETE' });
    expect(await json(off)).toEqual({ incident_id: id, unpublished: true });
    const gone = await page('/incidents/incident-2019?lang=fr');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await json(responder(`/api/incidents/${id}/portal`, { method: 'DELETE' }))).toEqual({ incident_id: id, unpublished: false });
    expect((await json(viewer(`/api/incidents/${id}/portal`))).page).toBeNull();
    expect((await fetch(`${listeners.publicUrl}/incidents/${'x'.repeat(500)}`)).status).toBe(400);
  });

  it('serves the shop’s logo and colours from the configuration; an SVG logo cannot run script', async () => {
    const logo = join(shop, 'logo.svg');
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><rect width="10" height="10" fill="#e60012"/></svg>');
    const branded = await startTestListeners(ctx, { shop: { name: 'Branded', domains: [], logo, colours: { primary: '#ffcc00', accent: '#8a1538' } } });
    try {
      const image = await fetch(`${branded.publicUrl}/logo`);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/svg+xml');
      expect(image.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'");
      expect(image.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await image.text()).toContain('<rect');
      const css = await (await fetch(`${branded.publicUrl}/portal.css`)).text();
      expect(css).toMatch(/--bar: #ffcc00;[\s\S]*--on-bar: #000000;/);
      expect(css).toContain('--accent: #8a1538;');
      expect(await (await fetch(`${branded.publicUrl}/verify`, { headers: BROWSER })).text()).toContain('<a class="shop" href="/?lang=en-GB"><img class="logo" src="/logo" alt="">Branded</a>');
    } finally {
      await branded.close();
    }
    expect((await page('/logo')).status).toBe(404);
    expect(await (await page('/')).text()).not.toContain('class="logo"');
    // A logo or an accent not fit to serve stops the server from starting, naming the key.
    await expect(startTestListeners(ctx, { shop: { domains: [], colours: { accent: '#9fc5e8' } } })).rejects.toThrow(/shop\.colours\.accent: #9fc5e8/);
    await expect(startTestListeners(ctx, { shop: { domains: [], logo: join(shop, 'orders.csv') } })).rejects.toThrow(/shop\.logo: .*orders\.csv is not a PNG, JPEG or SVG image/);
  });

  it('publishes and unpublishes from the CLI, with an FAQ file; the running server shows it within a second', async () => {
    const cli = (args: string[]) => tocsinMain(args, { database: database().config });
    const faq = join(shop, 'faq-de.md');
    writeFileSync(faq, '## Muss ich etwas tun?\n\nSeien Sie vorsichtig bei **unerwarteten** Nachrichten.\n');
    const published = await cli(['portal', 'publish', id, '--slug', 'incident-2019', '--faq', `de=${faq}`, '--json']);
    expect(published.stderr).toBe('');
    expect(JSON.parse(published.stdout)).toMatchObject({ incident_id: id, slug: 'incident-2019', path: '/incidents/incident-2019', url: '/incidents/incident-2019' });
    await eventually(async () => (await page('/incidents/incident-2019?lang=de')).status === 200);
    expect(await (await page('/incidents/incident-2019?lang=de')).text()).toContain('<p>Seien Sie vorsichtig bei <strong>unerwarteten</strong> Nachrichten.</p>');

    const badFaq = join(shop, 'bad-faq.md');
    writeFileSync(badFaq, 'An answer without a question.\n');
    const refused = await cli(['portal', 'faq', id, '--locale', 'fr', '--file', badFaq]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`${badFaq}, line 1: an FAQ starts with a question as a heading`);
    expect((await cli(['portal', 'faq', id, '--locale', 'pt-BR', '--file', faq])).stderr).toContain("'pt-BR' is not a locale of the portal");
    const shown = await cli(['portal', 'show', id]);
    expect(shown.stdout).toContain('/incidents/incident-2019');
    expect(shown.stdout).toMatch(/^de +\d+ characters +\S+$/m);
    expect(shown.stdout).toMatch(/^es +none +—$/m);
    expect(JSON.parse((await cli(['portal', 'show', id, '--json'])).stdout).faqs.find((row: { locale: string }) => row.locale === 'de').faq).toContain('Muss ich etwas tun?');

    expect((await cli(['portal', 'unpublish', id])).status).toBe(0);
    await eventually(async () => (await page('/incidents/incident-2019')).status === 404);
    expect((await cli(['portal', 'show', id])).stderr).toContain(`not published; 'tocsin portal publish ${id}' publishes it`);
  });
});
