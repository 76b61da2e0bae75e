import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpResearcher } from '../src/accounts/index.ts';
import { awardReport, publishDisclosure, requestDisclosure, submitReport, triageReport, writeDisclosureText } from '../src/bounty/index.ts';
import type { Context, OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startTestListeners } from './helpers/server.ts';

// The bug bounty's public pages of response times and disclosures, and a researcher's award and
// disclosure on their report, in Chromium: one browser for the file, axe-core on each page, a screenshot of each.

const SCREENSHOTS = join(fileURLToPath(new URL('..', import.meta.url)), 'tmp', 'console-screenshots');
const PASSWORD = 'quartz-lantern-harbour-93';
const FIELDS = {
  asset: 'api.shop.example.com',
  weakness: 'CWE-639',
  description: 'SECRET-RESEARCHER-WORDS: any order is readable.',
  steps: '1. `GET /api/aftersales/imei/1`',
  impact: 'Every customer’s address.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
};

describe.skipIf(!HAS_CHROMIUM)(`bug bounty response times and disclosures in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describeEachDatabase('bounty public pages', (database) => {
    let opened: OpenContext;
    let ctx: Context;
    let listeners: Listeners;
    let awarded: string;
    let published: string;

    beforeAll(async () => {
      opened = await database().context();
      ctx = { ...opened, config: { ...opened.config, bounty: BOUNTY, public_url: 'https://help.shop.example.com', shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
      const { researcher_id } = await signUpResearcher(ctx, { email: 'ada@research.example', password: PASSWORD, locale: 'fr', address: '127.0.0.1' });
      await ctx.db.updateTable('bounty_researchers').set({ email_verified_at: new Date().toISOString() }).where('id', '=', researcher_id).execute();
      const earlier = (hours: number): Context => ({ ...ctx, now: () => new Date(Date.now() - hours * 3_600_000) });
      // Answered after 6 hours, triaged after 20, awarded, then resolved.
      awarded = (await submitReport(earlier(200), researcher_id, { ...FIELDS, title: 'Lecture des commandes par IMEI' }, [], '127.0.0.1')).reference;
      await triageReport(earlier(194), awarded, { comment: 'Merci, nous regardons.' });
      await triageReport(earlier(180), awarded, { state: 'triaged', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' });
      await awardReport(earlier(100), awarded, { amount: 3000, bonus: 500 });
      await triageReport(earlier(50), awarded, { state: 'resolved' });
      // Another, disclosed by both sides with the team's redacted text.
      published = (await submitReport(earlier(150), researcher_id, { ...FIELDS, title: 'SECRET-TITLE' }, [], '127.0.0.1')).reference;
      await triageReport(earlier(140), published, { state: 'resolved' });
      await requestDisclosure(ctx, published, { kind: 'team' });
      await requestDisclosure(ctx, published, { kind: 'researcher', researcher_id });
      await writeDisclosureText(ctx, published, { title: 'Commandes lisibles par IMEI', text: 'La recherche par IMEI renvoyait **toute** commande.\n\n- corrigé le 2 mars\n- aucune donnée sortie' });
      await publishDisclosure(ctx, published);
      listeners = await startTestListeners(ctx);
    });
    afterAll(async () => {
      await listeners?.close();
      await opened?.close();
    });

    /** The page's heading, width and accessibility, and its screenshot; a public page (not the researcher's own) never shows the researcher's words. */
    async function check(page: Page, heading: string, screenshot: string, publicPage = true): Promise<void> {
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
      expect(scrollWidth, heading).toBeLessThanOrEqual(innerWidth);
      const violations = await axeViolations(page);
      expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), heading).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `bounty-${screenshot}-${database().dialect}.png`), fullPage: true });
      if (publicPage) expect(await page.locator('main').textContent()).not.toContain('SECRET');
    }

    it('shows the measured response times, the disclosures and one disclosed report; a researcher sees their award and agrees to a disclosure', async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      const elsewhere: string[] = [];
      page.on('request', (request) => void (request.url().startsWith(listeners.publicUrl) || elsewhere.push(request.url())));
      try {
        const base = listeners.publicUrl;
        await page.goto(`${base}/bounty?lang=en-GB`);
        await page.getByRole('link', { name: 'Our measured response times' }).click();
        await check(page, 'Our measured response times', 'response-times');
        const firstResponse = page.getByRole('row', { name: /^First response/ });
        // Answered after 6 and 10 hours: the median between, the 90th percentile the slower.
        expect(await firstResponse.getByRole('cell').allTextContents()).toEqual(['2 days', '8 hours', '10 hours', '100%', '0']);

        await page.goto(`${base}/bounty/disclosures?lang=fr`);
        await check(page, 'Rapports publiés', 'disclosures');
        await page.getByRole('link', { name: 'Commandes lisibles par IMEI' }).click();
        await check(page, 'Commandes lisibles par IMEI', 'disclosure');
        expect(await page.locator('.markdown strong').textContent()).toBe('toute');

        await page.goto(`${base}/bounty/sign-in?lang=fr`);
        await page.getByLabel('E-mail').fill('ada@research.example');
        await page.getByLabel('Mot de passe').fill(PASSWORD);
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=fr$/);
        await page.getByRole('link', { name: awarded }).click();
        await check(page, 'Lecture des commandes par IMEI', 'researcher-award', false);
        expect(await page.locator('main').textContent()).toMatch(/3\s500\s€ \(dont un bonus de 500\s€\), pas encore payée/u);
        await page.getByRole('button', { name: 'Demander la divulgation' }).click();
        await page.waitForURL(new RegExp(`/bounty/reports/${awarded}\\?lang=fr$`));
        expect(await page.locator('main').textContent()).toContain('Vous avez demandé la divulgation.');
        expect(await page.getByRole('button', { name: /divulgation/ }).count()).toBe(0);
        await check(page, 'Lecture des commandes par IMEI', 'researcher-disclosure', false);
        expect(elsewhere).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
