import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { tocsinMain } from './helpers/cli.ts';
import { checkPage, signIn, startConsoleDemo, type ConsoleDemo } from './helpers/console-demo.ts';

// What the console had left to the CLI (issue 14), done in a browser against a real `tocsin demo
// --serve` (its own SQLite database; the routes are tested on both databases in
// test/portal-page.test.ts and test/server-parity.test.ts): the incident's portal page published,
// its FAQ edited and unpublished, a report section written and found in the downloaded report,
// and the purge planned then confirmed. Each page is checked with axe-core and saved as a screenshot.

const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

/** Waits for what another part of the server brings about; no deadline but the test's. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe.skipIf(!HAS_CHROMIUM)(`the portal page, report sections and the purge in the console [chromium] (needs ${CHROMIUM})`, () => {
  let demo: ConsoleDemo;
  let context: BrowserContext;
  let page: Page;
  let id: string;
  /** The public listener's address. */
  let publicOrigin: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('portal');
    publicOrigin = new URL(demo.served.incidentPage).origin;
    context = await demo.newContext();
    page = await context.newPage();
    await page.goto(demo.served.console);
    await signIn(page, demo.served.email, demo.served.password);
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    id = page.url().split('/').at(-1)!;
  }, 300_000);

  afterAll(() => demo?.close());

  const publicPage = (path: string) => fetch(`${publicOrigin}${path}`, { headers: { accept: 'text/html' } });
  const cookie = async () => (await context.cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');

  it('shows the published page and its address, unpublishes it, edits an FAQ with the server’s check, and publishes it again', async () => {
    await page.getByRole('link', { name: 'Portal page' }).click();
    await page.getByRole('heading', { name: 'The incident’s page on the portal' }).waitFor();
    const path = `/incidents/${id}`;
    await expect.poll(() => page.locator('.portal-url').textContent()).toBe(path);
    expect(new URL(demo.served.incidentPage).pathname).toBe(path);
    expect((await publicPage(path)).status).toBe(200);
    await checkPage(page, 'portal');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Unpublish' }).click();
    await page.getByText('Not published').waitFor();
    await eventually(async () => (await publicPage(path)).status === 404);

    // The server's check of the Markdown, with its line, in the page.
    await page.getByRole('tab', { name: 'fr' }).click();
    const faq = page.getByRole('textbox', { name: 'FAQ in fr' });
    await faq.fill('Une réponse sans question.\n');
    await page.getByRole('button', { name: 'Save the FAQ' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/line 1: an FAQ starts with a question as a heading/);
    await faq.fill(`## Dois-je changer mon mot de passe ${HOSTILE} ?\n\nNon : les mots de passe n’étaient pas dans les commandes lues.\n`);
    await page.getByRole('button', { name: 'Save the FAQ' }).click();
    await page.getByText(/^Saved/).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);

    await page.getByRole('textbox', { name: 'Address (slug)' }).fill('incident-2019');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(() => page.locator('.portal-url').textContent()).toBe('/incidents/incident-2019');
    const french = await (await publicPage('/incidents/incident-2019?lang=fr')).text();
    expect(french).toContain('Dois-je changer mon mot de passe &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; ?');
    expect(french).not.toMatch(/<script|<img/);
    await checkPage(page, 'portal-faq');

    // An FAQ saved after publication waits for the next one, and the page says so.
    await faq.fill('## Que faire ?\n\nRien de plus.\n');
    await page.getByRole('button', { name: 'Save the FAQ' }).click();
    await page.getByText('Saved after the page was published: publish again to show it.').waitFor();
    expect(await (await publicPage('/incidents/incident-2019?lang=fr')).text()).not.toContain('Que faire ?');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Unpublish' }).click();
    await page.getByText('Not published').waitFor();
    await eventually(async () => (await publicPage('/incidents/incident-2019')).status === 404);
  });

  it('writes a report section, says what the report still lacks, and the downloaded report holds it', async () => {
    await page.goto(`${demo.served.console}/incidents/${id}/compliance`);
    await page.getByRole('row', { name: /^FR / }).getByRole('button', { name: 'Preview FR' }).click();
    await page.getByRole('heading', { name: 'Report to the FR authority' }).waitFor();
    const lacking = page.locator('.sections-missing');
    await expect.poll(() => lacking.textContent()).toMatch(/^The report to FR in fr still lacks: .*Likely consequences/);
    await page.getByRole('button', { name: 'Write Likely consequences' }).click();
    const text = page.getByRole('textbox', { name: 'Likely consequences (fr)' });
    await expect.poll(() => page.evaluate<string>("document.activeElement?.tagName ?? ''")).toBe('TEXTAREA');

    // A control character is refused, with its line.
    await text.fill('Des appels frauduleux.\n\u001b]0;pwned\u0007');
    await page.getByRole('button', { name: 'Save the section' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/line 2: holds a control character/);

    const written = `Des appels et courriels frauduleux ${HOSTILE} au nom de la boutique.\n\nAucune perte financière connue.`;
    await text.fill(written);
    await page.getByRole('button', { name: 'Save the section' }).click();
    await expect.poll(() => lacking.textContent()).not.toMatch(/Likely consequences/);
    await expect.poll(() => page.getByRole('row', { name: /^Likely consequences/ }).textContent()).toMatch(/filled.*admin/);
    // The preview shows it at once.
    await page.frameLocator('iframe.report-frame').getByText('Aucune perte financière connue.').waitFor();
    // Playwright's network-idle wait never ends once a frame has loaded again: the page as it loads afresh is checked.
    await page.reload();
    await page.getByRole('row', { name: /^FR / }).getByRole('button', { name: 'Preview FR' }).click();
    await page.getByRole('button', { name: 'Edit Likely consequences' }).waitFor();
    await checkPage(page, 'compliance-sections');

    const markdown = await fetch(new URL((await page.getByRole('link', { name: 'Download Markdown' }).getAttribute('href'))!, demo.served.console), { headers: { cookie: await cookie() } });
    expect(await markdown.text()).toContain('Aucune perte financière connue.');
    const html = await (await fetch(new URL((await page.getByRole('link', { name: 'Download HTML' }).getAttribute('href'))!, demo.served.console), { headers: { cookie: await cookie() } })).text();
    expect(html).toContain('Des appels et courriels frauduleux &#60;script&#62;alert(&#34;x&#34;)');
    expect(html).not.toMatch(/<script|<img/);

    // Cleared, the report asks for it again.
    await page.getByRole('button', { name: 'Edit Likely consequences' }).click();
    await expect.poll(() => text.inputValue()).toBe(written);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => lacking.textContent()).toMatch(/Likely consequences/);
  });

  it('deletes an upload; shows who a purge would delete, then purges once confirmed', async () => {
    await page.goto(`${demo.served.console}/incidents/${id}/records`);
    await page.getByLabel('The shop’s order export (CSV or NDJSON)').setInputFiles({ name: 'wrong-shop.csv', mimeType: 'text/csv', buffer: Buffer.from('order_id,email\n1,someone@elsewhere.example\n') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const uploads = page.getByRole('combobox', { name: 'Uploaded file' }).locator('option');
    await expect.poll(() => uploads.count()).toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete this upload' }).click();
    await expect.poll(() => uploads.count()).toBe(0);
    await page.getByRole('button', { name: 'See what a purge would delete' }).click();
    const planned = page.locator('.purge-plan [role="status"]');
    await expect.poll(() => planned.textContent()).toMatch(/^Scope run \d+: \d+ people not affected, with \d+ records, would be deleted;/);
    const people = Number(/: (\d+) people/.exec((await planned.textContent())!)![1]);
    expect(await page.getByRole('table', { name: 'People a purge would delete' }).getByRole('row').count()).toBe(Math.min(people, 500) + 1);
    const purge = page.getByRole('button', { name: `Purge ${people} people` });
    expect(await purge.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'I understand their records cannot be brought back.' }).check();
    await checkPage(page, 'records-purge');

    page.once('dialog', (dialog) => void dialog.accept());
    await purge.click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Purged/ }).textContent()).toMatch(new RegExp(`^Purged \\d+ records of ${people} people\\.`));
    await page.getByRole('button', { name: 'See what a purge would delete' }).click();
    await expect.poll(() => planned.textContent()).toMatch(/nobody to purge/);
  });

  it('removes a researcher’s second factors and requires one of every staff account from the Users page', async () => {
    await page.goto(`${demo.served.console}/admin/users`);
    await page.getByRole('textbox', { name: 'Researcher’s email' }).fill('nobody@researcher.example');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove their second factors' }).click();
    await page.getByRole('alert').waitFor();
    const required = page.getByRole('switch', { name: /^Every staff account must have a second factor/ });
    expect(await required.isChecked()).toBe(false);
    await checkPage(page, 'admin-second-factors');
    // The demo's admin has none: from now on the server asks them to enrol one before anything else.
    await required.click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Required/ }).textContent()).toMatch(/^Required: \d+ accounts? must enrol one at (its|their) next sign-in\.$/);
    expect((await tocsinMain(['user', 'require-2fa', 'off'], { env: { TOCSIN_DATA_DIR: join(demo.workspace, 'data') } })).status).toBe(0);
  });

  it('broke no CSP rule', () => {
    expect(demo.complaints).toEqual([]);
  });
});
