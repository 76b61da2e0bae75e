import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { callApi, checkPage, startConsoleDemo, type ConsoleDemo, type Served } from './helpers/console-demo.ts';

// The report view's CVSS calculator and Disclosure panel against a real `tocsin demo --serve`
// (the routes are tested on both databases in bounty-outcomes.test.ts): the new stored XSS
// report is scored as its vector is typed, and the resolved open redirect is asked for, written
// up and published.

const XSS = 'Stored XSS in product reviews';
const REDIRECT = 'Open redirect after sign-out';

describe.skipIf(!HAS_CHROMIUM)(`bug bounty disclosure and CVSS calculator in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let page: Page;
  let references: Map<string, string>;

  beforeAll(async () => {
    demo = await startConsoleDemo('bounty-disclosure');
    served = demo.served;
    admin = await demo.signedIn(served.email, served.password);
    page = await admin.newPage();
    const queue = (await callApi(admin, served.console, 'GET', '/api/bounty/reports')) as { reports: { reference: string; title: string }[] };
    references = new Map(queue.reports.map((report) => [report.title, report.reference]));
  }, 300_000);

  afterAll(() => demo?.close());

  /** The Disclosure panel's row headed LABEL. */
  const row = (label: string) => page.getByRole('region', { name: 'Disclosure' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });

  const openReport = async (title: string) => {
    await page.goto(`${served.console}/bounty/reports/${references.get(title)}`);
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
  };

  it('scores the triager’s vector as it is typed, and says what is wrong with a bad one, hostile bytes as text', async () => {
    await openReport(XSS);
    const disclosure = page.getByRole('region', { name: 'Disclosure' });
    expect(await disclosure.textContent()).toBe('DisclosureOnly a resolved or informative report is disclosed, once its flaw cannot hurt anyone.');
    expect(await disclosure.getByRole('button').count()).toBe(0);

    const triage = page.getByRole('region', { name: 'Triage' });
    const vector = triage.getByLabel('Triager’s CVSS vector');
    await vector.fill('CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:Q');
    await triage.getByText(/metric A has the value "Q"; it takes N, L, H/).waitFor();
    expect(await vector.getAttribute('aria-invalid')).toBe('true');
    await vector.fill('CVSS:3.1/<img src=x onerror=alert(1)>');
    await triage.getByText(/is not a CVSS 3\.1 metric/).waitFor();
    expect(await triage.locator('img').count()).toBe(0);

    await vector.fill('CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N');
    await expect.poll(() => triage.getByRole('status').textContent()).toBe('CVSS 3.1: 7.6High');
    expect(await vector.getAttribute('aria-invalid')).not.toBe('true');
    await checkPage(page, 'bounty-cvss');
    // Scoring is no triage: nothing is saved until the form is sent.
    const report = (await callApi(admin, served.console, 'GET', `/api/bounty/reports/${references.get(XSS)}`)) as { triager_cvss: unknown };
    expect(report.triager_cvss).toBeNull();
  });

  it('asks for disclosure of a resolved report, writes its public text and publishes it once the researcher agreed', async () => {
    const reference = references.get(REDIRECT)!;
    await openReport(REDIRECT);
    const disclosure = page.getByRole('region', { name: 'Disclosure' });
    expect(await disclosure.textContent()).toContain('No one asked for this report to be disclosed yet.');
    await disclosure.getByRole('button', { name: 'Ask for disclosure' }).click();

    await row('Asked').waitFor();
    expect(await row('Asked').textContent()).toMatch(/^Asked.+ · by the team$/);
    expect(await row('Team agreed').textContent()).toContain(` · ${served.email}`);
    expect(await row('Researcher agreed').textContent()).toBe('Researcher agreednot yet');
    expect(await disclosure.getByRole('button', { name: /Ask for disclosure|Agree/ }).count()).toBe(0);
    const publish = disclosure.getByRole('button', { name: 'Publish the disclosure' });
    expect(await publish.isDisabled()).toBe(true);
    await disclosure.getByText('Write the public title and text first: only they are published.').waitFor();

    const title = 'Open redirect <b>after</b> sign-out';
    await disclosure.getByLabel('Public title').fill(title);
    await disclosure.getByLabel(/^Public text/).fill('Sign-out sent customers to any address.\n\n<script>alert(1)</script>');
    await disclosure.getByRole('button', { name: 'Save the public text' }).click();
    await disclosure.getByText('Saved.').waitFor();
    await disclosure.getByText('Waiting for the researcher’s agreement, or for the deadline.').waitFor();
    expect(await publish.isDisabled()).toBe(true);

    // The researcher agrees on their own page of the public listener, which the demo's researchers
    // (passwords no one knows) never sign in to: their agreement is written in the database instead.
    const database = new DatabaseSync(join(demo.workspace, 'data', 'tocsin.db'));
    database.prepare('UPDATE bounty_disclosures SET researcher_agreed_at = requested_at WHERE report_reference = ?').run(reference);
    database.close();
    await page.reload();
    await page.getByText('Both sides agreed, or the deadline passed: the team may publish.').waitFor();
    await page.getByRole('button', { name: 'Publish the disclosure' }).click();

    const published = row('Published');
    await published.getByRole('link').or(published.locator('code')).waitFor();
    expect(await page.getByRole('button', { name: 'Publish the disclosure' }).count()).toBe(0);
    const address = (await published.getByRole('link').or(published.locator('code')).textContent())!;
    expect(address).toMatch(new RegExp(`/bounty/disclosures/${reference}$`));
    // Still written after publication: a redaction found wanting is corrected.
    expect(await page.getByLabel('Public title').inputValue()).toBe(title);
    await checkPage(page, 'bounty-disclosure');

    const publicPage = await fetch(new URL(address, served.incidentPage));
    expect(publicPage.status).toBe(200);
    const html = await publicPage.text();
    expect(html).toContain('Open redirect &lt;b&gt;after&lt;/b&gt; sign-out');
    expect(html).not.toContain('<script>alert(1)');
  });
});
