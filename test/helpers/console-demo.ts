import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page, Request } from 'playwright-core';
import { expect } from 'vitest';
import { ensureConsoleBuilt } from '../../scripts/build-console.ts';
import { axeViolations, launchChromium } from './browser.ts';
import { startTocsin, tocsinMain } from './cli.ts';
import { demoEnv, demoTemplate } from './demo-template.ts';

/** Where the console's browser tests leave a screenshot of each page, to be looked at. */
export const SCREENSHOTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'tmp', 'console-screenshots');

/** A read-only account the tests add to see what a viewer may do. */
export const VIEWER = { email: 'viewer@shop.example.com', password: 'lantern-quartz-sonnet-4Kx9-readonly' };

/** How long a page's network must stay quiet before checkPage looks at it (as Playwright's own networkidle). */
const QUIET_MS = 500;

/** The requests of each page still under way, and when the last began or ended, as a context made by newContext follows them. */
const traffic = new WeakMap<Page, { open: Set<Request>; changedAt: number }>();

/**
 * Follows every page's requests, frames' included, in this context. An event stream stays open
 * as long as the page follows a job, so it is not waited for. Playwright's `networkidle` is not
 * used: it comes from Chromium's lifecycle events, which a frame whose address changes can leave
 * unfinished (a Notices page in CI waited its 30 s out with nothing loading).
 */
function followTraffic(context: BrowserContext): void {
  const of = (request: Request) => {
    const page = request.frame().page();
    let seen = traffic.get(page);
    if (!seen) traffic.set(page, (seen = { open: new Set(), changedAt: Date.now() }));
    seen.changedAt = Date.now();
    return seen.open;
  };
  context.on('request', (request) => {
    if (request.resourceType() !== 'eventsource') of(request).add(request);
  });
  context.on('requestfinished', (request) => of(request).delete(request));
  context.on('requestfailed', (request) => of(request).delete(request));
}

/** The page has loaded and no request of it has begun or ended for QUIET_MS; what is still open is named if that never comes. */
async function waitForQuiet(on: Page): Promise<void> {
  await on.waitForLoadState('load');
  const seen = () => traffic.get(on) ?? { open: new Set<Request>(), changedAt: 0 };
  await expect
    .poll(() => (seen().open.size === 0 && Date.now() - seen().changedAt >= QUIET_MS ? 'quiet' : [...seen().open].map((request) => request.url())), { timeout: 60_000, interval: 100 })
    .toBe('quiet');
}

/** What `demo --serve` printed once it serves: the console's address and its one-time admin login. */
export interface Served {
  console: string;
  email: string;
  password: string;
  /** The demo incident's page on the public listener, as published when the demo starts. */
  incidentPage: string;
}

/** A `tocsin demo --serve` (its own SQLite database, as `npm start` runs it) and a Chromium to drive its console. */
export interface ConsoleDemo {
  served: Served;
  /** The demo's workspace: its shop export and logs in `shop/`, its data directory in `data/`. */
  workspace: string;
  browser: Browser;
  /** Every Content-Security-Policy complaint of a context made by newContext. */
  complaints: string[];
  /** A context in British English, Paris time, a desktop window; its CSP complaints collected. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Adds an account with this role to the demo's installation. */
  addUser(person: { email: string; password: string }, role: string): Promise<void>;
  /** A context (as newContext makes it) signed in as this account. */
  signedIn(email: string, password: string): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Builds the console when its sources changed, then starts `tocsin demo --serve` on a copy of
 * the run's demo (demoTemplate) on free ports in a temporary directory, with a new admin login,
 * and Chromium. One per test file: its pages are checked in one browser against one server.
 * `env` is the server's; the shared demo was made without it.
 */
export async function startConsoleDemo(name: string, env: NodeJS.ProcessEnv = {}): Promise<ConsoleDemo> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await ensureConsoleBuilt();
  const template = await demoTemplate();
  const dir = mkdtempSync(join(tmpdir(), `tocsin-console-${name}-`));
  const workspace = join(dir, 'demo');
  const server = await startTocsin(['demo', '--serve', '--from', template, '--dir', workspace, '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0'], {
    env: demoEnv(dir, env),
    ready: (stderr): Served | undefined => {
      const value = (label: string) => new RegExp(`^\\s*${label}: (\\S+)$`, 'm').exec(stderr)?.[1];
      const [consoleUrl, email, password, incidentPage] = ['console', 'email', 'password', 'incident page'].map(value);
      return consoleUrl && email && password && incidentPage ? { console: consoleUrl, email, password, incidentPage } : undefined;
    },
  });
  const browser = await launchChromium();
  const complaints: string[] = [];
  const demo: ConsoleDemo = {
    served: server.found,
    workspace,
    browser,
    complaints,
    async newContext(options = {}) {
      const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
      followTraffic(context);
      context.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) complaints.push(message.text());
      });
      return context;
    },
    async addUser(person, role) {
      const added = await tocsinMain(['user', 'add', person.email, '--role', role, '--password-stdin'], { env: { TOCSIN_DATA_DIR: join(workspace, 'data') }, input: `${person.password}\n` });
      expect(added.status, added.stderr).toBe(0);
    },
    async signedIn(email, password) {
      const context = await demo.newContext();
      const page = await context.newPage();
      await page.goto(`${server.found.console}/sign-in`);
      await signIn(page, email, password);
      await page.waitForURL('**/incidents');
      await page.close();
      return context;
    },
    async close() {
      await browser.close();
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return demo;
}

/** Fills in the sign-in form the page shows and sends it. */
export async function signIn(on: Page, email: string, password: string): Promise<void> {
  await on.getByLabel('Email').fill(email);
  await on.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await on.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A call to the staff API from the context's own page (its cookie, its origin) on the console at `base`, the reply's JSON. */
export async function callApi(context: BrowserContext, base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const page = context.pages()[0] ?? (await context.newPage());
  if (!page.url().startsWith(base)) await page.goto(`${base}/incidents`);
  return page.evaluate(
    async ([method, path, body]) => {
      const response = await fetch(path as string, { method: method as string, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return response.json();
    },
    [method, path, body] as const,
  );
}

/** axe-core finds nothing serious on the page as it stands, and the page is saved as NAME.png. */
export async function checkPage(on: Page, name: string): Promise<void> {
  await waitForQuiet(on);
  const serious = (await axeViolations(on)).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious, `${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
  // From the top: the fixed header would otherwise be drawn where the page was scrolled to.
  await on.evaluate('window.scrollTo(0, 0)');
  await on.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
