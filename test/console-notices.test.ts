import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../scripts/build-console.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { startTocsin, tocsin, type RunningTocsin } from './helpers/cli.ts';

// The console's Notices page against a real `tocsin demo --serve` (its own SQLite database, as npm
// start runs it; the approval's routes are tested on both databases in notices-approval.test.ts).
// One server and one browser for the file; each state of the page is checked with axe-core and saved
// as a screenshot.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'tmp', 'console-screenshots');
const OFFICER = { email: 'dpo@shop.example.com', password: 'harbour-willow-tangent-8Jq2-privacy' };

interface Served {
  console: string;
  email: string;
  password: string;
}

describe.skipIf(!HAS_CHROMIUM)(`the Notices page in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-notices-'));
  const workspace = join(dir, 'demo');
  let server: RunningTocsin & { found: Served };
  let served: Served;
  let browser: Browser;
  let admin: BrowserContext;
  let officer: BrowserContext;
  let id: string;
  const complaints: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureConsoleBuilt();
    server = await startTocsin(['demo', '--serve', '--dir', workspace, '--orders', '300', '--log-lines', '3000', '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0'], {
      env: { ...process.env, CI: '1', TOCSIN_DATA_DIR: join(dir, 'own-data'), DATABASE_URL: '', TOCSIN_DATABASE_URL: '' },
      ready: (stderr): Served | undefined => {
        const value = (label: string) => new RegExp(`^\\s*${label}: (\\S+)$`, 'm').exec(stderr)?.[1];
        const [consoleUrl, email, password] = ['console', 'email', 'password'].map(value);
        return consoleUrl && email && password ? { console: consoleUrl, email, password } : undefined;
      },
    });
    served = server.found;
    const added = tocsin(['user', 'add', OFFICER.email, '--role', 'privacy', '--password-stdin'], { env: { TOCSIN_DATA_DIR: join(workspace, 'data') }, input: `${OFFICER.password}\n` });
    expect(added.status, added.stderr).toBe(0);
    browser = await launchChromium();
    admin = await signedIn(served.email, served.password);
    officer = await signedIn(OFFICER.email, OFFICER.password);
    const incidents = (await call(admin, 'GET', '/api/incidents')) as { items: { id: string }[] };
    id = incidents.items[0].id;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A browser context signed in as this account, its CSP complaints collected. */
  async function signedIn(email: string, password: string): Promise<BrowserContext> {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) complaints.push(message.text());
    });
    const page = await context.newPage();
    await page.goto(`${served.console}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/incidents');
    await page.close();
    return context;
  }

  /** A call to the staff API from the context's own page (its cookie, its origin), the reply's JSON. */
  async function call(context: BrowserContext, method: string, path: string, body?: unknown): Promise<unknown> {
    const page = context.pages()[0] ?? (await context.newPage());
    if (!page.url().startsWith(served.console)) await page.goto(`${served.console}/incidents`);
    return page.evaluate(
      async ([method, path, body]) => {
        const response = await fetch(path as string, { method: method as string, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
        return response.json();
      },
      [method, path, body] as const,
    );
  }

  /** Builds the notices again through the API as this context's account and waits for the job to end. */
  async function build(context: BrowserContext): Promise<void> {
    const job = (await call(context, 'POST', `/api/incidents/${id}/notices/build`, { shop_address: 'shop.example.com' })) as { id: string };
    expect(job, JSON.stringify(job)).toMatchObject({ id: expect.any(String) });
    await expect.poll(async () => ((await call(context, 'GET', `/api/jobs/${job.id}`)) as { state: string }).state, { timeout: 60_000 }).toBe('succeeded');
  }

  /** axe-core finds nothing serious on the page as it stands, and the page is saved as NAME.png. */
  async function check(on: Page, name: string): Promise<void> {
    await on.waitForLoadState('networkidle');
    const serious = (await axeViolations(on)).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(serious, `${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
    await on.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
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
    await check(page, 'notices-builder');
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
    await check(page, 'notices-review');

    await page.getByRole('button', { name: 'Approve these notices' }).click();
    const approval = page.getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toContain(`Approved by ${OFFICER.email} on`);
    expect(await page.getByRole('button', { name: 'Approve these notices' }).count()).toBe(0);
    await check(page, 'notices-approved');
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
    await check(page, 'notices-own-build');
    expect(complaints).toEqual([]);
    await page.close();
  });
});
