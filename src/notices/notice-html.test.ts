import type { Browser } from 'playwright-core';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../../test/helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../domain/index.ts';
import { renderNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { BUILT_IN_TEMPLATES_DIR } from './template-set.ts';
import { loadVariantSets } from './variant-sets.ts';

const sets = loadVariantSets([BUILT_IN_TEMPLATES_DIR]);
/** Every built-in notice: the base set's locales (`default` writes with the same ones as `gdpr`) and each variant's. */
const NOTICES = (['gdpr', 'us-ca', 'us-ma'] as const).flatMap((variant) => [...sets[variant].locales.keys()].map((locale) => [variant, locale] as const));
const VIEWPORTS = [
  { label: 'phone', width: 375, height: 740 },
  { label: 'desktop', width: 1280, height: 900 },
];

/** The longest notice: every category, and values with long unbreakable runs. */
const longest = {
  ...SAMPLE_NOTICE_VARS[0],
  exposed: CATEGORIES,
  notExposed: [],
  name: 'Maximilian-Alexander Wolfeschlegelsteinhausenbergerdorff-Schmidt',
  controller: 'Telekommunikationsendgerätefachhandelsgesellschaft mbH',
  contactEmail: 'datenschutzbeauftragter.kundenservice@telekommunikationsendgeraete.example',
  verifyAddress: 'sicherheit.telekommunikationsendgeraete.example/verifizierung',
};

describe.skipIf(!HAS_CHROMIUM)(`notice HTML in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describe.each(NOTICES)('%s %s', (variant, locale) => {
    it.each(VIEWPORTS)('fits a $label screen ($width px) with every heading visible', async ({ width, height }) => {
      const { html } = renderNotice(sets[variant], locale, longest);
      // Mail clients run no scripts and load nothing by default; neither does this page.
      const page = await browser.newPage({ viewport: { width, height }, javaScriptEnabled: false });
      try {
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html);
        // A string, because this project compiles without the DOM's types.
        const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
        expect(scrollWidth).toBeLessThanOrEqual(innerWidth);

        const headings = page.locator('h1, h2');
        expect(await headings.count()).toBe(6);
        for (const heading of await headings.all()) {
          await expect.poll(() => heading.isVisible()).toBe(true);
          const box = (await heading.boundingBox())!;
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(width);
        }
        const column = (await page.locator('.notice').boundingBox())!;
        expect(column.width).toBeLessThanOrEqual(600);

        // A full-page screenshot is as wide as the content: wider than the screen means it overflowed.
        const screenshot = await page.screenshot({ fullPage: true });
        expect(screenshot.readUInt32BE(16)).toBe(width);
      } finally {
        await page.close();
      }
    });
  });
});
