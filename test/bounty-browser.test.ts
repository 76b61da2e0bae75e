import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueResearcherLink, signUpResearcher } from '../src/accounts/index.ts';
import { generateSigningKey } from '../src/bounty/index.ts';
import type { OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startTestListeners } from './helpers/server.ts';

const PASSWORD = 'quartz-lantern-harbour-93';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake image bytes')]);

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

describe.skipIf(!HAS_CHROMIUM)(`a researcher's pages in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describeEachDatabase('researcher pages', (database) => {
    let ctx: OpenContext;
    let listeners: Listeners;
    let token: string;
    beforeAll(async () => {
      const opened = await database().context();
      ctx = { ...opened, config: { ...opened.config, bounty: BOUNTY, public_url: 'https://help.shop.example.com', shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
      const { researcher_id } = await signUpResearcher(ctx, { email: 'ada@research.example', password: PASSWORD, locale: 'fr', address: '127.0.0.1' });
      token = await issueResearcherLink(ctx, researcher_id, 'verify');
      listeners = await startTestListeners(ctx);
    });
    afterAll(async () => {
      await listeners?.close();
      await ctx?.close();
    });

    it('verifies, signs in, sends a report with a file through the forms, and answers in its thread; axe finds no serious problem on any page', async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => void dialogs.push(dialog.message()));
      const check = async (heading: string) => {
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
        const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
        expect(scrollWidth, heading).toBeLessThanOrEqual(innerWidth);
        const violations = await axeViolations(page);
        expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), heading).toEqual([]);
      };
      try {
        const base = listeners.publicUrl;
        await page.goto(`${base}/bounty/sign-up?lang=fr`);
        await check('Inscription des chercheurs');
        await page.goto(`${base}/bounty/reset?lang=fr`);
        await check('Réinitialiser votre mot de passe');
        await page.goto(`${base}/bounty/reset/confirm?lang=fr&token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`);
        await check('Choisir un nouveau mot de passe');
        await page.goto(`${base}/bounty/verify?lang=fr&token=${token}`);
        await check('Vérifier votre adresse');
        await page.getByRole('button', { name: 'Vérifier mon adresse' }).click();
        await check('Adresse vérifiée');
        await page.goto(`${base}/bounty/sign-in?lang=fr`);
        await check('Connexion des chercheurs');
        await page.getByLabel('E-mail').fill('ada@research.example');
        await page.getByLabel('Mot de passe').fill(PASSWORD);
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=fr$/);
        await check('Vos rapports');

        await page.getByRole('link', { name: 'Envoyer un nouveau rapport' }).click();
        await check('Nouveau rapport');
        await page.getByLabel('Actif').selectOption('api.shop.example.com');
        await page.getByLabel('Faiblesse (CWE)').fill('CWE-639');
        await page.getByLabel('Titre').fill('IMEI lookup <script>alert(1)</script>');
        await page.getByLabel('Description').fill('Any order.\n\n<img src=x onerror=alert(1)>\n\n```\nGET /api/aftersales/imei/1\n```');
        await page.getByLabel('Étapes de reproduction').fill('1. ask');
        await page.getByLabel('Impact').fill('**every** order');
        await page.getByLabel('Vecteur CVSS').fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
        await page.getByLabel('Pièces jointes').setInputFiles([{ name: 'shot 1.png', mimeType: 'text/html', buffer: PNG }]);
        await page.getByRole('button', { name: 'Envoyer le rapport' }).click();
        await page.waitForURL(/\/bounty\/reports\/B-[0-9A-Z-]+\?lang=fr$/);
        await check('IMEI lookup <script>alert(1)</script>');
        expect(await page.locator('main').textContent()).toContain('shot 1.png (image/png');
        expect(await page.locator('main img').count()).toBe(0);

        await page.getByLabel('Votre réponse').fill('More: *any* IMEI works.');
        await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\/B-[0-9A-Z-]+\?lang=fr$/);
        expect(await page.locator('.comment em').textContent()).toBe('any');
        await check('IMEI lookup <script>alert(1)</script>');

        await page.goto(`${base}/bounty/reports?lang=fr`);
        await page.getByRole('button', { name: 'Application d’authentification' }).click();
        await check('Application d’authentification');
        expect(dialogs).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
