import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, signIn, startConsoleDemo, type ConsoleDemo, type Served } from './helpers/console-demo.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';

// The report inbox's "Import messages" form (what `tocsin phishing import` does) and the campaigns'
// watch-list downloads, against a real `tocsin demo --serve` (15 reports) and a DNS server that
// knows no name. The messages are real phish from the shared corpus, copied into a temporary
// directory beside files that are not mail.

const POT = '/work/shared/fixtures/phish-pot';
const PRIVACY = { email: 'import-dpo@shop.example.com', password: 'quartz-sonnet-lantern-3Vb7-officer' };
/** A file name that would be markup if the page wrote it as HTML. */
const HOSTILE_NAME = '"><img src=x onerror=window.pwned=1>.eml';

/** An mbox of these messages: a "From " line before each, and their own lines starting "From " quoted. */
function mbox(messages: Buffer[]): string {
  return messages.map((message) => `From reporter@shop.example.com Mon Jan  1 00:00:00 2024\n${message.toString('latin1').replace(/^(>*From )/gm, '>$1').trimEnd()}\n\n`).join('');
}

describe.skipIf(!HAS_CHROMIUM)(`phishing import in the console [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let dns: DnsServer;
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let page: Page;
  let files: string;

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'tocsin-phishing-import-'));
    writeFileSync(join(files, 'reported.eml'), readFileSync(join(POT, 'pot-001.eml')));
    writeFileSync(join(files, 'forwarded.mbox'), mbox([readFileSync(join(POT, 'pot-002.eml')), readFileSync(join(POT, 'pot-003.eml'))]), 'latin1');
    writeFileSync(join(files, 'scan.pdf'), Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
    // A picture renamed .eml: bytes the desk would keep and judge, stopped before they are sent.
    writeFileSync(join(files, HOSTILE_NAME), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    writeFileSync(join(files, 'empty.eml'), '');
    dns = await startDnsmasq({ a: {} });
    demo = await startConsoleDemo('phishing-import', { TOCSIN_PHISHING_DNS_SERVERS: dns.address });
    served = demo.served;
    demo.addUser(PRIVACY, 'privacy');
    admin = await demo.newContext();
    page = await admin.newPage();
  }, 300_000);

  afterAll(async () => {
    await demo?.close();
    await dns?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('imports an .eml and an mbox into the inbox, with their references and verdicts, and says why the other files were not imported', async () => {
    await page.goto(`${served.console}/phishing/reports`);
    await signIn(page, served.email, served.password);
    await page.waitForURL('**/phishing/reports');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('15 reports, newest first');
    const form = page.getByRole('region', { name: 'Import messages' });
    const chooser = page.waitForEvent('filechooser');
    await form.getByLabel('Messages (.eml, .mbox)').click();
    await (await chooser).setFiles(['reported.eml', 'forwarded.mbox', 'scan.pdf', HOSTILE_NAME, 'empty.eml'].map((name) => join(files, name)));
    await form.getByRole('button', { name: 'Import' }).click();

    const done = form.getByRole('status').filter({ hasText: 'reports imported' });
    await done.waitFor({ timeout: 120_000 });
    expect(await done.getByText('3 reports imported').count()).toBe(1);
    const references = await done.getByRole('link', { name: /^R-\w{4}-\w{4}-\w{4}$/ }).allTextContents();
    expect(new Set(references).size).toBe(3);
    // Each with its verdict (none of the corpus is genuine), and its campaign where it was clustered into one.
    expect(await done.getByRole('listitem').allTextContents()).toEqual(references.map((reference) => expect.stringMatching(new RegExp(`^${reference}(phishing|suspicious|spam|unknown)`))));

    const refused = form.getByRole('alert');
    expect(await refused.getByText('3 files not imported').count()).toBe(1);
    const why = await refused.getByRole('listitem').allTextContents();
    expect(why).toEqual([
      'scan.pdf: not a message: choose an .eml file or an mbox (.mbox).',
      `${HOSTILE_NAME}: not a message: it holds binary data, not the text of an email.`,
      expect.stringMatching(/^empty\.eml: \S.*message/),
    ]);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    // The inbox below shows them without a reload.
    await expect.poll(() => page.getByText('18 reports, newest first').count()).toBe(1);
    for (const reference of references) expect(await page.getByRole('table').getByText(reference, { exact: true }).count()).toBe(1);
    await checkPage(page, 'phishing-import');

    await done.getByRole('link', { name: references[0] }).click();
    await page.waitForURL(`**/phishing/reports/${references[0]}`);
    await page.getByRole('heading', { name: 'Why this verdict' }).waitFor();
  });

  it('downloads the watch list from the campaigns page in both formats', async () => {
    await page.goto(`${served.console}/phishing/campaigns`);
    await page.getByRole('table').getByRole('link', { name: /\S/ }).first().waitFor();
    await checkPage(page, 'phishing-import-campaigns');
    for (const [label, name, start] of [
      ['Watch list (CSV)', 'watch-list.csv', 'type,value,campaign,first_seen,campaign_last_seen,verdict'],
      ['Watch list (STIX 2.1)', 'watch-list.json', '{'],
    ] as const) {
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: label }).click();
      const saved = await download;
      expect(saved.suggestedFilename()).toBe(name);
      expect(readFileSync((await saved.path())!, 'utf8').startsWith(start)).toBe(true);
    }
  });

  it('shows no import form to a role that may read the reports but not add any', async () => {
    const context = await demo.newContext();
    const privacy = await context.newPage();
    await privacy.goto(`${served.console}/phishing/reports`);
    await signIn(privacy, PRIVACY.email, PRIVACY.password);
    await privacy.waitForURL('**/phishing/reports');
    await expect.poll(() => privacy.getByRole('status').textContent()).toBe('18 reports, newest first');
    expect(await privacy.getByRole('region', { name: 'Import messages' }).count()).toBe(0);
    expect(await privacy.getByRole('button', { name: 'Import' }).count()).toBe(0);
    await checkPage(privacy, 'phishing-import-privacy');
    await context.close();
  });
});
