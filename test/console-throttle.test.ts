import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainThrottleState } from '../src/delivery/dispatcher.ts';
import { throttleSnapshot } from '../src/delivery/throttle-snapshot.ts';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, signIn, startConsoleDemo, type ConsoleDemo } from './helpers/console-demo.ts';

// The Campaign page's Domains table against a real `tocsin demo --serve`: the demo sends no
// campaign that a mail server slows down, so a sender's row with its throttles is written into the
// demo's database, as a sender on another machine would at its heartbeat (delivery-throttle.test.ts
// has a real sender write it, on both databases).

const HOSTILE = '<img src=x onerror=alert(1)>.example';

function state(domain: string, changes: Partial<DomainThrottleState> = {}): DomainThrottleState {
  return { domain, queued: 0, inFlight: 0, rate: 20, limit: 20, slowedForMs: null, deferrals: 0, lastDeferral: null, lastDeferralAgoMs: null, ...changes };
}

describe.skipIf(!HAS_CHROMIUM)(`the Campaign page's per-domain throttles in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let page: Page;
  let id: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('throttle');
    page = await (await demo.newContext()).newPage();
    await page.goto(`${demo.served.console}/incidents`);
    await signIn(page, demo.served.email, demo.served.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.waitForURL(/\/incidents\/[0-9a-z]{6}$/);
    id = page.url().split('/').at(-1)!;
  }, 300_000);

  afterAll(() => demo?.close());

  it('lists each domain with its pace, limit and 4xx replies, the slowed ones marked, a hostile name as text, and the others summed up', async () => {
    await page.goto(`${demo.served.console}/incidents/${id}/campaign`);
    await expect.poll(() => page.getByText('No sender at work has reported its throttles yet.').isVisible()).toBe(true);

    const now = new Date();
    const snapshot = throttleSnapshot(
      [
        state('gmail.com', { rate: 2.5, slowedForMs: 95_000, deferrals: 7, lastDeferral: '421 4.7.0', lastDeferralAgoMs: 3_000, queued: 40, inFlight: 2 }),
        state(HOSTILE, { queued: 100 }),
        ...Array.from({ length: 58 }, (_, i) => state(`d${i}.example`, { queued: 1, rate: Infinity, limit: Infinity })),
      ],
      now,
    );
    const database = new DatabaseSync(join(demo.workspace, 'data', 'tocsin.db'));
    database
      .prepare('INSERT INTO senders (id, incident_id, host, pid, started_at, heartbeat_at, throttle) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('mx-sender-2/4242/a1b2c3', id, 'mx-sender-2', 4242, now.toISOString(), now.toISOString(), JSON.stringify(snapshot));
    database.close();

    const rows = page.locator('.campaign-domains tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(50);
    const cells = async (row: number) => (await rows.nth(row).locator('th, td').allTextContents()).map((text) => text.trim());
    expect(await cells(0)).toEqual(['gmail.comslowed down', '2.5', '20', '40', expect.stringMatching(/\d/), '421 4.7.0', '7']);
    expect(await cells(1)).toEqual([HOSTILE, '20', '20', '100', '—', '—', '0']);
    expect(await cells(2)).toEqual([expect.stringMatching(/^d\d+\.example$/), 'no limit', 'no limit', '1', '—', '—', '0']);
    expect(await page.locator('.campaign-domains .domain-slowed').count()).toBe(1);
    expect(await page.locator('.campaign-domains img').count()).toBe(0);
    expect(await page.locator('.campaign-other-domains').textContent()).toBe('10 other domains (0 slowed down): 10 queued, 0 4xx replies');
    await checkPage(page, 'campaign-domains');
  });
});
