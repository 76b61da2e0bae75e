import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, signIn, startConsoleDemo, VIEWER, type ConsoleDemo, type Served } from './helpers/console-demo.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';

// The phishing desk's console pages against a real `tocsin demo --serve` (its own SQLite database, as
// npm start runs it; the routes are tested on both databases in phishing-campaigns.test.ts), whose
// wave of 15 phish makes two campaigns, and a real DNS server (Debian's dnsmasq) for the watch. One
// server and one browser for the file; each page checked with axe-core and saved as a screenshot.

const PRIVACY = { email: 'phishing-dpo@shop.example.com', password: 'sonnet-lantern-quartz-7Qm2-officer' };

describe.skipIf(!HAS_CHROMIUM)(`phishing desk console in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let dns: DnsServer;
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // Two permutations of the demo shop's domain exist; every other name is NXDOMAIN.
    dns = await startDnsmasq({ a: { 'exampel.com': '198.51.100.21', 'example.net': '198.51.100.22' } });
    demo = await startConsoleDemo('phishing', { TOCSIN_PHISHING_DNS_SERVERS: dns.address });
    served = demo.served;
    demo.addUser(VIEWER, 'viewer');
    demo.addUser(PRIVACY, 'privacy');
    admin = await demo.newContext();
    page = await admin.newPage();
  }, 300_000);

  afterAll(async () => {
    await demo?.close();
    await dns?.close();
  });

  /** The report rows of the inbox table (its header row left out). */
  const reportRows = (on: Page) => on.getByRole('row').filter({ has: on.getByRole('link', { name: /\S/ }) });

  it("lists the demo wave's reports in the inbox, filtered by verdict and triage state in the URL", async () => {
    await page.goto(`${served.console}/incidents`);
    await signIn(page, served.email, served.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phishing' }).click();
    await page.waitForURL('**/phishing/reports');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('15 reports, newest first');
    const first = reportRows(page).first();
    expect(await first.textContent()).toMatch(/R-\w{4}-\w{4}-\w{4}.*(phishing|suspicious)\d+New.*PC-\w{4}-\w{4}-\w{4}/);
    await checkPage(page, 'phishing-inbox');

    await page.getByLabel('Verdict').selectOption('phishing');
    await page.waitForURL('**/phishing/reports?verdict=phishing');
    await expect.poll(async () => (await reportRows(page).allTextContents()).every((text) => text.includes('phishing'))).toBe(true);
    await page.goto(`${served.console}/phishing/reports?triage=spam`);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('No report, newest first');
    expect(await page.getByLabel('Triage state').inputValue()).toBe('spam');
  });

  it('shows a report with its reasons, look-alikes and leaked fields as text, and keeps its triage after a reload', async () => {
    await page.goto(`${served.console}/phishing/reports`);
    await reportRows(page).getByRole('link', { name: /parcel for order/ }).first().click();
    await page.waitForURL(/\/phishing\/reports\/R-\w{4}-\w{4}-\w{4}$/);
    const reference = page.url().split('/').at(-1)!;
    await page.getByRole('heading', { name: /Your parcel for order \S+ is on hold/ }).waitFor();
    const lookalikes = page.getByRole('region', { name: 'Look-alike domains' });
    expect(await lookalikes.getByRole('row', { name: /exarnple\[\.\]net/ }).textContent()).toMatch(/exarnple\[\.\]netshop\.example\.com.*homoglyph.*links/);
    expect(await page.getByRole('region', { name: 'Customer data it quotes' }).textContent()).toMatch(/name.*order number/);
    expect(await page.getByRole('region', { name: 'Why this verdict' }).getByRole('listitem').count()).toBeGreaterThan(1);
    // The text is the analysis's plain text: its URL is words on the page, not a link.
    const text = page.getByRole('region', { name: 'Text of the message' });
    expect(await text.locator('pre').textContent()).toMatch(/customs fee was not paid.*https:\/\/exarnple\.net\/parcel/s);
    expect(await text.getByRole('link').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New', pressed: true }).isVisible()).toBe(true);
    await checkPage(page, 'phishing-report');

    await page.getByRole('button', { name: 'Phishing confirmed' }).click();
    await page.getByRole('button', { name: 'Phishing confirmed', pressed: true }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Phishing confirmed', pressed: true }).waitFor();
    expect(await page.getByRole('button', { name: 'New', pressed: false }).isVisible()).toBe(true);
    await checkPage(page, 'phishing-report-triaged');

    await page.goto(`${served.console}/phishing/reports?triage=phishing_confirmed`);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('1 report, newest first');
    expect(await reportRows(page).textContent()).toContain(reference);
  });

  it("opens a campaign with its timeline chart, defanged domains and URLs, and downloads its takedown pack", async () => {
    await page.goto(`${served.console}/phishing/campaigns`);
    const campaigns = reportRows(page);
    await expect.poll(() => campaigns.count()).toBe(2);
    const texts = (await campaigns.allInnerTexts()).join('\n');
    expect(texts).toContain('example-secure[.]com');
    expect(texts).toContain('exarnple[.]net');
    expect(texts).not.toMatch(/example-secure\.com|exarnple\.net/);
    expect(await page.getByRole('link', { name: 'Watch list (CSV)' }).getAttribute('href')).toBe('/api/phishing/watch-list?format=csv');
    expect(await page.getByRole('link', { name: 'Watch list (STIX 2.1)' }).getAttribute('href')).toBe('/api/phishing/watch-list?format=stix');
    await checkPage(page, 'phishing-campaigns');

    await campaigns.filter({ hasText: 'example-secure[.]com' }).getByRole('link').first().click();
    await page.waitForURL(/\/phishing\/campaigns\/PC-\w{4}-\w{4}-\w{4}$/);
    const id = page.url().split('/').at(-1)!;
    await page.getByRole('heading', { name: `Campaign ${id}` }).waitFor();
    // The ten reports came in from 10:04 to 13:45, Paris time (the demo's wave is sent every 17 minutes from 09:00 UTC, reported 4 minutes later).
    await page.getByRole('img', { name: 'Reports per hour. 15 Nov 2019, 10:00: 3; 15 Nov 2019, 11:00: 2; 15 Nov 2019, 12:00: 3; 15 Nov 2019, 13:00: 2' }).waitFor();
    expect(await page.locator('.recharts-bar-rectangle').count()).toBe(4);
    expect(await page.getByRole('region', { name: 'Attacker’s domains' }).textContent()).toMatch(/example-secure\[\.\]com.*example-login\[\.\]com.*hxxps:\/\/example-secure\[\.\]com\/verify/s);
    await checkPage(page, 'phishing-campaign');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the takedown pack (JSON)' }).click()]);
    expect(download.suggestedFilename()).toBe(`takedown-${id}.json`);
    const pack = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(pack.campaign).toMatchObject({ id, report_count: 10 });
    expect(pack.domains.map((domain: { domain: string }) => domain.domain).sort()).toEqual(['example-login.com', 'example-secure.com']);

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: `Campagne ${id}` }).waitFor();
    await page.getByRole('img', { name: /^Signalements par heure\. 15 nov\. 2019, 10:00: 3; / }).waitFor();
    expect(await page.getByRole('link', { name: 'Télécharger le dossier de retrait (JSON)' }).isVisible()).toBe(true);
    await checkPage(page, 'phishing-campaign-fr');
    await page.getByLabel('Langue').selectOption('en');
  });

  it('lists the look-alike domains the reports show, and runs the watch against the DNS', async () => {
    await page.goto(`${served.console}/phishing/domains`);
    const seen = page.getByRole('region', { name: 'Look-alikes seen in reports' });
    await seen.getByRole('row', { name: /exarnple\[\.\]net/ }).waitFor();
    expect(await seen.getByRole('row', { name: /exarnple\[\.\]net/ }).textContent()).toMatch(/shop\.example\.com.*homoglyph.*links5.*PC-/);
    expect(await seen.getByRole('row', { name: /example-secure\[\.\]com/ }).textContent()).toMatch(/shop\.example\.com.*From.*PC-/);
    await checkPage(page, 'phishing-domains');

    await page.getByRole('button', { name: 'Run the watch' }).click();
    const watch = page.getByRole('region', { name: 'Watch' });
    await watch.getByText(/names checked; 2 exist\./).waitFor({ timeout: 60_000 });
    expect(await watch.getByRole('row', { name: /exampel\[\.\]com/ }).textContent()).toMatch(/shop\.example\.com.*transposition.*A 198\.51\.100\.21/);
    expect(await watch.getByRole('row', { name: /example\[\.\]net/ }).textContent()).toMatch(/tld-swap.*A 198\.51\.100\.22/);
    expect(await watch.getByText(/could not be resolved/).count()).toBe(0);
    await checkPage(page, 'phishing-watch');
  });

  it('shows a privacy officer the reports without triage buttons, and a viewer neither the desk nor its link', async () => {
    const context = await demo.newContext();
    const privacy = await context.newPage();
    await privacy.goto(`${served.console}/phishing/reports`);
    await signIn(privacy, PRIVACY.email, PRIVACY.password);
    await privacy.waitForURL('**/phishing/reports');
    await reportRows(privacy).first().getByRole('link').first().click();
    await privacy.getByRole('heading', { name: 'Why this verdict' }).waitFor();
    expect(await privacy.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    await checkPage(privacy, 'phishing-report-privacy');
    await privacy.goto(`${served.console}/phishing/domains`);
    await privacy.getByRole('region', { name: 'Look-alikes seen in reports' }).getByRole('row').nth(1).waitFor();
    expect(await privacy.getByRole('button', { name: 'Run the watch' }).count()).toBe(0);
    await checkPage(privacy, 'phishing-domains-privacy');

    const viewer = await context.newPage();
    await context.clearCookies();
    await viewer.goto(`${served.console}/phishing/reports`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.getByText('Reported messages quote customers’ names and orders: your role may not read them.').waitFor();
    expect(await viewer.getByRole('table').count()).toBe(0);
    expect(await viewer.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    expect(await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phishing' }).count()).toBe(0);
    await checkPage(viewer, 'phishing-viewer');
    await context.close();
  });
});
