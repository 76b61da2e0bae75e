import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAccount,
  authenticateResearcher,
  beginResearcherTotp,
  confirmResearcherTotp,
  issueResearcherLink,
  loginWithPasskey,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  registerPasskey,
  registerResearcherPasskey,
  removeResearcherSecondFactors,
  researcherLogin,
  researcherLoginWithPasskey,
  researcherPasskeyOptions,
  researcherPasskeySignInOptions,
  researcherView,
  securityLog,
  signUpResearcher,
  verifyResearcherEmail,
} from '../src/accounts/index.ts';
import type { OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { axeViolations, CHROMIUM, HAS_CHROMIUM, launchChromium } from './helpers/browser.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { SoftwareAuthenticator } from './helpers/passkey.ts';
import { json, startTestListeners } from './helpers/server.ts';

const PASSWORD = 'quartz-lantern-harbour-93';
const START = Date.parse('2026-03-02T09:00:00Z');
const PUBLIC = { id: 'help.shop.example', name: 'Tocsin', origin: 'https://help.shop.example' };
const STAFF = { id: 'tocsin.shop.example', name: 'Tocsin', origin: 'https://tocsin.shop.example' };

/** The error a promise fails with, as `CODE (kind)`. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const { code, kind } = error as { code?: string; kind?: string };
    return `${code} (${kind})`;
  }
  throw new Error('expected a failure');
}

describeEachDatabase('researcher passkeys and recovery codes', (database) => {
  let ctx: OpenContext;
  let clock = START;
  let n = 0;
  const address = () => `198.51.100.${++n}`;

  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date(clock), actor: 'root' });
  });
  afterAll(() => ctx?.close());

  /** A verified researcher, signed in with their password. */
  async function signedInResearcher(name: string, from: string) {
    const email = `${name}.${n}@research.example`;
    const { researcher_id } = await signUpResearcher(ctx, { email, password: PASSWORD, locale: 'en-GB', address: from });
    await verifyResearcherEmail(ctx, await issueResearcherLink(ctx, researcher_id, 'verify'));
    return { email, ...(await researcherLogin(ctx, { email, password: PASSWORD, address: from })) };
  }

  it('registers a passkey for a signed-in researcher, who then signs in with it alone; each challenge works once', async () => {
    const from = address();
    const { email, session_token, principal } = await signedInResearcher('ada', from);
    const device = new SoftwareAuthenticator(PUBLIC.origin, PUBLIC.id);
    const options = await researcherPasskeyOptions(ctx, principal.researcher_id, PUBLIC);
    expect(options).toMatchObject({ rp: { id: PUBLIC.id }, user: { name: email }, authenticatorSelection: { residentKey: 'required', userVerification: 'required' } });
    const registration = device.register(options);
    const registered = await registerResearcherPasskey(ctx, principal, registration, PUBLIC);
    expect(registered.passkey.id).toBe(device.id);
    expect(await authenticateResearcher(ctx, session_token), 'the session got a new token').toBeNull();
    expect((await authenticateResearcher(ctx, registered.session_token))?.researcher_id).toBe(principal.researcher_id);
    expect(await failure(registerResearcherPasskey(ctx, principal, registration, PUBLIC)), 'replayed').toBe('PASSKEY_CHALLENGE (conflict)');
    expect((await researcherView(ctx, principal.researcher_id)).two_factor).toEqual(['passkey']);

    const answer = device.authenticate(await researcherPasskeySignInOptions(ctx, PUBLIC));
    const signedIn = await researcherLoginWithPasskey(ctx, { response: answer, address: from }, PUBLIC);
    expect(signedIn.principal).toMatchObject({ kind: 'researcher', researcher_id: principal.researcher_id, email });
    expect((await authenticateResearcher(ctx, signedIn.session_token))?.researcher_id).toBe(principal.researcher_id);
    expect(await failure(researcherLoginWithPasskey(ctx, { response: answer, address: from }, PUBLIC)), 'replayed').toBe('PASSKEY_CHALLENGE (conflict)');
    expect(await failure(researcherLogin(ctx, { email, password: PASSWORD, address: from })), 'the password alone no longer opens it').toBe('PASSKEY_REQUIRED (unauthenticated)');
    expect(await failure(researcherLoginWithPasskey(ctx, { response: device.authenticate(await researcherPasskeySignInOptions(ctx, PUBLIC), 0x01), address: from }, PUBLIC)), 'without user verification').toBe('LOGIN_FAILED (unauthenticated)');

    const twice = await researcherPasskeyOptions(ctx, principal.researcher_id, PUBLIC);
    expect(twice.excludeCredentials).toEqual([{ id: device.id, type: 'public-key', transports: ['internal'] }]);
    expect(await failure(registerResearcherPasskey(ctx, signedIn.principal, device.register(twice), PUBLIC))).toBe('PASSKEY_EXISTS (conflict)');

    const removed = await removeResearcherSecondFactors(ctx, email);
    expect(removed.two_factor).toEqual([]);
    expect(await authenticateResearcher(ctx, signedIn.session_token), 'their sessions ended').toBeNull();
    expect(await failure(researcherLoginWithPasskey(ctx, { response: device.authenticate(await researcherPasskeySignInOptions(ctx, PUBLIC)), address: from }, PUBLIC))).toBe('LOGIN_FAILED (unauthenticated)');
    const failures = (await securityLog(ctx)).filter((row) => row.actor === `researcher:${principal.researcher_id}`).map((row) => row.details.reason);
    expect(failures).toContain('passkey_not_verified');
    expect(JSON.stringify(await securityLog(ctx)), 'the log never names a researcher by address').not.toContain(email);
  });

  it('refuses a passkey made for another origin, and answers to the other side of the house', async () => {
    const from = address();
    const { principal } = await signedInResearcher('bo', from);
    const phished = new SoftwareAuthenticator('https://help-shop.example', PUBLIC.id);
    expect(await failure(registerResearcherPasskey(ctx, principal, phished.register(await researcherPasskeyOptions(ctx, principal.researcher_id, PUBLIC)), PUBLIC))).toBe('PASSKEY_INVALID (invalid)');
    expect((await researcherView(ctx, principal.researcher_id)).two_factor).toEqual([]);

    const researcherDevice = new SoftwareAuthenticator(PUBLIC.origin, PUBLIC.id);
    await registerResearcherPasskey(ctx, principal, researcherDevice.register(await researcherPasskeyOptions(ctx, principal.researcher_id, PUBLIC)), PUBLIC);
    expect(await failure(researcherLoginWithPasskey(ctx, { response: phished.authenticate(await researcherPasskeySignInOptions(ctx, PUBLIC)), address: from }, PUBLIC)), 'unknown passkey').toBe('LOGIN_FAILED (unauthenticated)');

    const { account } = await addAccount(ctx, { email: `staff.${n}@shop.example`, role: 'viewer', password: 'velvet harbour quietly juggles 42 lanterns' });
    const staffDevice = new SoftwareAuthenticator(PUBLIC.origin, PUBLIC.id);
    await registerPasskey(ctx, account.id, staffDevice.register(await passkeyRegistrationOptions(ctx, account.id, PUBLIC)), PUBLIC);
    expect(await failure(researcherLoginWithPasskey(ctx, { response: staffDevice.authenticate(await researcherPasskeySignInOptions(ctx, PUBLIC)), address: from }, PUBLIC)), 'a staff passkey signs no researcher in').toBe('LOGIN_FAILED (unauthenticated)');
    expect(await failure(loginWithPasskey(ctx, { response: researcherDevice.authenticate(await passkeySignInOptions(ctx, PUBLIC)), address: from }, PUBLIC)), 'a researcher passkey signs no staff in').toBe('LOGIN_FAILED (unauthenticated)');
    expect(await failure(loginWithPasskey(ctx, { response: staffDevice.authenticate(await researcherPasskeySignInOptions(ctx, PUBLIC)), address: from }, PUBLIC)), "a researcher ceremony's challenge is no staff one").toBe('PASSKEY_CHALLENGE (conflict)');
    expect(await failure(researcherLoginWithPasskey(ctx, { response: researcherDevice.authenticate(await passkeySignInOptions(ctx, STAFF)), address: from }, PUBLIC)), "nor the other way round").toBe('PASSKEY_CHALLENGE (conflict)');
    expect(await failure(registerResearcherPasskey(ctx, principal, new SoftwareAuthenticator(PUBLIC.origin, PUBLIC.id).register(await passkeyRegistrationOptions(ctx, account.id, PUBLIC)), PUBLIC)), "a staff registration's challenge").toBe('PASSKEY_CHALLENGE (conflict)');

    for (const hostile of [{}, { response: null }, { response: { clientDataJSON: 42 } }, { response: { clientDataJSON: '%%%' } }]) {
      expect(await failure(registerResearcherPasskey(ctx, principal, hostile as never, PUBLIC))).toBe('PASSKEY_INVALID (invalid)');
      expect(await failure(researcherLoginWithPasskey(ctx, { response: hostile as never, address: '198.51.100.250' }, PUBLIC))).toBe('PASSKEY_INVALID (invalid)');
    }
  });

  it('gives ten recovery codes with the authenticator app, each signing in once, kept only as keyed hashes', async () => {
    const from = address();
    const { email, principal } = await signedInResearcher('cy', from);
    const enrolment = await beginResearcherTotp(ctx, principal.researcher_id);
    const app = new TOTP({ issuer: 'Tocsin', label: email, secret: Secret.fromBase32(enrolment.secret) });
    const { recovery_codes } = await confirmResearcherTotp(ctx, principal, app.generate({ timestamp: clock }));
    expect(recovery_codes).toHaveLength(10);
    expect(recovery_codes[0]).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(await failure(researcherLogin(ctx, { email, password: PASSWORD, address: from }))).toBe('OTP_REQUIRED (unauthenticated)');
    const signedIn = await researcherLogin(ctx, { email, password: PASSWORD, otp: recovery_codes[0]!.toUpperCase().replace('-', ' '), address: from });
    expect(signedIn.principal.researcher_id).toBe(principal.researcher_id);
    expect(await failure(researcherLogin(ctx, { email, password: PASSWORD, otp: recovery_codes[0]!, address: from })), 'used up').toBe('OTP_INVALID (unauthenticated)');
    await researcherLogin(ctx, { email, password: PASSWORD, otp: recovery_codes[1]!, address: from });

    const stored = JSON.stringify(await ctx.db.selectFrom('bounty_researcher_recovery_codes').selectAll().where('researcher_id', '=', principal.researcher_id).execute());
    for (const code of recovery_codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }
    await removeResearcherSecondFactors(ctx, email);
    expect(await ctx.db.selectFrom('bounty_researcher_recovery_codes').selectAll().where('researcher_id', '=', principal.researcher_id).execute()).toEqual([]);
    expect((await researcherLogin(ctx, { email, password: PASSWORD, address: from })).principal.researcher_id).toBe(principal.researcher_id);
  });
});

/** Where the run leaves a screenshot of each page, to be looked at. */
const SCREENSHOTS = join(import.meta.dirname, '..', 'tmp', 'console-screenshots');

/** A free port of 127.0.0.1: the public listener's, known before it starts, so that public_url (the passkeys' origin) can name it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!HAS_CHROMIUM)(`a researcher's passkey in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describeEachDatabase('passkey pages', (database) => {
    let ctx: OpenContext;
    let listeners: Listeners;
    let base: string;
    /** How far ahead of the wall clock the server's clock runs. */
    let skew = 0;
    beforeAll(async () => {
      const port = await freePort();
      // localhost, not 127.0.0.1: a passkey's relying party is a host name, never an IP address.
      base = `http://localhost:${port}`;
      const opened = await database().context({ now: () => new Date(Date.now() + skew) });
      ctx = { ...opened, config: { ...opened.config, bounty: BOUNTY, public_url: base, shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
      const { researcher_id } = await signUpResearcher(ctx, { email: 'ada@research.example', password: PASSWORD, locale: 'en-GB', address: '127.0.0.1' });
      await verifyResearcherEmail(ctx, await issueResearcherLink(ctx, researcher_id, 'verify'));
      const bo = await signUpResearcher(ctx, { email: 'bo@research.example', password: PASSWORD, locale: 'fr', address: '127.0.0.1' });
      await verifyResearcherEmail(ctx, await issueResearcherLink(ctx, bo.researcher_id, 'verify'));
      listeners = await startTestListeners(ctx, { public_listen: `127.0.0.1:${port}` });
    });
    afterAll(async () => {
      await listeners?.close();
      await ctx?.close();
    });

    it('adds a passkey on the reports page, then signs in with it alone; axe finds no serious problem', async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      });
      const refused: string[] = [];
      page.on('console', (message) => void (message.text().includes('Content Security Policy') && refused.push(message.text())));
      const check = async (heading: string, screenshot: string) => {
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
        const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
        expect(scrollWidth, heading).toBeLessThanOrEqual(innerWidth);
        await page.screenshot({ path: join(SCREENSHOTS, `researcher-passkey-${screenshot}-${database().dialect}.png`), fullPage: true });
        const violations = await axeViolations(page);
        expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), heading).toEqual([]);
      };
      try {
        await page.goto(`${base}/bounty/sign-in?lang=en-GB`);
        await page.getByLabel('Email').fill('ada@research.example');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=en-GB$/);
        // The page's script stands at the end of its body, not in its title.
        expect(await page.title()).toMatch(/^Your reports – /);

        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await expect.poll(() => page.getByRole('status').textContent()).toBe('Passkey added: from now on it signs you in by itself, without your password.');
        await check('Your reports', 'added');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/bounty\/sign-in\?lang=en-GB$/);

        await page.getByLabel('Email').fill('ada@research.example');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        expect(await page.locator('main').textContent(), 'the password alone no longer opens the account').toContain('This account signs in with its passkey: use “Sign in with a passkey”.');

        await page.goto(`${base}/bounty/sign-in?lang=en-GB`);
        await check('Researcher sign-in', 'sign-in');
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=en-GB$/);
        await check('Your reports', 'signed-in');
        expect(refused, 'nothing the page runs is refused by its policy').toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('answers over HTTP with coded errors: another origin, a bad answer, no session', async () => {
      const post = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { method: 'POST', ...init });
      const crossSite = await post('/api/bounty/session/passkey/options', { headers: { origin: 'https://help-shop.example' } });
      expect([crossSite.status, (await json(crossSite)).error.code]).toEqual([403, 'CROSS_ORIGIN']);
      const options = await post('/api/bounty/session/passkey/options');
      expect((await json(options)).options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
      const forged = await post('/api/bounty/session/passkey', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credential: { id: 'x', type: 'public-key', response: { clientDataJSON: 'e30' } } }) });
      expect([forged.status, (await json(forged)).error.code]).toEqual([400, 'PASSKEY_INVALID']);
      const shapeless = await post('/api/bounty/session/passkey', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credential: 'x' }) });
      expect(shapeless.status).toBe(400);
      const anonymous = await post('/api/bounty/passkeys/options');
      expect([anonymous.status, (await json(anonymous)).error.code]).toEqual([401, 'UNAUTHENTICATED']);
      expect((await fetch(`${base}/bounty/passkey.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    });

    it('adds a passkey or an authenticator app only within ten minutes of signing in, as staff do', async () => {
      const { researcher_id } = await signUpResearcher(ctx, { email: 'cy@research.example', password: PASSWORD, locale: 'en-GB', address: '127.0.0.1' });
      await verifyResearcherEmail(ctx, await issueResearcherLink(ctx, researcher_id, 'verify'));
      const signIn = await fetch(`${base}/api/bounty/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'cy@research.example', password: PASSWORD }) });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const post = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{}' });
      expect((await post('/api/bounty/passkeys/options')).status, 'at once').toBe(200);
      try {
        skew = 11 * 60_000;
        for (const path of ['/api/bounty/passkeys/options', '/api/bounty/session/totp']) {
          const refused = await post(path);
          expect([refused.status, (await json(refused)).error.code], path).toEqual([403, 'SIGN_IN_AGAIN']);
        }
        const page = await post('/api/bounty/session/totp', { accept: 'text/html' });
        expect(page.status).toBe(403);
        expect(await page.text()).toContain('only within 10 minutes of signing in: sign out, sign in again, then retry.');
        expect((await fetch(`${base}/api/bounty/session`, { headers: { cookie } })).status, 'the session itself lives on').toBe(200);
      } finally {
        skew = 0;
      }
    });

    it('shows ten recovery codes once the authenticator app is on, and one signs in in place of its code', async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/bounty/sign-in?lang=fr`);
        await page.getByLabel('E-mail').fill('bo@research.example');
        await page.getByLabel('Mot de passe').fill(PASSWORD);
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=fr$/);
        await page.getByRole('button', { name: 'Application d’authentification' }).click();
        const secret = (await page.locator('main code').textContent())!;
        const app = new TOTP({ issuer: 'Tocsin', label: 'bo@research.example', secret: Secret.fromBase32(secret) });
        await page.getByLabel('Code de l’application').fill(app.generate());
        await page.getByRole('button', { name: 'Activer' }).click();
        expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Codes de secours');
        const codes = await page.locator('.recovery-codes code').allTextContents();
        expect(codes).toHaveLength(10);
        await page.screenshot({ path: join(SCREENSHOTS, `researcher-recovery-codes-${database().dialect}.png`), fullPage: true });
        const violations = await axeViolations(page);
        expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);

        await page.goto(`${base}/bounty/sign-in?lang=fr`);
        await context.clearCookies();
        await page.getByLabel('E-mail').fill('bo@research.example');
        await page.getByLabel('Mot de passe').fill(PASSWORD);
        await page.getByLabel('Code d’authentification').fill(codes[3]!);
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        await page.waitForURL(/\/bounty\/reports\?lang=fr$/);
      } finally {
        await context.close();
      }
    });
  });
});
