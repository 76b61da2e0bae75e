import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../scripts/build-console.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { startTocsin, type RunningTocsin } from './helpers/cli.ts';

// The incident's pictures against a real `tocsin demo --serve` (its own SQLite database; the routes
// the charts read are tested on both databases in test/server-pictures.test.ts): each chart draws
// as many bars as the API gives buckets or rows, the attacker's histogram has the indicators' window
// shaded, and each has its numbers in a table for screen readers. Checked with axe-core, saved as screenshots.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'tmp', 'console-screenshots');

interface Served {
  console: string;
  email: string;
  password: string;
}

describe.skipIf(!HAS_CHROMIUM)(`an incident's pictures in a browser [chromium] (needs ${CHROMIUM})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-pictures-'));
  let server: RunningTocsin & { found: Served };
  let browser: Browser;
  let page: Page;
  let id: string;
  const complaints: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureConsoleBuilt();
    server = await startTocsin(['demo', '--serve', '--dir', join(dir, 'demo'), '--orders', '300', '--log-lines', '3000', '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0'], {
      env: { ...process.env, CI: '1', TOCSIN_DATA_DIR: join(dir, 'own-data'), DATABASE_URL: '', TOCSIN_DATABASE_URL: '' },
      ready: (stderr): Served | undefined => {
        const value = (label: string) => new RegExp(`^\\s*${label}: (\\S+)$`, 'm').exec(stderr)?.[1];
        const [consoleUrl, email, password] = ['console', 'email', 'password'].map(value);
        return consoleUrl && email && password ? { console: consoleUrl, email, password } : undefined;
      },
    });
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) complaints.push(message.text());
    });
    page = await context.newPage();
    await page.goto(server.found.console);
    await page.getByLabel('Email').fill(server.found.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(server.found.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    id = new URL(page.url()).pathname.split('/').at(-1)!;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the API answers the signed-in page, as the charts read it. */
  async function picture(name: 'requests' | 'affected' | 'delivery') {
    const response = await page.request.get(`${server.found.console}/api/incidents/${id}/pictures/${name}`);
    expect(response.status()).toBe(200);
    return response.json();
  }

  /** The figure under the section headed `title`. */
  const figure = (title: string): Locator => page.getByRole('region', { name: title }).locator('figure');

  /** The bars a chart draws, of one series: recharts draws a rectangle per datum, empty ones of no height. */
  const bars = (chart: Locator) => chart.locator('.recharts-bar-rectangle');

  it('draws the attack over time with its window shaded, and whom it reached by country and by category, each with its numbers in a table', async () => {
    await page.getByRole('link', { name: 'Pictures: the attack, the people, the sending' }).click();
    await page.getByRole('heading', { name: 'The incident in pictures', level: 1 }).waitFor();

    const requests = await picture('requests');
    const histogram = figure('Attacker requests over time');
    await histogram.locator('.recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    expect(requests.unit).toBe('day');
    expect(requests.buckets.length).toBeGreaterThan(10);
    expect(await bars(histogram).count()).toBe(requests.buckets.length);
    await expect.poll(() => histogram.locator('.recharts-reference-area').count()).toBe(1);
    expect(await histogram.locator('figcaption').textContent()).toMatch(/^[\d,]+ in all, per day \(UTC\)\. Shaded: the indicators’ window, 30 Oct 2019, 00:00 to 13 Nov 2019, 23:59 \(UTC\)\.$/);
    // The table for screen readers: a row per bucket, the same counts.
    const table = histogram.getByRole('table', { name: 'Attacker requests over time' });
    expect(await table.locator('tbody tr').count()).toBe(requests.buckets.length);
    expect(await table.locator('tbody tr').first().textContent()).toBe(`30 Oct 2019${requests.buckets[0].requests}`);

    const affected = await picture('affected');
    const countries = figure('Affected people by country');
    expect(affected.countries.length).toBeGreaterThan(1);
    expect(await bars(countries).count()).toBe(affected.countries.length);
    const byCountry = countries.getByRole('table', { name: 'Affected people by country' });
    expect(await byCountry.locator('tbody tr').count()).toBe(affected.countries.length);
    const [top] = affected.countries;
    expect(await byCountry.locator('tbody tr').first().textContent()).toBe(`${new Intl.DisplayNames(['en-GB'], { type: 'region' }).of(top.country)}${top.subjects}`);

    const categories = figure('Affected people by exposed category');
    expect(await bars(categories).count()).toBe(affected.categories.length);
    expect(await categories.getByRole('table').locator('tbody tr').count()).toBe(affected.categories.length);
    expect(await categories.getByRole('table').textContent()).toContain('email address');

    await page.waitForLoadState('networkidle');
    const serious = (await axeViolations(page)).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(serious, JSON.stringify(serious, null, 1)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'pictures.png'), fullPage: true });
  });

  it('stacks the notices over time by the state they reached, a bar of each state per bucket', async () => {
    const delivery = await picture('delivery');
    expect(delivery.buckets.length).toBeGreaterThan(0);
    const sent = delivery.buckets.reduce((sum: number, bucket: { sent: number }) => sum + bucket.sent, 0);
    expect(sent).toBeGreaterThan(0);
    const chart = figure('Delivery over time');
    // Four series stacked: four rectangles per bucket, and the legend names them.
    expect(await bars(chart).count()).toBe(4 * delivery.buckets.length);
    expect(await chart.locator('.recharts-legend-wrapper').textContent()).toBe('SentDeferredBouncedFailed');
    const table = chart.getByRole('table', { name: 'Delivery over time' });
    expect(await table.locator('tbody tr').count()).toBe(delivery.buckets.length);
    expect(await chart.locator('figcaption').textContent()).toMatch(new RegExp(`^${sent.toLocaleString('en-GB')} in all, per (minute|hour|day|month) \\(UTC\\)\\.`));
    await chart.screenshot({ path: join(SCREENSHOTS, 'pictures-delivery.png') });
    expect(complaints).toEqual([]);
  });
});
