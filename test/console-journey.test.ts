import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NARRATIVES, type Truth } from '../src/demo/index.ts';
import type { Narrative } from '../src/incidents/index.ts';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, SCREENSHOTS, signIn, startConsoleDemo, type ConsoleDemo } from './helpers/console-demo.ts';

// Issue 14's journey, through the browser alone, against a real `tocsin demo --serve` (its own SQLite
// database; every route behind these pages is tested on both databases elsewhere): the demo admin's new
// incident taken from the shop's export and logs to notices a second account approves, sent into the
// demo's file outbox, and the authority's report. Each step follows the one before on one page; each
// page is checked with axe-core and saved as journey-*.png.

const OFFICER = { email: 'journey-dpo@shop.example.com', password: 'saffron-turbine-ledger-3Vw7-privacy' };
const TITLE = 'IMEI lookup abused again: orders read';
/** A paragraph of the French narrative that would be markup, a template or a quote if it were not kept as text. */
const HOSTILE = 'Note <b>interne</b> & "IMEI" {{ shop_name }} \'—\'';

/** A narrative as the page takes it: Markdown, each part under its id. */
const markdown = (narrative: Narrative) =>
  Object.entries(narrative)
    .map(([part, paragraphs]) => `## ${part}\n\n${paragraphs.join('\n\n')}`)
    .join('\n\n');

describe.skipIf(!HAS_CHROMIUM)(`the console's journey from a new incident to the authority's report [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  /** The demo's shop: its export, scope file and logs, as the shop would hand them over. */
  let shop: string;
  /** Where the demo's server writes what it sends: the default file transport, in its data directory. */
  let outbox: string;
  let page: Page;
  let overview: string;
  let id: string;
  let affected: number;

  beforeAll(async () => {
    demo = await startConsoleDemo('journey');
    shop = join(demo.workspace, 'shop');
    outbox = join(demo.workspace, 'data', 'outbox');
    page = await (await demo.newContext()).newPage();
  }, 300_000);

  afterAll(() => demo?.close());

  /**
   * checkPage on the page loaded afresh: Playwright's network-idle wait may never settle on a frame
   * that changed after the page loaded (the notice's, the report's), so the page is judged as loaded.
   */
  async function checkFramedPage(name: string): Promise<void> {
    await page.reload();
    await page.locator('iframe').first().waitFor();
    await checkPage(page, name);
  }

  /** What the demo's generator knows: how many orders it wrote, and who the attacker really reached. */
  function truth(): Truth {
    return JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8')) as Truth;
  }

  it('signs in as the demo admin and opens a new incident', async () => {
    await page.goto(demo.served.console);
    await signIn(page, demo.served.email, demo.served.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('button', { name: 'New incident' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open an incident' });
    await dialog.getByLabel('Title').fill(TITLE);
    await dialog.getByLabel('Controller (optional)').fill('Example Phone Shop Ltd');
    await dialog.getByLabel('Contact email (optional)').fill('dpo@shop.example.com');
    await dialog.getByRole('button', { name: 'Open the incident' }).click();
    await page.waitForURL(/\/incidents\/[0-9a-z]{6}$/);
    overview = page.url();
    id = overview.split('/').at(-1)!;
    await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    // When the breach began and ended, as the logs will show: every notice states it (in Paris time here).
    await page.getByRole('button', { name: 'Edit the timeline' }).click();
    await page.getByLabel('Breach began').fill('2019-10-30T01:00');
    await page.getByLabel('Breach ended').fill('2019-11-14T00:59');
    await page.getByRole('button', { name: 'Save the timeline' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('2 changes saved and audited.');
    await checkPage(page, 'journey-incident-new');
  });

  it('uploads the shop’s export and imports it with the demo’s preset, following the job to its end', async () => {
    await page.getByRole('link', { name: /^Records:/ }).click();
    await page.getByRole('heading', { name: 'Records', level: 1 }).waitFor();
    const upload = page.getByRole('region', { name: 'Upload an export' });
    await upload.getByLabel('The shop’s order export').setInputFiles(join(shop, 'orders.csv'));
    await upload.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => upload.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow')).toBe('100');
    const form = page.getByRole('region', { name: 'Import' });
    await form.getByLabel('Preset', { exact: true }).selectOption('tocsin-demo');
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    const { orders } = truth();
    await expect.poll(() => form.getByRole('status').last().textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^Imported ${orders} rows of ${orders}; none quarantined\\.`));
    expect(await form.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe('100');
    await checkPage(page, 'journey-records');
  });

  it('uploads the access logs, writes the scope file, detects, adds the top suspect in one click and scopes live', async () => {
    await page.goto(overview);
    await page.getByRole('link', { name: /^Scoping:/ }).click();
    await page.getByRole('heading', { name: 'Scoping', level: 1 }).waitFor();
    const logs = page.getByRole('region', { name: 'Access logs' });
    const names = ['access.log.2.gz', 'access.log.1', 'access.log'];
    for (const [index, name] of names.entries()) {
      await logs.getByLabel('Upload a log').setInputFiles(join(shop, name));
      await logs.getByRole('button', { name: 'Upload', exact: true }).click();
      await expect.poll(() => logs.getByRole('checkbox', { checked: true }).count()).toBe(index + 1);
    }

    // The demo's rules, and what the shop already knew of the attacker but for the address detection finds.
    const demoFile = readFileSync(join(shop, 'scope.yml'), 'utf8');
    const known = demoFile.replace(/ips: \["198\.51\.100\.230", /, 'ips: [').replace(/\n  accounts: .*/, '');
    expect(known).not.toContain('198.51.100.230');
    const editor = page.getByRole('textbox', { name: 'Scope file' });
    await editor.fill(known);
    await page.getByText('✓ The server accepts it: 2 rules, reading the record columns imei, order_id.').waitFor();

    const detect = page.getByRole('region', { name: 'Detect the attacker' });
    await detect.getByRole('button', { name: 'Detect' }).click();
    const suspects = detect.getByRole('table', { name: 'Suspects, the most likely first' });
    await suspects.waitFor({ timeout: 60_000 });
    const top = suspects.getByRole('row').nth(1);
    expect(await top.getByRole('cell').nth(1).textContent()).toContain('198.51.100.230');
    await checkPage(page, 'journey-scoping-detected');
    await top.getByRole('button', { name: 'Add to indicators' }).click();
    await top.getByText('Added').waitFor();
    const edited = await editor.inputValue();
    expect(edited).toMatch(/ips: \[.*"198\.51\.100\.230"\]/);
    expect(edited).toMatch(/accounts: \["u100146"\]/);
    await page.getByText(/^✓ The server accepts it/).waitFor();

    const scope = page.getByRole('region', { name: 'Scope', exact: true });
    await scope.getByRole('button', { name: 'Run scope' }).click();
    await expect.poll(() => scope.getByRole('status').last().textContent(), { timeout: 60_000 }).toMatch(/^Run 1: \d+ people affected/);
    affected = Number(/^Run 1: (\d+) people/.exec((await scope.getByRole('status').last().textContent())!)![1]);
    // Everyone the generator's attack reached, and the few its reconnaissance reached the hour before the
    // shop's window: adding the suspect widens from…until to when it was first seen.
    expect(affected).toBeGreaterThanOrEqual(truth().affected.length);
    expect(await scope.getByRole('progressbar', { name: 'Scope run progress' }).getAttribute('aria-valuenow')).toBe('100');
    await checkPage(page, 'journey-scoping-run');
  });

  it('explains one affected person: the log file, line, rule and indicator behind it', async () => {
    await page.goto(overview);
    await page.getByRole('link', { name: 'See the affected people' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`${affected} people`);
    const table = page.getByRole('region', { name: 'Affected people' });
    await table.getByRole('row').nth(1).getByRole('button').click();
    const panel = page.getByRole('dialog', { name: /^Why .+@/ });
    await panel.getByText(/^\d+ attacker requests?$/).waitFor();
    expect(await panel.locator('li').first().textContent()).toMatch(/\S, line \d+ · rule (imei-lookup|order-api) · indicator \w+ \S+ · record \S+/);
    // The panel slides in: axe-core judges its colours once it stands still.
    await expect.poll(() => page.evaluate<number>('document.getAnimations().length')).toBe(0);
    await checkPage(page, 'journey-explanation');
  });

  it('writes what happened in each language, builds the notices and previews them in French; the builder may not approve them', async () => {
    await page.goto(overview);
    await page.getByRole('link', { name: 'Templates and narratives' }).click();
    // The demo's story in its customers' languages, the French with a paragraph that must stay text.
    for (const [locale, narrative] of Object.entries(DEMO_NARRATIVES)) {
      const written = locale === 'fr' ? { ...narrative, what_happened: [...narrative.what_happened!, HOSTILE] } : narrative;
      await page.getByLabel('Narrative language').selectOption(locale);
      await page.getByLabel(`Narrative in ${locale}`).fill(markdown(written));
      const save = page.getByRole('button', { name: 'Save the narrative' });
      await expect.poll(() => save.isEnabled(), { timeout: 30_000 }).toBe(true);
      await save.click();
      // Saved: the editor holds the stored text again, so there is nothing left to save.
      await expect.poll(() => save.isDisabled(), { timeout: 30_000 }).toBe(true);
    }
    await checkPage(page, 'journey-narratives');
    await page.goto(overview);
    await page.getByRole('link', { name: 'Notices: preview and approval' }).click();
    await page.getByText('No notices are built yet.').waitFor();
    const build = page.getByRole('region', { name: 'Build the notices' });
    await build.getByLabel('Shop address').fill('shop.example.com');
    await build.getByRole('button', { name: 'Build', exact: true }).click();
    await expect.poll(() => build.getByRole('status').last().textContent(), { timeout: 60_000 }).toBe(`${affected} notices for scope run 1: ${affected} added, 0 updated, 0 withdrawn, 0 already sent.`);
    const approval = page.getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toContain(`Built by ${demo.served.email} on`);
    expect(await page.getByRole('button', { name: 'Approve these notices' }).isDisabled()).toBe(true);

    // The French customers are in France: the GDPR variant's notice.
    await page.getByLabel('Variant').selectOption('gdpr');
    await page.getByLabel('Notice language').selectOption('fr');
    const frame = page.locator('iframe.notice-frame');
    await expect.poll(() => frame.getAttribute('src')).toContain('locale=fr');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const notice = page.frameLocator('iframe.notice-frame');
    await expect.poll(() => notice.locator('h1').textContent()).toMatch(/données personnelles/);
    expect(await notice.locator('body').textContent()).toContain(HOSTILE);
    expect(await notice.locator('b', { hasText: 'interne' }).count()).toBe(0);
    expect(await page.getByLabel('Plain text').textContent()).toContain(HOSTILE);
    await expect.poll(() => page.getByText('No problem found in the templates').isVisible()).toBe(true);
    // A full-page screenshot leaves frames blank: the French notice as framed, on its own.
    await frame.scrollIntoViewIfNeeded();
    await notice.getByText(HOSTILE).waitFor();
    await frame.screenshot({ path: join(SCREENSHOTS, 'journey-notice-frame.png') });
    await checkFramedPage('journey-notices-built');
  });

  it('signs out; a privacy officer signs in and approves the notices', async () => {
    await demo.addUser(OFFICER, 'privacy');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in**');
    await signIn(page, OFFICER.email, OFFICER.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('link', { name: TITLE }).click();
    await page.getByRole('link', { name: 'Notices: preview and approval' }).click();
    await page.getByRole('button', { name: 'Approve these notices' }).click();
    const approval = page.getByRole('region', { name: 'Approval' });
    await expect.poll(() => approval.textContent()).toContain(`Approved by ${OFFICER.email} on`);
    await checkFramedPage('journey-notices-approved');
  });

  it('sends the notices into the file outbox and sees the campaign finish: one message per affected person', async () => {
    const before = new Set(readdirSync(outbox));
    await page.goto(overview);
    await page.getByRole('link', { name: 'Sending the notices' }).click();
    await page.getByRole('heading', { name: 'Sending the notices', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.campaign-done').textContent()).toBe(`0 of ${affected} notices done (sent, bounced or failed)`);
    await page.getByLabel('Sender (From)').fill('Example Phone Shop <notices@shop.example.com>');
    await page.getByRole('button', { name: 'Start the campaign' }).click();
    await expect.poll(() => page.locator('.campaign-job').textContent(), { timeout: 60_000 }).toBe('Campaign job finished');
    await expect.poll(() => page.locator('.campaign-done').textContent()).toBe(`${affected} of ${affected} notices done (sent, bounced or failed)`);
    await page.getByText('Everyone sent to so far was reached').waitFor();
    await checkPage(page, 'journey-campaign');

    const sent = readdirSync(outbox).filter((name) => !before.has(name));
    expect(sent).toHaveLength(affected);
    expect(sent.every((name) => name.startsWith(`${id}.`) && name.endsWith('.eml'))).toBe(true);
    const messages = sent.map((name) => readFileSync(join(outbox, name), 'utf8'));
    expect(messages.every((message) => /^From: Example Phone Shop <notices@shop\.example\.com>$/m.test(message))).toBe(true);
    // One notice to each affected person: as many recipients as messages.
    expect(new Set(messages.map((message) => /^To: (.+)$/m.exec(message)?.[1])).size).toBe(affected);
  });

  it('downloads the authority’s report, which names the incident', async () => {
    await page.goto(overview);
    await page.getByRole('link', { name: 'Authorities and reports' }).click();
    await page.getByRole('heading', { name: 'Authorities and reports', level: 1 }).waitFor();
    const france = page.getByRole('row', { name: /^FR / });
    await france.getByRole('button', { name: 'Preview FR' }).click();
    await page.frameLocator('iframe.report-frame').getByRole('heading', { level: 1 }).filter({ hasText: 'Notification à l' }).waitFor();
    await page.locator('iframe.report-frame').screenshot({ path: join(SCREENSHOTS, 'journey-report-frame.png') });
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download Markdown' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe(`report-${id}-FR-initial.md`);
    await checkFramedPage('journey-compliance');
    const report = readFileSync((await saved.path())!, 'utf8');
    expect(report).toMatch(/^# Notification à l'autorité de contrôle/);
    expect(report).toContain(TITLE);
    expect(report).toContain(id);
  });

  it('shows the incident overview with every stage done but the authorities told, and broke no CSP rule', async () => {
    await page.goto(overview);
    await page.getByRole('row', { name: /^FR / }).waitFor();
    await page.getByRole('img', { name: /^Affected people by jurisdiction: / }).waitFor();
    const stages = await page.locator('.pipeline li').allInnerTexts();
    expect(stages.map((stage) => stage.replace(/\s+/g, ' ').trim())).toEqual(['✓ Records imported done', '✓ Affected people scoped done', '✓ Notices built done', '✓ Notices approved done', '✓ Notices sent done', '→ Authorities told next']);
    await checkPage(page, 'journey-overview');
    // The README's picture of the console, taken afresh when asked for.
    if (process.env.TOCSIN_UPDATE_DOCS) copyFileSync(join(SCREENSHOTS, 'journey-overview.png'), fileURLToPath(new URL('../docs/console-overview.png', import.meta.url)));
    expect(demo.complaints).toEqual([]);
  });
});
