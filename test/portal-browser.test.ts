import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { DEMO_NARRATIVES } from '../src/demo/narratives.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { SAMPLE_NOTICE_VARS } from '../src/notices/sample-notice-vars.ts';
import { codeHash, codeSubjectHash, deriveCode } from '../src/notices/verification-code.ts';
import { PORTAL_WORDS } from '../src/portal/index.ts';
import type { PageContent } from '../src/portal/incident-page.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { startTestListeners } from './helpers/server.ts';

const VIEWPORTS = [
  { label: 'phone', width: 360, height: 740 },
  { label: 'desktop', width: 1280, height: 900 },
];

/** Each page as a visitor reaches it: by its address, or by sending the form before it. */
const VISITS: { name: string; locale: string; visit: (page: Page, base: string, notice: { email: string; code: string }) => Promise<unknown> }[] = [
  { name: 'home', locale: 'de', visit: (page, base) => page.goto(`${base}/?lang=de`) },
  { name: 'verify', locale: 'fr', visit: (page, base) => page.goto(`${base}/verify?lang=fr`) },
  {
    name: 'verify-genuine',
    locale: 'en-GB',
    visit: async (page, base, notice) => {
      await page.goto(`${base}/verify`);
      await page.getByLabel('Email address the message was sent to').fill(notice.email);
      await page.getByLabel('Verification code').fill(notice.code.toLowerCase());
      await Promise.all([page.waitForURL('**/api/portal/verify**'), page.getByRole('button', { name: 'Check' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Yes, this email is from us');
    },
  },
  {
    name: 'verify-unknown',
    locale: 'es',
    visit: async (page, base, notice) => {
      await page.goto(`${base}/verify?lang=es`);
      await page.locator('#email').fill(notice.email);
      await page.locator('#code').fill('7KQ2M-X9D4H-RT8Z');
      await Promise.all([page.waitForURL('**/api/portal/verify**'), page.locator('button').click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Revise el código por si hay una errata');
    },
  },
  { name: 'lookup', locale: 'it', visit: (page, base) => page.goto(`${base}/lookup?lang=it`) },
  {
    name: 'lookup-done',
    locale: 'fr',
    visit: async (page, base) => {
      await page.goto(`${base}/?lang=fr`);
      await Promise.all([page.waitForURL('**/lookup?lang=fr'), page.getByRole('link', { name: 'Suis-je concerné ?' }).click()]);
      await page.getByLabel('Votre adresse e-mail').fill('quelqu.un@example.org');
      await Promise.all([page.waitForURL('**/api/portal/lookup**'), page.getByRole('button', { name: 'Envoyez-moi la réponse' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Nous avons envoyé la réponse à cette adresse');
    },
  },
  { name: 'report', locale: 'en-US', visit: (page, base) => page.goto(`${base}/report?lang=en-US`) },
  {
    name: 'report-done',
    locale: 'de',
    visit: async (page, base) => {
      await page.goto(`${base}/report?lang=de`);
      await page.getByLabel('Die Nachricht als Datei (.eml)').setInputFiles({ name: 'suspicious.eml', mimeType: 'message/rfc822', buffer: Buffer.from('From: a@examp1e.example\r\nSubject: Your account\r\n\r\n<script>alert(1)</script>\r\n') });
      await page.getByLabel('Ihre E-Mail-Adresse, wenn Sie eine Antwort wünschen (optional)').fill('ana@example.com');
      await Promise.all([page.waitForURL('**/api/portal/reports**'), page.getByRole('button', { name: 'Meldung senden' }).click()]);
      expect(await page.locator('.reference').textContent()).toMatch(/^R-\w{4}-\w{4}-\w{4}$/);
    },
  },
  { name: 'not-found', locale: 'it', visit: (page, base) => page.goto(`${base}/no-such-page?lang=it`) },
  {
    name: 'incident',
    locale: 'fr',
    visit: async (page, base) => {
      await page.goto(`${base}/?lang=fr`);
      await Promise.all([page.waitForURL('**/incidents/**'), page.getByRole('link', { name: 'En savoir plus sur l’incident de sécurité' }).click()]);
      expect(await page.getByRole('heading', { level: 3 }).first().textContent()).toBe('Mes données de carte sont-elles concernées ?');
    },
  },
  { name: 'incident', locale: 'en-US', visit: (page, base) => page.goto(`${base}/incidents/orders-2019?lang=en-US`) },
];

describe.skipIf(!HAS_CHROMIUM)(`portal pages in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describeEachDatabase('portal', (database) => {
    let ctx: OpenContext;
    let listeners: Listeners;
    const notice = { email: 'ana.garcia@example.com', code: '' };
    beforeAll(async () => {
      ctx = await database().context();
      const incident = await createIncident(ctx, { title: 'Orders read', aware_at: '2019-11-14T16:00:00Z' });
      const secret = loadSecret(ctx.dataDir, ctx.config);
      notice.code = deriveCode(secret, incident.id, notice.email);
      const { verificationCode: _, ...vars } = SAMPLE_NOTICE_VARS[0];
      await ctx.db
        .insertInto('notices')
        .values({
          incident_id: incident.id, subject: notice.email, seq: 1, run: 1, email: notice.email, locale: 'en-GB', variant: 'default', vars: JSON.stringify(vars), templates_sha256: '',
          code_hash: codeHash(notice.code as never, secret), code_subject_hash: codeSubjectHash(notice.code as never, notice.email, secret),
          state: 'sent', attempts: 1, sent_at: '2019-11-15T10:00:00.000Z', created_at: '2019-11-15T09:00:00.000Z', updated_at: '2019-11-15T10:00:00.000Z',
        })
        .execute();
      // A published page as publishing stores it (test/portal-page.test.ts publishes one from a real scope run).
      const content: PageContent = {
        slug: 'orders-2019',
        published_at: '2019-11-25T10:00:00.000Z',
        occurred_from: '2019-11-01T00:00:00.000Z',
        occurred_to: '2019-11-14T00:00:00.000Z',
        discovered_at: '2019-11-14T09:00:00.000Z',
        contact_email: 'dpo@shop.example.com',
        contact_phone: '+33 1 23 45 67 89',
        exposed: ['name', 'email', 'phone', 'postal_address'],
        not_exposed: ['payment_card_number', 'password_hash'],
        reported_to: ['CNIL'],
        locales: Object.fromEntries(
          [...PORTAL_WORDS.keys()].map((locale) => [
            locale,
            {
              narrative: DEMO_NARRATIVES[locale.slice(0, 2)],
              faq: locale === 'fr' ? '## Mes données de carte sont-elles concernées ?\n\nNon. Les numéros de carte ne figuraient pas dans les commandes consultées.\n\n## Dois-je changer mon mot de passe ?\n\nCe n’est pas nécessaire : les mots de passe ne sont **pas** concernés. Voir [notre page](/verify).\n' : null,
            },
          ]),
        ),
      };
      await ctx.db.insertInto('portal_pages').values({ incident_id: incident.id, slug: content.slug, published_at: content.published_at, content: JSON.stringify(content) }).execute();
      const logo = join(mkdtempSync(join(tmpdir(), 'tocsin-logo-')), 'logo.svg');
      writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#ffffff"/><path d="M12 20h16" stroke="#8a1538" stroke-width="5"/></svg>');
      listeners = await startTestListeners(ctx, { shop: { name: 'Example Phone Shop', domains: ['shop.example.com'], logo, colours: { primary: '#8a1538' } } });
    });
    afterAll(async () => {
      await listeners?.close();
      await ctx?.close();
    });

    describe.each(VISITS)('$name', ({ name, locale, visit }) => {
      it.each(VIEWPORTS)('fits a $label screen ($width px), loads nothing from elsewhere, and axe finds no serious problem', async ({ label, width, height }) => {
        const context = await browser.newContext({ viewport: { width, height }, locale: locale === 'en-GB' ? 'en-GB' : 'en-US' });
        const page = await context.newPage();
        const elsewhere: string[] = [];
        page.on('request', (request) => void (request.url().startsWith(listeners.publicUrl) || elsewhere.push(request.url())));
        try {
          await visit(page, listeners.publicUrl, notice);
          expect(await page.getAttribute('html', 'lang')).toBe(locale);
          expect(elsewhere).toEqual([]);
          const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
          expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
          // The stylesheet applied: the layout's column is narrower than a desktop screen.
          expect((await page.locator('main').boundingBox())!.width).toBeLessThanOrEqual(Math.min(width, 640));
          await page.screenshot({ path: `/tmp/portal-${name}-${locale}-${label}.png`, fullPage: true });

          const violations = await axeViolations(page);
          expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
        } finally {
          await context.close();
        }
      });
    });
  });
});
