import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, signIn, startConsoleDemo, VIEWER, type ConsoleDemo, type Served } from './helpers/console-demo.ts';

// The bug bounty's console pages against a real `tocsin demo --serve` (its own SQLite database, as
// npm start runs it; the routes are tested on both databases in bounty-reports.test.ts and
// bounty-outcomes.test.ts), whose programme holds five reports sent on 15 November 2019: the IMEI
// lookup (triaged, linked to the demo incident), its duplicate, a stored XSS still new, an open
// redirect resolved and a blog rate limit closed as informative. One server and one browser for the
// file; each page checked with axe-core and saved as a screenshot.

const IMEI = 'The after-sales IMEI lookup still returns other customers’ orders';
const XSS = 'Stored XSS in product reviews';

describe.skipIf(!HAS_CHROMIUM)(`bug bounty console in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    demo = await startConsoleDemo('bounty');
    served = demo.served;
    await demo.addUser(VIEWER, 'viewer');
    admin = await demo.newContext();
    page = await admin.newPage();
  }, 300_000);

  afterAll(() => demo?.close());

  /** The report rows of the queue (its header row left out). */
  const reportRows = (on: Page) => on.getByRole('row').filter({ has: on.getByRole('link', { name: /\S/ }) });
  const status = (on: Page) => on.getByRole('status').textContent();

  it("lists the demo programme's reports in the triage queue, filtered by state, asset, severity and standing in the URL", async () => {
    await page.goto(`${served.console}/incidents`);
    await signIn(page, served.email, served.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bug bounty' }).click();
    await page.waitForURL('**/bounty/reports');
    await expect.poll(() => status(page)).toBe('5 reports, the longest waiting first');
    // Sent in 2019, the new XSS report is long past its first response target.
    expect(await reportRows(page).filter({ hasText: XSS }).textContent()).toMatch(/B-\w{4}-\w{4}-\w{4}shop\.example\.comMedium5\.4NewOverdueFirst response: \d+ Nov 2019/);
    expect(await reportRows(page).first().textContent()).toContain(IMEI);
    await checkPage(page, 'bounty-queue');

    await page.getByLabel('State').selectOption('triaged');
    await page.waitForURL('**/bounty/reports?state=triaged');
    await expect.poll(() => status(page)).toBe('1 report, the longest waiting first');
    expect(await reportRows(page).textContent()).toContain(IMEI);

    await page.goto(`${served.console}/bounty/reports`);
    await page.getByLabel('Asset').selectOption('blog.shop.example.com');
    await page.waitForURL('**/bounty/reports?asset=blog.shop.example.com');
    await expect.poll(() => status(page)).toBe('1 report, the longest waiting first');
    expect(await reportRows(page).textContent()).toMatch(/No rate limit on the blog’s comment form.*Informative.*Done/);

    await page.goto(`${served.console}/bounty/reports?severity=high`);
    await expect.poll(() => status(page)).toBe('No report, the longest waiting first');
    expect(await page.getByLabel('Severity').inputValue()).toBe('high');
    await page.goto(`${served.console}/bounty/reports?severity=medium&sla=overdue`);
    await expect.poll(() => status(page)).toMatch(/^[1-5] reports?, the longest waiting first$/);
    expect((await reportRows(page).allTextContents()).every((text) => text.includes('Overdue'))).toBe(true);
    expect(await page.getByLabel('Response targets').inputValue()).toBe('overdue');
  });

  it('shows a report with both CVSS vectors, its duplicate and thread, and keeps an internal note after a reload', async () => {
    await page.goto(`${served.console}/bounty/reports?state=duplicate`);
    await reportRows(page).getByRole('link').first().click();
    await page.getByRole('heading', { name: 'IDOR: the IMEI lookup shows anyone’s order' }).waitFor();
    const candidates = page.getByRole('region', { name: 'Possible duplicates' });
    expect(await candidates.textContent()).toMatch(new RegExp(`${IMEI}.*same asset · same weakness`));
    await candidates.getByRole('link', { name: IMEI }).click();

    await page.getByRole('heading', { name: IMEI }).waitFor();
    const cvss = page.getByRole('region', { name: 'CVSS' });
    expect(await cvss.getByRole('row', { name: /Researcher/ }).textContent()).toBe('ResearcherCVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N6.5Medium');
    expect(await cvss.getByRole('row', { name: /Triager/ }).textContent()).toBe('TriagerCVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N6.5Medium');
    const breach = page.getByRole('region', { name: 'Personal data reachable' });
    expect(await breach.getByRole('link').textContent()).toMatch(/^\S+$/);
    const thread = page.getByRole('region', { name: 'Thread' });
    expect(await thread.getByRole('listitem', { name: 'Comment' }).first().textContent()).toContain('Confirmed: the lookup still answers for any IMEI.');

    await thread.getByLabel('Write in the thread').fill('Fix deployed to staging; check the logs for other lookups before we close.');
    expect(await thread.getByLabel(/^Internal note/).isChecked()).toBe(true);
    await thread.getByRole('button', { name: 'Add the internal note' }).click();
    await thread.getByRole('listitem', { name: 'Internal note' }).waitFor();
    await page.reload();
    const note = page.getByRole('region', { name: 'Thread' }).getByRole('listitem', { name: 'Internal note' });
    expect(await note.textContent()).toMatch(/^Internal note.*Fix deployed to staging; check the logs/);
    await checkPage(page, 'bounty-report');

    // The award: the policy's suggestion filled in, then marked paid.
    const award = page.getByRole('region', { name: 'Reward' });
    expect(await award.textContent()).toContain('The policy suggests 1000 GBP (tier critical).');
    expect(await award.getByLabel('Amount').inputValue()).toBe('1000');
    await award.getByLabel('Bonus').fill('250');
    await award.getByRole('button', { name: 'Award' }).click();
    await award.getByText('Awarded 1250 GBP (1000 + bonus 250) Not paid yet').waitFor();
    await award.getByRole('button', { name: 'Mark as paid' }).click();
    await award.getByText(/^Paid \d+ \w+ \d{4}$/).waitFor();
    expect(await award.getByRole('button').count()).toBe(0);
  });

  it('triages a new report with a state, the triager’s vector and a comment, kept after a reload', async () => {
    await page.goto(`${served.console}/bounty/reports?state=new`);
    await reportRows(page).getByRole('link', { name: XSS }).click();
    await page.getByRole('heading', { name: XSS }).waitFor();
    const triage = page.getByRole('region', { name: 'Triage' });
    await triage.getByLabel('New state').selectOption('triaged');
    await triage.getByLabel('Triager’s CVSS vector').fill('CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N');
    await triage.getByLabel('Comment to the researcher (mailed)').fill('Reproduced: we are escaping review titles now.');
    await triage.getByRole('button', { name: 'Save the triage' }).click();
    await page.getByRole('region', { name: 'Thread' }).getByText('Reproduced: we are escaping review titles now.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: XSS }).waitFor();
    expect(await page.getByRole('region', { name: 'CVSS' }).getByRole('row', { name: /Triager/ }).textContent()).toBe('TriagerCVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N7.6High');
    expect(await page.getByText('Triaged', { exact: true }).first().isVisible()).toBe(true);

    // A bad vector is refused with the server's coded error, the form kept.
    await triage.getByLabel('Triager’s CVSS vector').fill('CVSS:3.1/AV:Q');
    await triage.getByRole('button', { name: 'Save the triage' }).click();
    await triage.getByRole('alert').waitFor();
    expect(await triage.getByLabel('Triager’s CVSS vector').inputValue()).toBe('CVSS:3.1/AV:Q');
    await checkPage(page, 'bounty-report-triaged');

    // The duplicate reopened, then closed again naming its original picked from the candidates.
    await page.goto(`${served.console}/bounty/reports?state=duplicate`);
    await reportRows(page).getByRole('link').first().click();
    await page.getByRole('heading', { name: 'IDOR: the IMEI lookup shows anyone’s order' }).waitFor();
    const original = (await page.getByRole('link', { name: /^B-/ }).first().textContent())!;
    await triage.getByLabel('New state').selectOption('triaged');
    await triage.getByRole('button', { name: 'Save the triage' }).click();
    await page.getByRole('heading', { name: 'IDOR: the IMEI lookup shows anyone’s order' }).locator('..').getByText('Triaged').waitFor();
    expect(await page.getByText('Duplicate of', { exact: true }).count()).toBe(0);
    await triage.getByLabel('New state').selectOption('duplicate');
    await triage.getByLabel('Duplicate of').selectOption(`${original}: ${IMEI}`);
    await triage.getByRole('button', { name: 'Save the triage' }).click();
    await page.getByRole('heading', { name: 'IDOR: the IMEI lookup shows anyone’s order' }).locator('..').getByText('Duplicate', { exact: true }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: original, exact: true }).waitFor();
    expect(await page.getByText(/^Duplicate of/).textContent()).toBe(`Duplicate of ${original}`);

    await page.goto(`${served.console}/bounty/reports?severity=high`);
    await expect.poll(() => status(page)).toBe('1 report, the longest waiting first');
    expect(await reportRows(page).textContent()).toMatch(new RegExp(`${XSS}.*High7\\.6Triaged`));
  });

  it('shows the response times per target as a table and a chart, for the period in the URL', async () => {
    await page.goto(`${served.console}/bounty/reports`);
    await page.getByRole('navigation', { name: 'Bug bounty' }).getByRole('link', { name: 'Response times' }).click();
    await page.waitForURL('**/bounty/metrics');
    // The demo's reports are from 2019: the last 365 days hold none.
    await expect.poll(() => status(page)).toMatch(/^No report \(spam left out\), submitted/);
    await page.getByLabel('Reports submitted since').fill('2019-01-01');
    await page.waitForURL('**/bounty/metrics?since=2019-01-01');
    await expect.poll(() => status(page)).toMatch(/^5 reports \(spam left out\), submitted 1 Jan 2019 – /);
    const rows = page.getByRole('row');
    expect(await rows.filter({ hasText: 'First response' }).textContent()).toMatch(/^First response2 days\d.* h.* h.*%\d+$/);
    expect(await rows.filter({ hasText: 'Resolution' }).textContent()).toMatch(/^Resolution90 days1/);
    await page.getByRole('img', { name: /^Hours per target: median, 90th percentile, target\. First response: [\d.]+, [\d.]+, 48; Triage: / }).waitFor();
    expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(4);
    await checkPage(page, 'bounty-metrics');

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Délais de réponse' }).waitFor();
    await checkPage(page, 'bounty-metrics-fr');
    await page.getByLabel('Langue').selectOption('en');
  });

  it('shows a viewer neither the bounty link nor its reports', async () => {
    const context = await demo.newContext();
    const viewer = await context.newPage();
    await viewer.goto(`${served.console}/bounty/reports`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.getByText('Bug bounty reports are for the triage team: your role may not read them.').waitFor();
    expect(await viewer.getByRole('table').count()).toBe(0);
    expect(await viewer.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    expect(await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bug bounty' }).count()).toBe(0);
    await checkPage(viewer, 'bounty-viewer');
    await context.close();
  });
});
