import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../scripts/build-console.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { startTocsin, tocsin, type RunningTocsin } from './helpers/cli.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';

// The phishing desk's console pages against a real `tocsin demo --serve` (its own SQLite database, as
// npm start runs it; the routes are tested on both databases in phishing-campaigns.test.ts), whose
// wave of 15 phish makes two campaigns, and a real DNS server (Debian's dnsmasq) for the watch. One
// server and one browser for the file; each page checked with axe-core and saved as a screenshot.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'tmp', 'console-screenshots');
const VIEWER = { email: 'viewer@shop.example.com', password: 'lantern-quartz-sonnet-4Kx9-readonly' };
const PRIVACY = { email: 'privacy@shop.example.com', password: 'sonnet-lantern-quartz-7Qm2-officer' };

interface Served {
  console: string;
  email: string;
  password: string;
}

describe.skipIf(!HAS_CHROMIUM)(`phishing desk console in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-phishing-'));
  const workspace = join(dir, 'demo');
  let dns: DnsServer;
  let server: RunningTocsin & { found: Served };
  let served: Served;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Two permutations of the demo shop's domain exist; every other name is NXDOMAIN.
    dns = await startDnsmasq({ a: { 'exampel.com': '198.51.100.21', 'example.net': '198.51.100.22' } });
    await ensureConsoleBuilt();
    server = await startTocsin(['demo', '--serve', '--dir', workspace, '--orders', '300', '--log-lines', '3000', '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0'], {
      env: { ...process.env, CI: '1', TOCSIN_DATA_DIR: join(dir, 'own-data'), DATABASE_URL: '', TOCSIN_DATABASE_URL: '', TOCSIN_PHISHING_DNS_SERVERS: dns.address },
      ready: (stderr): Served | undefined => {
        const value = (label: string) => new RegExp(`^\\s*${label}: (\\S+)$`, 'm').exec(stderr)?.[1];
        const [consoleUrl, email, password] = ['console', 'email', 'password'].map(value);
        return consoleUrl && email && password ? { console: consoleUrl, email, password } : undefined;
      },
    });
    served = server.found;
    for (const [person, role] of [
      [VIEWER, 'viewer'],
      [PRIVACY, 'privacy'],
    ] as const) {
      const added = tocsin(['user', 'add', person.email, '--role', role, '--password-stdin'], { env: { TOCSIN_DATA_DIR: join(workspace, 'data') }, input: `${person.password}\n` });
      expect(added.status, added.stderr).toBe(0);
    }
    browser = await launchChromium();
    admin = await newContext();
    page = await admin.newPage();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function newContext(): Promise<BrowserContext> {
    return browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  }

  /** axe-core finds nothing serious on the page as it stands, and the page is saved as NAME.png. */
  async function check(on: Page, name: string): Promise<void> {
    await on.waitForLoadState('networkidle');
    const serious = (await axeViolations(on)).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(serious, `${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
    await on.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function signIn(on: Page, email: string, password: string): Promise<void> {
    await on.getByLabel('Email').fill(email);
    await on.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await on.getByRole('button', { name: 'Sign in' }).click();
  }

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
    await check(page, 'phishing-inbox');

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
    await check(page, 'phishing-report');

    await page.getByRole('button', { name: 'Phishing confirmed' }).click();
    await page.getByRole('button', { name: 'Phishing confirmed', pressed: true }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Phishing confirmed', pressed: true }).waitFor();
    expect(await page.getByRole('button', { name: 'New', pressed: false }).isVisible()).toBe(true);
    await check(page, 'phishing-report-triaged');

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
    await check(page, 'phishing-campaigns');

    await campaigns.filter({ hasText: 'example-secure[.]com' }).getByRole('link').first().click();
    await page.waitForURL(/\/phishing\/campaigns\/PC-\w{4}-\w{4}-\w{4}$/);
    const id = page.url().split('/').at(-1)!;
    await page.getByRole('heading', { name: `Campaign ${id}` }).waitFor();
    // The ten reports came in from 10:04 to 13:45, Paris time (the demo's wave is sent every 17 minutes from 09:00 UTC, reported 4 minutes later).
    await page.getByRole('img', { name: 'Reports per hour. 15 Nov 2019, 10:00: 3; 15 Nov 2019, 11:00: 2; 15 Nov 2019, 12:00: 3; 15 Nov 2019, 13:00: 2' }).waitFor();
    expect(await page.locator('.recharts-bar-rectangle').count()).toBe(4);
    expect(await page.getByRole('region', { name: 'Attacker’s domains' }).textContent()).toMatch(/example-secure\[\.\]com.*example-login\[\.\]com.*hxxps:\/\/example-secure\[\.\]com\/verify/s);
    await check(page, 'phishing-campaign');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the takedown pack (JSON)' }).click()]);
    expect(download.suggestedFilename()).toBe(`takedown-${id}.json`);
    const pack = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(pack.campaign).toMatchObject({ id, report_count: 10 });
    expect(pack.domains.map((domain: { domain: string }) => domain.domain).sort()).toEqual(['example-login.com', 'example-secure.com']);

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: `Campagne ${id}` }).waitFor();
    await page.getByRole('img', { name: /^Signalements par heure\. 15 nov\. 2019, 10:00: 3; / }).waitFor();
    expect(await page.getByRole('link', { name: 'Télécharger le dossier de retrait (JSON)' }).isVisible()).toBe(true);
    await check(page, 'phishing-campaign-fr');
    await page.getByLabel('Langue').selectOption('en');
  });

  it('lists the look-alike domains the reports show, and runs the watch against the DNS', async () => {
    await page.goto(`${served.console}/phishing/domains`);
    const seen = page.getByRole('region', { name: 'Look-alikes seen in reports' });
    await seen.getByRole('row', { name: /exarnple\[\.\]net/ }).waitFor();
    expect(await seen.getByRole('row', { name: /exarnple\[\.\]net/ }).textContent()).toMatch(/shop\.example\.com.*homoglyph.*links5.*PC-/);
    expect(await seen.getByRole('row', { name: /example-secure\[\.\]com/ }).textContent()).toMatch(/shop\.example\.com.*From.*PC-/);
    await check(page, 'phishing-domains');

    await page.getByRole('button', { name: 'Run the watch' }).click();
    const watch = page.getByRole('region', { name: 'Watch' });
    await watch.getByText(/names checked; 2 exist\./).waitFor({ timeout: 60_000 });
    expect(await watch.getByRole('row', { name: /exampel\[\.\]com/ }).textContent()).toMatch(/shop\.example\.com.*transposition.*A 198\.51\.100\.21/);
    expect(await watch.getByRole('row', { name: /example\[\.\]net/ }).textContent()).toMatch(/tld-swap.*A 198\.51\.100\.22/);
    expect(await watch.getByText(/could not be resolved/).count()).toBe(0);
    await check(page, 'phishing-watch');
  });

  it('shows a privacy officer the reports without triage buttons, and a viewer neither the desk nor its link', async () => {
    const context = await newContext();
    const privacy = await context.newPage();
    await privacy.goto(`${served.console}/phishing/reports`);
    await signIn(privacy, PRIVACY.email, PRIVACY.password);
    await privacy.waitForURL('**/phishing/reports');
    await reportRows(privacy).first().getByRole('link').first().click();
    await privacy.getByRole('heading', { name: 'Why this verdict' }).waitFor();
    expect(await privacy.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    await check(privacy, 'phishing-report-privacy');
    await privacy.goto(`${served.console}/phishing/domains`);
    await privacy.getByRole('region', { name: 'Look-alikes seen in reports' }).getByRole('row').nth(1).waitFor();
    expect(await privacy.getByRole('button', { name: 'Run the watch' }).count()).toBe(0);
    await check(privacy, 'phishing-domains-privacy');

    const viewer = await context.newPage();
    await context.clearCookies();
    await viewer.goto(`${served.console}/phishing/reports`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.getByText('Reported messages quote customers’ names and orders: your role may not read them.').waitFor();
    expect(await viewer.getByRole('table').count()).toBe(0);
    expect(await viewer.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    expect(await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phishing' }).count()).toBe(0);
    await check(viewer, 'phishing-viewer');
    await context.close();
  });
});
