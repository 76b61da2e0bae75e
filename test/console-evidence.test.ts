import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { callApi, checkPage, signIn, startConsoleDemo, VIEWER, type ConsoleDemo } from './helpers/console-demo.ts';

// The Scoping page's evidence and unknown reads, and the overview's jobs, against a real `tocsin
// demo --serve` (its own SQLite database; the routes are tested on both databases with the API's).
// A log with one attacker request for an order the shop never had, its value and the upload's
// name hostile markup, is scoped as run 2: the value shows as text, for personal_data:read only.

// No slash nor space: the value is one path segment of the request line.
const HOSTILE = '<b>x&amp;y<i>';
const LOG = `198.51.100.230 - - [31/Oct/2019:10:00:00 +0000] "GET /api/v2/orders/${HOSTILE} HTTP/1.1" 200 512 "-" "python-requests/2.22.0"\n`;

describe.skipIf(!HAS_CHROMIUM)(`evidence, unknown reads and jobs in a browser [chromium] (needs ${CHROMIUM})`, () => {
  let demo: ConsoleDemo;
  let admin: BrowserContext;
  let page: Page;
  let overview: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('evidence');
    await demo.addUser(VIEWER, 'viewer');
    admin = await demo.signedIn(demo.served.email, demo.served.password);
    page = await admin.newPage();
    await page.goto(`${demo.served.console}/incidents`);
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    overview = new URL(page.url()).pathname;
  }, 300_000);

  afterAll(() => demo?.close());

  const api = (path: string) => callApi(admin, demo.served.console, 'GET', path) as Promise<Record<string, never[]>>;

  it('lists every input file with its SHA-256, and the values read that match no record, hostile ones as text', async () => {
    await page.goto(`${demo.served.console}${overview}/scoping`);
    await page.locator('#scope-file-load').setInputFiles(join(demo.workspace, 'shop', 'scope.yml'));
    await page.getByText(/^✓ The server accepts it: 2 rules/).waitFor();
    const logs = page.getByRole('region', { name: 'Access logs' });
    await logs.getByLabel('Upload a log').setInputFiles({ name: '<img src=x onerror=alert(1)>.log', mimeType: 'text/plain', buffer: Buffer.from(LOG) });
    await logs.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => logs.getByRole('checkbox', { checked: true }).count()).toBe(1);
    const scope = page.getByRole('region', { name: 'Scope', exact: true });
    await scope.getByRole('button', { name: 'Run scope' }).click();
    await expect.poll(() => scope.getByRole('status').last().textContent(), { timeout: 60_000 }).toMatch(/^Run 2: /);

    const unknown = page.getByRole('region', { name: 'Values read that match no imported record' });
    await unknown.getByText(/^Run 2: 1 value the attacker read matched no imported record/).waitFor();
    const table = unknown.getByRole('table', { name: 'Values read in run 2 that match no imported record' });
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr td').first().textContent()).toBe(HOSTILE);
    expect(await table.locator('tbody tr').textContent()).toContain('Not in the imported export');

    const evidence = page.getByRole('region', { name: 'Evidence' });
    const files = (await api(`/api/incidents/${overview.split('/').at(-1)}/evidence`)).items as { kind: string; sha256: string }[];
    const rows = evidence.getByRole('table', { name: 'Evidence' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(files.length);
    expect(files.map((file) => file.kind)).toEqual(expect.arrayContaining(['records', 'log']));
    for (const [index, file] of files.entries()) {
      const cells = rows.nth(index).getByRole('cell');
      expect(await cells.nth(0).textContent()).toBe(file.kind === 'log' ? 'Access log' : 'Records export');
      expect(await cells.nth(1).textContent()).toBe(file.sha256);
      expect(await cells.nth(2).textContent()).toMatch(/^[\d,]+ bytes?$/);
    }
    expect(await page.locator('main b, main img[onerror]').count()).toBe(0);
    await checkPage(page, 'scoping-evidence');
    expect(demo.complaints).toEqual([]);
  }, 180_000);

  it("lists the incident's latest jobs on its overview, who started them and how they ended", async () => {
    await page.goto(`${demo.served.console}${overview}`);
    const jobs = page.getByRole('region', { name: 'Jobs' });
    const table = jobs.getByRole('table', { name: /^The (\d+ )?latest jobs?/ });
    await table.waitFor();
    const listed = (await api(`/api/incidents/${overview.split('/').at(-1)}/jobs`)).items as { kind: string }[];
    expect(listed[0]?.kind).toBe('scope');
    expect(await table.locator('tbody tr').count()).toBe(Math.min(10, listed.length));
    const latest = await table.locator('tbody tr').first().textContent();
    expect(latest).toMatch(/^Scope runDone/);
    expect(latest).toContain(demo.served.email);
    await checkPage(page, 'incident-jobs');
  });

  it('shows a viewer how many values match no record but not the values, the evidence and the jobs, with nothing to cancel', async () => {
    const context = await demo.newContext();
    const viewer = await context.newPage();
    await viewer.goto(`${demo.served.console}/sign-in`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.waitForURL('**/incidents');
    await viewer.goto(`${demo.served.console}${overview}/scoping`);
    const unknown = viewer.getByRole('region', { name: 'Values read that match no imported record' });
    await unknown.getByText(/^Run 2: 1 value/).waitFor();
    expect(await unknown.getByRole('table').count()).toBe(0);
    expect(await viewer.getByText(HOSTILE, { exact: true }).count()).toBe(0);
    await viewer.getByRole('region', { name: 'Evidence' }).getByRole('table').waitFor();
    await checkPage(viewer, 'scoping-evidence-viewer');
    await viewer.goto(`${demo.served.console}${overview}`);
    await viewer.getByRole('region', { name: 'Jobs' }).getByRole('table').waitFor();
    expect(await viewer.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await context.close();
  });
});
