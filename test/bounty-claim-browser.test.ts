import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpResearcher } from '../src/accounts/index.ts';
import { keepMailedReport, sendClaimReplies } from '../src/bounty/index.ts';
import type { Context, OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { startTestListeners } from './helpers/server.ts';

// The claim page of a report sent by email, in Chromium: a signed-in researcher opens the mailed
// link (its token in the fragment), claims the report and finds it among theirs. axe-core on each
// page, a screenshot of each.

const SCREENSHOTS = join(fileURLToPath(new URL('..', import.meta.url)), 'tmp', 'console-screenshots');
const PASSWORD = 'quartz-lantern-harbour-93';

describe.skipIf(!HAS_CHROMIUM)(`claiming a bug bounty report sent by email, in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describeEachDatabase('the claim page', (database) => {
    let opened: OpenContext;
    let ctx: Context;
    let sink: TestSmtpServer;
    let listeners: Listeners;
    let reference: string;
    let token: string;

    beforeAll(async () => {
      sink = await startSmtpServer();
      opened = await database().context();
      ctx = {
        ...opened,
        config: {
          ...opened.config,
          bounty: { ...BOUNTY, report_address: 'security@shop.example.com' },
          public_url: 'https://help.shop.example.com',
          shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] },
          sender: { ...opened.config.sender, from: 'desk@shop.example.com' },
          smtp: { ...opened.config.smtp, url: `smtp://127.0.0.1:${sink.port}` },
        },
      };
      const { researcher_id } = await signUpResearcher(ctx, { email: 'ada@research.example', password: PASSWORD, locale: 'en-GB', address: '127.0.0.1' });
      await ctx.db.updateTable('bounty_researchers').set({ email_verified_at: new Date().toISOString() }).where('id', '=', researcher_id).execute();
      const message = 'From: finder@example.org\r\nTo: security@shop.example.com\r\nSubject: Stored XSS in product reviews\r\n\r\nA review with <img src=x onerror=alert(1)> runs script.\r\n';
      reference = (await keepMailedReport(ctx, Buffer.from(message))).reference;
      await sendClaimReplies(ctx);
      const reply = await PostalMime.parse(sink.received.at(-1)!.raw);
      token = /\/bounty\/claim#([A-Za-z0-9_-]{43})/.exec(reply.text!)![1];
      listeners = await startTestListeners(ctx);
    });
    afterAll(async () => {
      await listeners?.close();
      await sink?.close();
      await opened?.close();
    });

    async function check(page: Page, heading: string, screenshot: string): Promise<void> {
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
      expect(scrollWidth, heading).toBeLessThanOrEqual(innerWidth);
      const violations = await axeViolations(page);
      expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), heading).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `bounty-${screenshot}-${database().dialect}.png`), fullPage: true });
    }

    it('claims the report with the link once signed in; without a token the page only says to open the link', async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      try {
        const base = listeners.publicUrl;
        await page.goto(`${base}/bounty/sign-in?lang=en-GB`);
        await page.getByLabel('Email').fill('ada@research.example');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=en-GB$/);

        await page.goto(`${base}/bounty/claim?lang=en-GB`);
        await check(page, 'Claim a report sent by email', 'claim-no-token');
        expect(await page.getByRole('button', { name: 'Claim the report' }).isVisible()).toBe(false);
        expect(await page.getByText('Open this page with the link from our reply to your email.').isVisible()).toBe(true);

        // In another language and back, the token stays with the page.
        await page.goto(`${base}/bounty/claim?lang=en-GB#${token}`);
        await page.locator('nav.languages a[hreflang="fr"]').click();
        await page.waitForURL(/lang=fr/);
        expect(new URL(page.url()).hash).toBe(`#${token}`);
        expect(await page.locator('#claim-form').isVisible()).toBe(true);
        await page.locator('nav.languages a[hreflang="en-GB"]').click();
        await page.waitForURL(/lang=en-GB/);
        await check(page, 'Claim a report sent by email', 'claim');
        await page.getByRole('button', { name: 'Claim the report' }).click();
        await check(page, 'Report claimed', 'claimed');
        expect(await page.locator('main').textContent()).toContain(`Report ${reference} is now in your account.`);
        await page.getByRole('link', { name: reference }).click();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Stored XSS in product reviews');
        // The description is text: the tag in it is shown, never run.
        expect(await page.locator('main').textContent()).toContain('<img src=x onerror=alert(1)>');
        expect(await page.locator('main img').count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  });
});
