import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../scripts/build-console.ts';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { tocsinMain } from './helpers/cli.ts';
import { checkPage, signIn, startConsoleDemo, VIEWER, type ConsoleDemo, type Served } from './helpers/console-demo.ts';

// The console against a real `tocsin demo --serve` (its own SQLite database, as npm start runs it: this
// file has no PostgreSQL half; the routes it reads are tested on both databases elsewhere). One server
// and one browser for the whole file; each page is checked with axe-core and saved as a screenshot.

const DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const INITIAL_JS_BUDGET = 300 * 1024;

describe('console build', () => {
  beforeAll(() => ensureConsoleBuilt(), 300_000);

  it('loads under 300 KB of gzipped JavaScript first, all of it from files (no inline script)', () => {
    const page = readFileSync(join(DIST, 'index.html'), 'utf8');
    expect(page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const initial = [...page.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((match) => match[1]);
    expect(initial.length).toBeGreaterThan(0);
    const gzipped = initial.reduce((sum, file) => sum + gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThan(INITIAL_JS_BUDGET);
  });
});

describe.skipIf(!HAS_CHROMIUM)(`console in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let page: Page;
  /** Every URL the pages asked for, across the file. */
  const requested: string[] = [];

  beforeAll(async () => {
    demo = await startConsoleDemo('main');
    served = demo.served;
    demo.addUser(VIEWER, 'viewer');
    admin = await newContext();
    page = await admin.newPage();
  }, 300_000);

  afterAll(() => demo?.close());

  /** One of the demo's contexts, whatever its pages ask for kept in `requested`. */
  async function newContext(options?: BrowserContextOptions): Promise<BrowserContext> {
    const context = await demo.newContext(options);
    context.on('request', (request) => requested.push(request.url()));
    return context;
  }

  /** Presses Tab until the focused element's text is `name`; false if it never is within 60 presses. */
  async function tabTo(on: Page, name: string): Promise<boolean> {
    for (let presses = 0; presses < 60; presses++) {
      await on.keyboard.press('Tab');
      const focused = await on.evaluate<string>("document.activeElement?.innerText?.trim() ?? ''");
      if (focused === name) return true;
    }
    return false;
  }

  /** A context's cookies as a Cookie header, for requests outside the browser. */
  async function cookieOf(context: BrowserContext): Promise<string> {
    return (await context.cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
  }

  it('sends a visitor to sign in, says so when the password is wrong, then shows the incidents with their live deadline', async () => {
    await page.clock.install();
    await page.goto(served.console);
    await page.waitForURL('**/sign-in**');
    await checkPage(page, 'sign-in');
    await signIn(page, served.email, `${served.password}x`);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The email or password is wrong.');
    await checkPage(page, 'sign-in-failed');

    await signIn(page, served.email, served.password);
    await page.waitForURL('**/incidents');
    const row = page.getByRole('row', { name: /Order data read through the after-sales IMEI lookup/ });
    await expect.poll(() => row.textContent()).toMatch(/overdue by [\d,]+d \d+h/);
    expect(await row.textContent()).toMatch(/Open.*19/);
    // The countdown is live: it moves with the page's clock (run three hours ahead here).
    const before = await row.getByText(/overdue by/).textContent();
    await page.clock.fastForward('03:00:00');
    await expect.poll(() => row.getByText(/overdue by/).textContent()).not.toBe(before);
    await checkPage(page, 'incidents');
  });

  it('keeps the status filter in the URL', async () => {
    await page.getByText('Closed', { exact: true }).click();
    await page.waitForURL('**/incidents?status=closed');
    await expect.poll(() => page.getByText('No incident matches.').isVisible()).toBe(true);
    await page.goto(`${served.console}/incidents?status=open`);
    await page.getByRole('row', { name: /Order data read/ }).waitFor();
    expect(await page.getByRole('radio', { name: 'Open' }).isChecked()).toBe(true);
  });

  it('opens an incident from the keyboard alone', async () => {
    await page.goto(`${served.console}/incidents`);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    expect(await tabTo(page, 'New incident')).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Open an incident' }).waitFor();
    await checkPage(page, 'incident-create');
    await page.keyboard.type('Gift card codes leaked <script>alert(1)</script>');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/incidents\/[0-9a-z]{6}$/);
    await page.getByRole('heading', { name: 'Gift card codes leaked <script>alert(1)</script>' }).waitFor();
    expect(await page.getByText('The clocks appear once a scope run').isVisible()).toBe(true);
    const stages = await page.locator('.pipeline li').allInnerTexts();
    expect(stages.map((stage) => stage.replace(/\s+/g, ' ').trim())).toEqual(['→ Records imported next', '· Affected people scoped to do', '· Notices built to do', '· Notices approved to do', '· Notices sent to do', '· Authorities told to do']);
    await checkPage(page, 'incident-new');
  });

  it("shows the demo incident's pipeline and clocks, and edits its timeline with the change audited", async () => {
    await page.goto(`${served.console}/incidents`);
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.waitForURL(/\/incidents\/[0-9a-z]{6}$/);
    const id = page.url().split('/').at(-1)!;
    // The list stays on screen while the overview loads: wait for the overview's own parts.
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    await page.getByRole('row', { name: /^FR / }).waitFor();
    const stages = await page.locator('.pipeline li').allInnerTexts();
    expect(stages.map((stage) => stage.replace(/\s+/g, ' ').trim())).toEqual(['✓ Records imported done', '✓ Affected people scoped done', '✓ Notices built done', '✓ Notices approved done', '✓ Notices sent done', '→ Authorities told next']);
    const france = page.getByRole('row', { name: /^FR / });
    expect(await france.textContent()).toMatch(/Commission nationale.*overdue by/);
    await page.getByRole('img', { name: /Affected people by jurisdiction: .*FR 3/ }).waitFor();
    await checkPage(page, 'incident-overview');

    expect(await tabTo(page, 'Edit the timeline')).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByLabel('Contained').fill('2019-11-15T10:30');
    await checkPage(page, 'incident-timeline-edit');
    await page.getByRole('button', { name: 'Save the timeline' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('1 change saved and audited.');
    expect(await page.getByRole('row', { name: /^Contained/ }).textContent()).toMatch(/15 Nov 2019.*10:30/);
    await expect.poll(() => page.locator('.history li').first().textContent()).toMatch(/incident\.updated by admin@shop\.example\.com: Contained$/);

    // The service recorded it in the incident's trail, in UTC, with its actor.
    const trail = (await (await fetch(`${served.console}/api/incidents/${id}/audit`, { headers: { cookie: await cookieOf(admin) } })).json()) as { items: unknown[] };
    expect(trail.items.at(-1)).toMatchObject({ action: 'incident.updated', actor: served.email, details: { changes: { contained_at: { before: null, after: '2019-11-15T09:30:00.000Z' } } } });
    await page.goto(`${served.console}/incidents?status=contained`);
    expect(await page.getByRole('row', { name: /Order data read/ }).textContent()).toContain('Contained');
  });

  it('speaks French with French dates and numbers', async () => {
    await page.goto(`${served.console}/incidents`);
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('heading', { name: 'Étapes' }).waitFor();
    expect(await page.getByText(/^Connu depuis le 14 novembre 2019/).isVisible()).toBe(true);
    expect(await page.getByRole('row', { name: /^FR / }).textContent()).toMatch(/en retard de [\d\s]+j \d+ ?h/);
    await checkPage(page, 'incident-overview-fr');
    await page.getByLabel('Langue').selectOption('en');
  });

  it("lists the demo incident's affected people, explains one in a side panel, and keeps the country filter in the URL", async () => {
    await page.goto(`${served.console}/incidents`);
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.getByRole('link', { name: 'See the affected people' }).click();
    await page.waitForURL(/\/incidents\/[0-9a-z]{6}\/affected$/);
    const table = page.getByRole('region', { name: 'Affected people' });
    await expect.poll(() => page.getByRole('status').textContent()).toBe('19 people');
    expect(await table.getByRole('row').count()).toBe(20);
    await checkPage(page, 'affected');

    await table.getByRole('row').nth(1).getByRole('button').click();
    const panel = page.getByRole('dialog', { name: /^Why .+@/ });
    await panel.getByText(/^\d+ attacker requests?$/).waitFor();
    expect(await panel.locator('li').first().textContent()).toMatch(/access\.log\S*, line \d+ · rule imei-lookup · indicator ip 203\.0\.113\.0\/24 · record SO\d+/);
    // The panel slides in: axe-core judges its colours once it stands still.
    await expect.poll(() => page.evaluate<number>('document.getAnimations().length')).toBe(0);
    await checkPage(page, 'affected-explanation');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    // Hidden is not gone: the drawer fades out first, and axe-core would judge its fading title's colours.
    await page.locator('.mantine-Drawer-title').waitFor({ state: 'detached' });

    await page.getByLabel('Country').pressSequentially('fr');
    await page.waitForURL(/\/affected\?country=FR$/);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('3 people');
    const countries = await table.getByRole('row').locator('td:nth-child(3)').allInnerTexts();
    expect(countries).toEqual(['FR', 'FR', 'FR']);
    // The download keeps the filters: the same three people, every one of them, not only the rows loaded.
    const download = page.getByRole('link', { name: 'Download as CSV' });
    const csv = await fetch(new URL((await download.getAttribute('href'))!, served.console), { headers: { cookie: await cookieOf(admin) } });
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="affected-[0-9a-z]{6}-run-1\.csv"$/);
    expect((await csv.text()).trim().split('\r\n').slice(1).map((line) => line.split(',')[3])).toEqual(['FR', 'FR', 'FR']);
    await checkPage(page, 'affected-fr-only');
  });

  it('scrolls a million affected people a page at a time, never fetching them all', async () => {
    const MILLION = 1_000_000;
    let fetched = 0;
    const asked: number[] = [];
    // The server's paging is tested on both databases (affected-paging.test.ts); here the API stands
    // in for an incident of a million people, to count what the table asks for as it scrolls.
    await page.route(/\/api\/incidents\/[^/]+\/affected\?/, (route) => {
      const query = new URL(route.request().url()).searchParams;
      const from = Number(query.get('cursor') ?? 0);
      const limit = Number(query.get('limit'));
      asked.push(limit);
      const items = Array.from({ length: Math.min(limit, MILLION - from) }, (_, k) => {
        const email = `person${String(from + k).padStart(7, '0')}@example.com`;
        return { email, subject: email, name: `Person ${from + k}`, locale: 'en', country: 'GB', region: null, exposed: ['email'], not_exposed: [], first_access: '2019-11-01T10:00:00.000Z', last_access: '2019-11-01T10:00:00.000Z', requests: 1, records: [] };
      });
      fetched += items.length;
      const next = from + items.length;
      return route.fulfill({ json: { run: 1, items, next_cursor: next < MILLION ? String(next) : null } });
    });
    try {
      const id = new URL(page.url()).pathname.split('/')[2];
      await page.goto(`${served.console}/incidents/${id}/affected`);
      const table = page.getByRole('region', { name: 'Affected people' });
      await table.getByRole('button', { name: 'person0000000@example.com' }).waitFor();
      for (let step = 1; step <= 5; step++) {
        await table.evaluate((element) => element.scrollBy(0, element.clientHeight * 4));
        await expect.poll(() => page.getByRole('status').textContent()).toMatch(/loaded; scroll for more$/);
        await expect.poll(() => table.locator('tbody tr td:first-child button').count()).toBeGreaterThan(0);
      }
      await expect.poll(() => fetched).toBeGreaterThan(200);
      // Pages of 200 as the rows come near, a few screens ahead at most, and only the visible rows drawn.
      expect(asked.every((limit) => limit === 200)).toBe(true);
      expect(fetched).toBeLessThan(2_000);
      expect(await table.locator('tbody tr').count()).toBeLessThan(80);
    } finally {
      await page.unrouteAll();
    }
  });

  it('lets a viewer read but offers nothing to change; a viewer enrols an authenticator app and signs out everywhere', async () => {
    const context = await newContext({ locale: 'en-US' });
    const viewer = await context.newPage();
    await viewer.goto(`${served.console}/incidents`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.waitForURL('**/incidents');
    await viewer.getByRole('row', { name: /Order data read/ }).waitFor();
    expect(await viewer.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    await checkPage(viewer, 'incidents-viewer');
    await viewer.getByRole('link', { name: /Order data read/ }).click();
    await viewer.getByRole('heading', { name: 'Pipeline' }).waitFor();
    await viewer.getByRole('row', { name: /^FR / }).waitFor();
    expect(await viewer.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    expect(await viewer.getByRole('textbox').count()).toBe(0);
    await checkPage(viewer, 'incident-overview-viewer');
    await viewer.getByRole('link', { name: 'Portal page' }).click();
    await viewer.getByText('Published', { exact: true }).waitFor();
    expect(await viewer.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    expect(await viewer.getByRole('textbox').count()).toBe(0);
    await checkPage(viewer, 'portal-viewer');
    await viewer.goBack();
    await viewer.getByRole('link', { name: 'See the affected people' }).click();
    await viewer.getByText('Your role may not see the affected people’s personal data.', { exact: false }).waitFor();
    expect(await viewer.getByRole('table').count()).toBe(0);
    await checkPage(viewer, 'affected-viewer');
    await viewer.getByRole('link', { name: 'Incidents' }).click();

    await viewer.getByRole('link', { name: 'Account' }).click();
    await viewer.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await viewer.getByText(/or type the secret/).textContent())!.match(/secret ([A-Z2-7]+)\./)![1];
    await viewer.getByRole('img', { name: 'QR code to add Tocsin to an authenticator app' }).waitFor();
    await viewer.getByLabel('Code shown by the app').fill('000000');
    await viewer.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => viewer.getByRole('alert').textContent()).toMatch(/The code does not match/);
    const app = new TOTP({ issuer: 'Tocsin', label: VIEWER.email, secret: Secret.fromBase32(secret) });
    await viewer.getByLabel('Code shown by the app').fill(app.generate());
    await viewer.getByRole('button', { name: 'Confirm' }).click();
    await viewer.locator('.recovery-codes li').first().waitFor();
    expect(await viewer.locator('.recovery-codes li').count()).toBeGreaterThanOrEqual(8);
    await checkPage(viewer, 'account');

    const session = await cookieOf(context);
    viewer.once('dialog', (dialog) => void dialog.accept());
    await viewer.getByRole('button', { name: 'Sign out on every device' }).click();
    await viewer.waitForURL('**/sign-in**');
    expect((await fetch(`${served.console}/api/session`, { headers: { cookie: session } })).status).toBe(401);

    // Signing in again now asks for the app's code.
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.getByLabel('Code from your authenticator app, or a recovery code').waitFor();
    await expect.poll(() => viewer.getByRole('alert').textContent()).toBe('Enter the code from your authenticator app, or a recovery code.');
    await checkPage(viewer, 'sign-in-otp');
    await context.close();
  });

  it('sets a new account\'s password through its one-time link, with the policy\'s word on a weak one, and signs in with it', async () => {
    const added = await fetch(`${served.console}/api/users`, {
      method: 'POST',
      headers: { cookie: await cookieOf(admin), origin: new URL(served.console).origin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'newcomer@shop.example.com', role: 'privacy' }),
    });
    expect(added.status).toBe(201);
    const { set_password_link } = (await added.json()) as { set_password_link: string };
    const context = await newContext();
    const person = await context.newPage();
    await person.goto(set_password_link);
    await person.getByRole('heading', { name: 'Set your password' }).waitFor();
    expect(new URL(person.url()).hash, 'the token leaves the address bar').toBe('');
    const fill = async (password: string) => {
      await person.getByRole('textbox', { name: 'New password', exact: true }).fill(password);
      await person.getByRole('textbox', { name: 'New password again', exact: true }).fill(password);
      await person.getByRole('button', { name: 'Set password' }).click();
    };
    await fill('short one');
    await person.getByText(/^a password needs at least 12 characters; this one has 9\./).waitFor();
    await checkPage(person, 'set-password');
    const password = 'quince-harbour-lantern-8841';
    await fill(password);
    await person.waitForURL('**/sign-in**');
    await person.getByText('Your password is set. Sign in with it.').waitFor();
    await signIn(person, 'newcomer@shop.example.com', password);
    await person.waitForURL('**/incidents');
    await context.close();
  });

  it('says plainly when failed sign-ins have slowed an account down', async () => {
    const context = await newContext();
    const stranger = await context.newPage();
    await stranger.goto(`${served.console}/sign-in`);
    let said = '';
    for (let attempt = 0; attempt < 8 && !/Too many failed sign-ins/.test(said); attempt++) {
      await signIn(stranger, 'nobody@shop.example.com', 'not-the-password');
      await expect.poll(() => stranger.getByRole('alert').textContent()).toMatch(/wrong|Too many/);
      said = (await stranger.getByRole('alert').textContent()) ?? '';
    }
    expect(said).toMatch(/^Too many failed sign-ins\. Wait \d+ seconds? before trying again\.$|^Too many failed sign-ins: this account is locked/);
    await checkPage(stranger, 'sign-in-throttled');
    await context.close();
  });

  // Last of the browser's tests: requiring a second factor of every account holds the admin's session too.
  it('sends an account that must enrol a second factor to do that before anything else', async () => {
    const responder = { email: 'responder@shop.example.com', password: 'marmalade-glacier-violin-7Qr' };
    demo.addUser(responder, 'responder');
    expect((await tocsinMain(['user', 'require-2fa', 'on'], { env: { TOCSIN_DATA_DIR: join(demo.workspace, 'data') } })).status).toBe(0);
    const context = await newContext();
    const person = await context.newPage();
    await person.goto(`${served.console}/incidents`);
    await signIn(person, responder.email, responder.password);
    await person.waitForURL('**/account');
    await person.getByText('Your account must set up two-factor sign-in before anything else.').waitFor();
    await person.getByRole('link', { name: 'Incidents' }).click();
    await person.getByRole('button', { name: 'Set up an authenticator app' }).click();
    expect(new URL(person.url()).pathname).toBe('/account');
    const secret = (await person.getByText(/or type the secret/).textContent())!.match(/secret ([A-Z2-7]+)\./)![1];
    await person.getByLabel('Code shown by the app').fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
    await person.getByRole('button', { name: 'Confirm' }).click();
    await person.locator('.recovery-codes li').first().waitFor();
    await person.getByRole('link', { name: 'Incidents' }).click();
    await person.getByRole('row', { name: /Order data read/ }).waitFor();
    await context.close();
  });

  it('asked for nothing but its own server, and broke no CSP rule', () => {
    const origin = new URL(served.console).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(demo.complaints).toEqual([]);
  });

  it('answers a reload on a client route with the console, and an unknown API path in JSON', async () => {
    const reload = await fetch(`${served.console}/incidents/abc123?x=1`);
    expect(reload.status).toBe(200);
    expect(reload.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(reload.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const nonce = /'nonce-([^']+)'/.exec(reload.headers.get('content-security-policy')!)![1];
    expect(await reload.text()).toContain(`<meta name="csp-nonce" content="${nonce}"`);
    const api = await fetch(`${served.console}/api/no-such-route`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${served.console}/assets/no-such-file.js`)).status).toBe(404);
  });
});
