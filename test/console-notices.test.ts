import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { callApi, checkPage, startConsoleDemo, type ConsoleDemo, type Served } from './helpers/console-demo.ts';

// The console's Notices page against a real `tocsin demo --serve` (its own SQLite database, as npm
// start runs it; the approval's routes are tested on both databases in notices-approval.test.ts).
// One server and one browser for the file; each state of the page is checked with axe-core and saved
// as a screenshot.

const OFFICER = { email: 'dpo@shop.example.com', password: 'harbour-willow-tangent-8Jq2-privacy' };

describe.skipIf(!HAS_CHROMIUM)(`the Notices page in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let officer: BrowserContext;
  let id: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('notices');
    served = demo.served;
    await demo.addUser(OFFICER, 'privacy');
    admin = await demo.signedIn(served.email, served.password);
    officer = await demo.signedIn(OFFICER.email, OFFICER.password);
    const incidents = (await call(admin, 'GET', '/api/incidents')) as { items: { id: string }[] };
    id = incidents.items[0].id;
  }, 300_000);

  afterAll(() => demo?.close());

  const call = (context: BrowserContext, method: string, path: string, body?: unknown) => callApi(context, served.console, method, path, body);

  /** Builds the notices again through the API as this context's account and waits for the job to end. */
  async function build(context: BrowserContext): Promise<void> {
    const job = (await call(context, 'POST', `/api/incidents/${id}/notices/build`, { shop_address: 'shop.example.com' })) as { id: string };
    expect(job, JSON.stringify(job)).toMatchObject({ id: expect.any(String) });
    await expect.poll(async () => ((await call(context, 'GET', `/api/jobs/${job.id}`)) as { state: string }).state, { timeout: 60_000 }).toBe('succeeded');
  }

  it('shows the builder (an admin) the notices built, awaiting approval, with no approve button to press', async () => {
    await build(admin);
    const page = await admin.newPage();
    await page.goto(`${served.console}/incidents/${id}`);
    await page.getByRole('link', { name: 'Notices: preview and approval' }).click();
    await page.waitForURL(`**/incidents/${id}/notices`);
    const approval = page.getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toContain(`Built by ${served.email} on`);
    expect(await approval.textContent()).toContain('awaiting approval');
    expect(await page.getByRole('button', { name: 'Approve these notices' }).isDisabled()).toBe(true);
    expect(await approval.textContent()).toContain('Only an account with the privacy role approves notices.');
    await checkPage(page, 'notices-builder');
    await page.close();
  });

  it('lets another privacy officer review each variant and language, HTML in a frame that runs nothing, and approve', async () => {
    const page = await officer.newPage();
    await page.goto(`${served.console}/incidents/${id}/notices`);
    const frame = page.locator('iframe.notice-frame');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    // The French customers are in France: the GDPR variant's notice.
    await page.getByLabel('Variant').selectOption('gdpr');
    await page.getByLabel('Notice language').selectOption('fr');
    await expect.poll(() => frame.getAttribute('src')).toContain('locale=fr');
    // The notice's own styles apply inside its frame; the French text sits beside it.
    const heading = page.frameLocator('iframe.notice-frame').locator('h1');
    await expect.poll(() => heading.textContent()).toMatch(/données personnelles/);
    const fontSize = await heading.evaluate((element) => (globalThis as unknown as { getComputedStyle(node: unknown): { fontSize: string } }).getComputedStyle(element).fontSize);
    expect(fontSize).toBe('24px');
    expect(await page.getByRole('region', { name: 'As the customer will see it' }).getByLabel('Plain text').textContent()).toMatch(/[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/);
    await expect.poll(() => page.getByText('No problem found in the templates').isVisible()).toBe(true);
    await checkPage(page, 'notices-review');

    await page.getByRole('button', { name: 'Approve these notices' }).click();
    const approval = page.getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toContain(`Approved by ${OFFICER.email} on`);
    expect(await page.getByRole('button', { name: 'Approve these notices' }).count()).toBe(0);
    await checkPage(page, 'notices-approved');
    expect(await call(officer, 'GET', `/api/incidents/${id}/notices/approval`)).toMatchObject({ built_by: served.email, approved_by: OFFICER.email, required: true });
    await page.close();
  });

  it('offers a privacy officer who built the notices no approval of their own, and lists what templates check finds with file and line', async () => {
    await build(officer);
    const templates = (await call(officer, 'POST', `/api/incidents/${id}/templates/init`)) as { dir: string };
    writeFileSync(join(templates.dir, 'en-GB', 'notice.subject.liquid'), 'Security incident\n{{ shop_slogan }}\n');
    const page = await officer.newPage();
    await page.goto(`${served.console}/incidents/${id}/notices`);
    const approval = page.getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toContain(`Built by ${OFFICER.email} on`);
    expect(await page.getByRole('button', { name: 'Approve these notices' }).isDisabled()).toBe(true);
    expect(await approval.textContent()).toContain('You built these notices: another privacy officer must approve them.');
    const problem = page.getByRole('row', { name: /shop_slogan/ });
    await problem.waitFor();
    const cells = await problem.getByRole('cell').allInnerTexts();
    expect(cells[0]).toMatch(/en-GB\/notice\.subject\.liquid$/);
    expect(cells[1]).toBe('2');
    // The preview cannot render the broken template: it says so, where the notices would be.
    const refused = page.getByRole('region', { name: 'As the customer will see it' }).getByRole('alert');
    await expect.poll(() => refused.textContent(), { timeout: 10_000 }).toContain('shop_slogan');
    await checkPage(page, 'notices-own-build');
    expect(demo.complaints).toEqual([]);
    await page.close();
  });
});
