import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, signIn, startConsoleDemo, type ConsoleDemo } from './helpers/console-demo.ts';

// Staff passkeys in the console, against a real `tocsin demo --serve` (its own SQLite database;
// the routes are tested on both databases in test/staff-passkeys.test.ts), with Chromium's
// virtual authenticator standing for the device's own (a platform authenticator that verifies
// its user). The console is reached at localhost: a passkey's relying party is a host name, and
// browsers refuse passkeys on an IP address (which the page says, at 127.0.0.1).

describe.skipIf(!HAS_CHROMIUM)(`staff passkeys in the console [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('passkey');
    base = demo.served.console.replace('127.0.0.1', 'localhost');
    context = await demo.newContext();
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));
  }, 300_000);

  afterAll(() => demo?.close());

  const status = () => page.getByRole('status').textContent();
  const alert = () => page.getByRole('alert').textContent();

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/sign-in**');
  }

  it('adds a passkey on the Account page; then the password alone is refused and the passkey signs in by itself', async () => {
    await page.goto(`${base}/incidents`);
    await signIn(page, demo.served.email, demo.served.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Passkeys', level: 2 }).waitFor();
    await page.getByText('No passkey yet.').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(status).toBe('Passkey added: from now on it signs you in by itself, without your password.');
    const row = page.locator('table.passkeys tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td').first().textContent(), 'never used yet').toBe('never');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    await checkPage(page, 'passkey-account-added');

    await signOut();
    await signIn(page, demo.served.email, demo.served.password);
    await expect.poll(alert).toBe('This account signs in with its passkey: use “Sign in with a passkey”.');
    await checkPage(page, 'passkey-sign-in-refused');

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/incidents');
    await page.getByRole('link', { name: 'Account' }).click();
    await expect.poll(() => row.locator('td').first().textContent(), { message: 'used just now' }).not.toBe('never');
  });

  it('says so when the passkey is not used (the person cancels, or the device does not verify them)', async () => {
    await signOut();
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    try {
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await expect.poll(alert, { timeout: 60_000 }).toBe('No passkey was used: the request was cancelled or timed out. Try again when ready.');
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      await checkPage(page, 'passkey-sign-in-cancelled');
    } finally {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    }
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/incidents');
  });

  it('removes the passkey: the device still holds it, but it signs in no more, and the password does again', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    const remove = page.getByRole('button', { name: /^Remove the passkey added / });
    page.once('dialog', (dialog) => void dialog.accept());
    await remove.click();
    await expect.poll(status).toBe('Passkey removed.');
    await page.getByText('No passkey yet.').waitFor();
    await checkPage(page, 'passkey-account-removed');

    await signOut();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(alert).toBe('This passkey does not sign in here: it may have been removed. Use another, or your password.');
    await signIn(page, demo.served.email, demo.served.password);
    await page.waitForURL('**/incidents');
  });

  it('at an IP address, says passkeys need the console’s name, and offers none (in French here)', async () => {
    const other = await demo.newContext({ locale: 'fr-FR' });
    try {
      const at = await other.newPage();
      await at.goto(`${demo.served.console}/sign-in`);
      const button = at.getByRole('button', { name: 'Se connecter avec une clé d’accès' });
      await button.waitFor();
      expect(await button.isDisabled()).toBe(true);
      expect(await at.getByText(/^Les clés d’accès fonctionnent/).textContent()).toBe(
        'Les clés d’accès fonctionnent avec le nom de la console, pas avec une adresse IP comme 127.0.0.1 : ouvrez la console par son nom (sur cet ordinateur, localhost).',
      );
      await checkPage(at, 'passkey-sign-in-ip-address-fr');
    } finally {
      await other.close();
    }
  });

  it('broke no CSP rule', () => {
    expect(demo.complaints).toEqual([]);
  });
});
