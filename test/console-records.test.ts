import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, signIn, startConsoleDemo, VIEWER, type ConsoleDemo } from './helpers/console-demo.ts';

// The console's Records and Scoping pages against a real `tocsin demo --serve` (its own SQLite
// database; the routes they call are tested on both databases in test/server-scope-file.test.ts,
// server-jobs and server-uploads): an export uploaded and imported with its quarantine shown, the
// scope file checked at its lines, detection, a suspect added to the indicators, a scope run
// followed live, and the diff of two runs. Each page is checked with axe-core and saved as a screenshot.

describe.skipIf(!HAS_CHROMIUM)(`records and scoping in a browser [chromium] (needs ${CHROMIUM})`, () => {
  let demo: ConsoleDemo;
  /** The demo's shop: its export, its scope file and its logs. */
  let shop: string;
  let page: Page;
  let overview: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('records');
    shop = join(demo.workspace, 'shop');
    page = await (await demo.newContext()).newPage();
    await page.goto(demo.served.console);
    await signIn(page, demo.served.email, demo.served.password);
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    overview = page.url();
  }, 300_000);

  afterAll(() => demo?.close());

  it('uploads an export with a progress bar, shows the preset’s columns, imports it live and lists its quarantined rows', async () => {
    // Three orders the demo's export lacks, in its columns; the second has no email (quarantined: nobody to tell).
    const header = readFileSync(join(shop, 'orders.csv'), 'utf8').split('\n')[0];
    const order = (key: string, email: string) => {
      const cells: Record<string, string> = { order_id: key, email, name: 'Late Customer', phone: '+33 1 23 45 67 89', address: '"1 rue de la Paix, 75002 Paris"', country: 'FR', locale: 'fr-FR', imei: '351615940699991', card_last4: '1234', created_at: '2019-11-20T10:00:00Z' };
      return header.split(',').map((column) => cells[column] ?? '').join(',');
    };
    const exportFile = join(demo.workspace, 'late-orders.csv');
    writeFileSync(exportFile, [header, order('LATE-1', 'late.one@example.org'), order('LATE-2', ''), order('LATE-3', 'late.three@example.org'), ''].join('\n'));

    await page.goto(overview);
    await page.getByRole('link', { name: /^Records:/ }).click();
    await page.getByRole('heading', { name: 'Records', level: 1 }).waitFor();
    const upload = page.getByRole('region', { name: 'Upload an export' });
    await upload.getByLabel('The shop’s order export').setInputFiles(exportFile);
    await upload.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => upload.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow')).toBe('100');

    const form = page.getByRole('region', { name: 'Import' });
    // The wrong preset: the job fails, and says why.
    await form.getByLabel('Preset', { exact: true }).selectOption('shopify');
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/^The server refused: .*Name/);
    await form.getByLabel('Preset', { exact: true }).selectOption('tocsin-demo');
    const presetColumns = form.getByRole('table', { name: 'Columns the tocsin-demo preset reads' });
    expect(await presetColumns.getByRole('row', { name: /^imei device ID$/ }).count()).toBe(1);
    expect(await form.getByText('Record key: order_id · email: email').isVisible()).toBe(true);
    await checkPage(page, 'records-upload');
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => form.getByRole('status').last().textContent(), { timeout: 30_000 }).toMatch(/^Imported 2 rows of 3; 1 quarantined\./);
    expect(await form.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe('100');

    const quarantine = page.getByRole('region', { name: 'Quarantine' });
    const quarantined = quarantine.getByRole('row', { name: /^\S+ 3 / });
    await quarantined.waitFor();
    expect(await quarantined.textContent()).toMatch(/email/i);
    await checkPage(page, 'records-imported');
  });

  it('checks the scope file at its lines, detects, adds a suspect in one click, runs scope live and diffs two runs', async () => {
    const scopeYml = readFileSync(join(shop, 'scope.yml'), 'utf8');
    const rulesOnly = scopeYml.slice(0, scopeYml.indexOf('indicators:'));
    await page.goto(overview);
    await page.getByRole('link', { name: /^Scoping:/ }).click();
    await page.getByRole('heading', { name: 'Scoping', level: 1 }).waitFor();

    const editor = page.getByRole('textbox', { name: 'Scope file' });
    const broken = rulesOnly.replace(/exposes: \[/, 'exposes: [shoe_size, ');
    const brokenLine = broken.split('\n').findIndex((line) => line.includes('shoe_size')) + 1;
    await editor.fill(broken);
    const problem = page.getByRole('button', { name: new RegExp(`^Line ${brokenLine}: rules\\[0\\]\\.exposes\\[0\\]: unknown category 'shoe_size'`) });
    await problem.waitFor();
    expect(await page.locator('.checked-editor-problem-line').allTextContents()).toEqual([`! ${brokenLine}`]);
    await problem.click();
    const selected = await editor.evaluate((area) => {
      const text = area as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return text.value.slice(text.selectionStart, text.selectionEnd);
    });
    expect(selected).toContain('shoe_size');
    await checkPage(page, 'scoping-problem');

    await editor.fill(rulesOnly);
    await page.getByText('✓ The server accepts it: 2 rules, reading the record columns imei, order_id.').waitFor();
    expect(await page.locator('.checked-editor-problem-line').count()).toBe(0);

    // The demo's three log files, uploaded through the page: each is ticked as it arrives.
    const logs = page.getByRole('region', { name: 'Access logs' });
    for (const name of ['access.log.2.gz', 'access.log.1', 'access.log']) {
      await logs.getByLabel('Upload a log').setInputFiles(join(shop, name));
      await logs.getByRole('button', { name: 'Upload', exact: true }).click();
      await expect.poll(() => logs.getByRole('checkbox', { checked: true }).count()).toBe(['access.log.2.gz', 'access.log.1', 'access.log'].indexOf(name) + 1);
    }

    const detect = page.getByRole('region', { name: 'Detect the attacker' });
    await detect.getByRole('button', { name: 'Detect' }).click();
    const suspects = detect.getByRole('table', { name: 'Suspects, the most likely first' });
    await suspects.waitFor({ timeout: 60_000 });
    const top = suspects.getByRole('row').nth(1);
    const client = await top.getByRole('cell').nth(1).locator('p').first().textContent();
    const ip = client!.split(' · ')[0];
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await top.getByRole('listitem').count()).toBeGreaterThan(0);
    await checkPage(page, 'scoping-detected');
    await top.getByRole('button', { name: 'Add to indicators' }).click();
    await top.getByText('Added').waitFor();
    const edited = await editor.inputValue();
    expect(edited.startsWith(rulesOnly)).toBe(true);
    expect(edited.slice(rulesOnly.length)).toMatch(new RegExp(`^indicators:\n  ips: \\["${ip.replaceAll('.', '\\.')}"\\]\n`));
    await page.getByText('✓ The server accepts it: 2 rules, reading the record columns imei, order_id.').waitFor();

    const scope = page.getByRole('region', { name: 'Scope', exact: true });
    await scope.getByRole('button', { name: 'Run scope' }).click();
    await expect.poll(() => scope.getByRole('status').last().textContent(), { timeout: 60_000 }).toMatch(/^Run 2: \d+ people affected/);
    expect(await scope.getByRole('progressbar', { name: 'Scope run progress' }).getAttribute('aria-valuenow')).toBe('100');

    const runs = page.getByRole('region', { name: 'Runs' });
    await runs.getByRole('row', { name: /^2 / }).waitFor();
    expect(await runs.getByRole('row', { name: /^2 / }).textContent()).toMatch(/scope\.yml \(job [0-9a-f-]+\)/);
    await runs.getByLabel('Compare run').selectOption('1');
    await runs.getByLabel('with run').selectOption('2');
    await runs.getByRole('button', { name: 'Compare' }).click();
    await runs.getByText(/^From run 1 to run 2: \d+ newly affected, \d+ no longer affected, \d+ with other data exposed\.$/).waitFor();
    await checkPage(page, 'scoping-runs');
    expect(demo.complaints).toEqual([]);
  }, 180_000);

  it('shows a viewer the quarantine, the scope file check and the runs, and nothing to start', async () => {
    demo.addUser(VIEWER, 'viewer');
    const context = await demo.newContext();
    const viewer = await context.newPage();
    await viewer.goto(`${demo.served.console}/sign-in`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.waitForURL('**/incidents');
    const path = new URL(overview).pathname;
    await viewer.goto(`${demo.served.console}${path}/records`);
    await viewer.getByRole('region', { name: 'Quarantine' }).getByRole('row', { name: /^\S+ 3 / }).waitFor();
    expect(await viewer.getByRole('button').filter({ hasText: /^(Upload|Import)$/ }).count()).toBe(0);
    await viewer.goto(`${demo.served.console}${path}/scoping`);
    await viewer.getByRole('region', { name: 'Runs' }).getByRole('row', { name: /^2 / }).waitFor();
    await viewer.getByText(/^✓ The server accepts it/).waitFor();
    expect(await viewer.getByRole('button').filter({ hasText: /^(Detect|Run scope|Add to indicators)$/ }).count()).toBe(0);
    await context.close();
  });
});
