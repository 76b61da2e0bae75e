import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, SCREENSHOTS, signIn, startConsoleDemo, type ConsoleDemo } from './helpers/console-demo.ts';

// The incident's pictures against a real `tocsin demo --serve` (its own SQLite database; the routes
// the charts read are tested on both databases in test/server-pictures.test.ts): each chart draws
// as many bars as the API gives buckets or rows, the attacker's histogram has the indicators' window
// shaded, and each has its numbers in a table for screen readers. Checked with axe-core, saved as screenshots.

describe.skipIf(!HAS_CHROMIUM)(`an incident's pictures in a browser [chromium] (needs ${CHROMIUM})`, () => {
  let demo: ConsoleDemo;
  let page: Page;
  let id: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('pictures');
    page = await (await demo.newContext()).newPage();
    await page.goto(demo.served.console);
    await signIn(page, demo.served.email, demo.served.password);
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    id = new URL(page.url()).pathname.split('/').at(-1)!;
  }, 300_000);

  afterAll(() => demo?.close());

  /** What the API answers the signed-in page, as the charts read it. */
  async function picture(name: 'requests' | 'affected' | 'delivery') {
    const response = await page.request.get(`${demo.served.console}/api/incidents/${id}/pictures/${name}`);
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

    await checkPage(page, 'pictures');
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
    expect(demo.complaints).toEqual([]);
  });
});
