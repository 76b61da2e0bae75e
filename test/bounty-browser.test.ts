import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/bounty/index.ts';
import type { OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startTestListeners } from './helpers/server.ts';

const VIEWPORTS = [
  { label: 'phone', width: 360, height: 740 },
  { label: 'desktop', width: 1280, height: 900 },
];

const VISITS = [
  { name: 'bounty', path: '/bounty?lang=en-GB', locale: 'en-GB', heading: 'Bug bounty programme' },
  { name: 'bounty-fr', path: '/bounty?lang=fr', locale: 'fr', heading: 'Programme de bug bounty' },
  { name: 'bounty-de', path: '/bounty?lang=de', locale: 'de', heading: 'Bug-Bounty-Programm' },
  { name: 'hall-of-fame', path: '/bounty/hall-of-fame?lang=it', locale: 'it', heading: 'Albo d’onore' },
];

describe.skipIf(!HAS_CHROMIUM)(`bug bounty pages in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describeEachDatabase('bounty pages', (database) => {
    let ctx: OpenContext;
    let listeners: Listeners;
    beforeAll(async () => {
      const opened = await database().context();
      ctx = { ...opened, config: { ...opened.config, bounty: BOUNTY, public_url: 'https://help.shop.example.com', shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
      await generateSigningKey(ctx);
      listeners = await startTestListeners(ctx);
    });
    afterAll(async () => {
      await listeners?.close();
      await ctx?.close();
    });

    describe.each(VISITS)('$name', ({ name, path, locale, heading }) => {
      it.each(VIEWPORTS)('fits a $label screen ($width px), loads nothing from elsewhere, runs no script, and axe finds no serious problem', async ({ label, width, height }) => {
        const context = await browser.newContext({ viewport: { width, height } });
        const page = await context.newPage();
        const elsewhere: string[] = [];
        page.on('request', (request) => void (request.url().startsWith(listeners.publicUrl) || elsewhere.push(request.url())));
        const dialogs: string[] = [];
        page.on('dialog', (dialog) => void dialogs.push(dialog.message()));
        try {
          await page.goto(`${listeners.publicUrl}${path}`);
          expect(await page.getAttribute('html', 'lang')).toBe(locale);
          expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
          expect(elsewhere).toEqual([]);
          expect(dialogs).toEqual([]);
          const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
          expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
          await page.screenshot({ path: `/tmp/bounty-${name}-${label}.png`, fullPage: true });
          const violations = await axeViolations(page);
          expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
        } finally {
          await context.close();
        }
      });
    });
  });
});
