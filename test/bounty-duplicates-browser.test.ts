import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueResearcherLink, signUpResearcher, verifyResearcherEmail } from '../src/accounts/index.ts';
import { submitReport, triageReport, type ReportFields } from '../src/bounty/index.ts';
import type { Context, OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startTestListeners } from './helpers/server.ts';

const PASSWORD = 'quartz-lantern-harbour-93';
const SCREENSHOTS = 'tmp/console-screenshots';

const IMEI_LOOKUP: ReportFields = {
  asset: 'api.shop.example.com',
  weakness: 'CWE-639',
  title: 'After-sales IMEI lookup returns other customers’ orders',
  description: '`GET /api/aftersales/imei/356938035643809` returns the order, name, phone and address of whoever bought the phone.',
  steps: '1. Sign in.\n2. Look up an IMEI that is not yours.',
  impact: 'Every customer’s order and address can be read.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
};

describe.skipIf(!HAS_CHROMIUM)(`a duplicate's page in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(() => browser?.close());

  describeEachDatabase('duplicate page', (database) => {
    let base: OpenContext;
    let ctx: Context;
    let listeners: Listeners;
    let now = new Date('2026-11-20T09:00:00Z');
    beforeAll(async () => {
      base = await database().context({ now: () => now });
      ctx = { ...base, config: { ...base.config, bounty: BOUNTY, public_url: 'https://help.shop.example.com', shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
      listeners = await startTestListeners(ctx);
    });
    afterAll(async () => {
      await listeners?.close();
      await base?.close();
    });

    it('tells the researcher the original’s submission time and state, on a phone screen, and axe finds no serious problem', async () => {
      const ada = (await signUpResearcher(ctx, { email: 'ada@research.example', password: PASSWORD, locale: 'en-GB', address: '127.0.0.1' })).researcher_id;
      const bob = (await signUpResearcher(ctx, { email: 'bob@research.example', password: PASSWORD, locale: 'de', address: '127.0.0.1' })).researcher_id;
      await verifyResearcherEmail(ctx, await issueResearcherLink(ctx, bob, 'verify'));
      const original = (await submitReport(ctx, ada, IMEI_LOOKUP, [], '127.0.0.1')).reference;
      now = new Date('2026-11-21T14:30:00Z');
      const duplicate = (await submitReport(ctx, bob, { ...IMEI_LOOKUP, title: 'IMEI lookup shows anyone’s order' }, [], '127.0.0.1')).reference;
      await triageReport(ctx, original, { state: 'triaged' });
      await triageReport(ctx, duplicate, { state: 'duplicate', duplicate_of: original, comment: 'Reported earlier by another researcher.' });

      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      try {
        await page.goto(`${listeners.publicUrl}/bounty/sign-in?lang=de`);
        await page.getByLabel('E-Mail').fill('bob@research.example');
        await page.getByLabel('Passwort').fill(PASSWORD);
        await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=de$/);
        await page.goto(`${listeners.publicUrl}/bounty/reports/${duplicate}?lang=de`);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('IMEI lookup shows anyone’s order');
        expect(await page.locator('main > p').first().textContent()).toBe(`Sie ist ein Duplikat der Meldung ${original}, eingereicht am 20. November 2026 um 09:00 UTC, Status: Geprüft.`);
        expect(await page.locator('main').textContent()).not.toContain(IMEI_LOOKUP.title);
        const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
        expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
        await page.screenshot({ path: `${SCREENSHOTS}/bounty-duplicate-${database().dialect}.png`, fullPage: true });
        const violations = await axeViolations(page);
        expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
