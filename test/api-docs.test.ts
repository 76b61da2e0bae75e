import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount } from '../src/accounts/index.ts';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import { createIncident } from '../src/incidents/index.ts';
import { STAFF_ROUTES, type Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { passwordOf, startTestListeners } from './helpers/server.ts';


/**
 * What axe finds in Swagger UI's own markup, which the page is (its bundle renders it, and
 * @fastify/swagger-ui writes the HTML around it): `heading-order` (its operation groups are h3
 * right under the API's h2), `region` (it puts no landmark around the API's description) and
 * `scrollable-region-focusable` (a response body too wide for its box scrolls, but its <pre> takes
 * no keyboard focus). Everything else must pass; colour contrast is ours, fixed in src/server/api-docs.css.
 */
const SWAGGER_UI_RULES = ['heading-order', 'region', 'scrollable-region-focusable'];

/** The page's whole CSP as the server sends it on every response: no inline script or style, nothing from elsewhere. */
const STRICT_CSP = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

// The docs page is the same on either database: one SQLite context serves it.
describe.skipIf(!HAS_CHROMIUM)(`API docs (/api/docs) in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let dir: string;
  let ctx: OpenContext;
  let listeners: Listeners;
  let browser: Browser;
  const title = 'Order data read through the after-sales IMEI lookup';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-api-docs-'));
    ctx = await openContext({ config: configWith({ data_dir: dir }), actor: 'test' });
    await addAccount(ctx, { email: 'viewer@staff.example', role: 'viewer', password: passwordOf('viewer') });
    await createIncident(ctx, { title, aware_at: '2019-11-14T16:00:00Z' });
    listeners = await startTestListeners(ctx);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await listeners?.close();
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every operation and runs one under the strict CSP, with nothing in the console, and passes axe', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Every message the page logs (a CSP refusal is one), every script error, every failed load, every CSP report.
    const problems: string[] = [];
    page.on('console', (message) => problems.push(`console ${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
    await page.exposeFunction('reportViolation', (text: string) => problems.push(`CSP violation: ${text}`));
    await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => reportViolation(e.violatedDirective + ' ' + e.blockedURI))");
    try {
      // Signed in as a viewer in this browser: "Try it out" sends the session cookie, as the console's pages will.
      const signIn = await page.request.post(`${listeners.staffUrl}/api/session`, { data: { email: 'viewer@staff.example', password: passwordOf('viewer') } });
      expect(signIn.status()).toBe(200);

      const response = await page.goto(`${listeners.staffUrl}/api/docs`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP);
      expect(await page.title()).toBe('Tocsin staff API');

      // Every route of the table, as method and path.
      await page.locator('.opblock').first().waitFor();
      const operations = await page.locator('.opblock').evaluateAll((blocks) =>
        blocks.map((block) => `${block.querySelector('.opblock-summary-method')?.textContent} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
      );
      const routes = STAFF_ROUTES.map(({ method, url }) => `${method} ${url.replace(/:(\w+)/g, '{$1}')}`);
      expect(operations.sort()).toEqual(routes.sort());
      expect(operations).toContain('GET /api/incidents');

      // Try GET /api/incidents from the page: the list comes back, rendered.
      const incidents = page.locator('#operations-incidents-get_api_incidents');
      await incidents.locator('.opblock-summary-control').click();
      await incidents.getByRole('button', { name: 'Try it out' }).click();
      await incidents.getByRole('button', { name: 'Execute' }).click();
      const live = incidents.locator('.live-responses-table');
      const status = live.locator('tbody .response-col_status');
      await status.waitFor();
      expect(await status.innerText()).toBe('200');
      expect(await live.locator('tbody .response-col_description').innerText()).toContain(title);
      await page.screenshot({ path: '/tmp/api-docs.png', fullPage: true });

      // axe on the page as it stands (an operation open, its response shown), under the docs' CSP.
      const violations = await axeViolations(page);
      expect(violations.filter((violation) => !SWAGGER_UI_RULES.includes(violation.id))).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
