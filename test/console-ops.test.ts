import { readFileSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { checkPage, SCREENSHOTS, signIn, startConsoleDemo, type ConsoleDemo } from './helpers/console-demo.ts';
import { dsn } from './helpers/delivery.ts';

// The console's operations pages (the campaign, compliance, the audit trail) and its administration
// (users, API tokens, the security log) against a real `tocsin demo --serve`, as test/console.test.ts
// runs it: its own SQLite database (the routes behind these pages are tested on both databases
// elsewhere), one server and one browser for the file, axe-core and a screenshot on each page.

const VIEWER = { email: 'ops-viewer@shop.example.com', password: 'cobalt-meadow-lantern-5Tz8-readonly' };

describe.skipIf(!HAS_CHROMIUM)(`console operations and administration in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let consoleUrl: string;
  let admin: BrowserContext;
  let page: Page;
  let id: string;

  beforeAll(async () => {
    demo = await startConsoleDemo('ops');
    consoleUrl = demo.served.console;
    await demo.addUser(VIEWER, 'viewer');
    admin = await demo.newContext();
    page = await admin.newPage();
    await page.goto(`${consoleUrl}/incidents`);
    await signIn(page, demo.served.email, demo.served.password);
    await page.waitForURL('**/incidents');
    await page.getByRole('link', { name: /Order data read/ }).click();
    await page.waitForURL(/\/incidents\/[0-9a-z]{6}$/);
    id = page.url().split('/').at(-1)!;
  }, 300_000);

  afterAll(() => demo?.close());

  async function cookieOf(context: BrowserContext): Promise<string> {
    return (await context.cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
  }

  /** What the browser would download from a link on the page, fetched with the page's session. */
  async function linked(on: Page, name: string): Promise<Response> {
    const href = await on.getByRole('link', { name }).getAttribute('href');
    return fetch(new URL(href!, consoleUrl), { headers: { cookie: await cookieOf(admin) } });
  }

  it('runs the campaign: progress and rate, a resumed job, bounce reports read, the unreached and the delivery report to download', async () => {
    await page.getByRole('link', { name: 'Sending the notices' }).click();
    await page.getByRole('heading', { name: 'Sending the notices', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.campaign-done').textContent()).toBe('19 of 19 notices done (sent, bounced or failed)');
    expect(await page.locator('.notice-states tbody td').allInnerTexts()).toEqual(['0', '0', '19', '0', '0', '0']);
    await page.getByText('Everyone sent to so far was reached').waitFor();
    // Nothing is queued or running: nothing to pause, nothing to resume before a first job.
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Resume' }).isDisabled()).toBe(true);

    const report = await linked(page, 'Download the delivery report');
    const proof = (await report.json()) as { items: { email: string; state: string; message_id: string }[] };
    expect(proof.items).toHaveLength(19);
    expect(proof.items.every((notice) => notice.state === 'sent')).toBe(true);

    // The demo's workers have no sender of their own: the job fails, and the page says why in the server's words.
    await page.getByRole('button', { name: 'Start the campaign' }).click();
    await expect.poll(() => page.locator('.campaign-job').textContent(), { timeout: 30_000 }).toBe('Campaign job failed');
    await page.getByText(/^say whom the notices are from: --from, or sender\.from in the configuration/).waitFor();
    await checkPage(page, 'campaign-job-failed');

    // With a sender, a campaign job over notices all sent finds nothing left to send, and finishes; resuming queues another with its parameters.
    await page.getByLabel('Sender (From)').fill('notices@shop.example.com');
    await page.getByLabel('Messages per second in all').fill('5');
    await page.getByRole('button', { name: 'Start the campaign' }).click();
    await expect.poll(() => page.locator('.campaign-job').textContent(), { timeout: 30_000 }).toBe('Campaign job finished');
    await page.getByRole('button', { name: 'Resume' }).click();
    // The resumed job at work (nothing can be resumed or started meanwhile), then finished.
    await expect.poll(() => page.getByRole('button', { name: 'Start the campaign' }).isDisabled()).toBe(true);
    await expect.poll(() => page.locator('.campaign-job').textContent(), { timeout: 30_000 }).toBe('Campaign job finished');
    const trail = (await (await fetch(`${consoleUrl}/api/incidents/${id}/audit`, { headers: { cookie: await cookieOf(admin) } })).json()) as { items: { action: string; details: Record<string, unknown> }[] };
    expect(trail.items.filter((entry) => entry.action === 'job.queued' && entry.details.kind === 'campaign')).toHaveLength(3);
    expect(trail.items.filter((entry) => entry.action === 'delivery.started').at(-1)?.details.rate).toBe(5);

    // A bounce report that came back later: the notice it names is marked bounced, with the server's words.
    const bounced = proof.items[0];
    const file = join(demo.workspace, 'bounce.eml');
    writeFileSync(file, dsn({ recipient: bounced.email, status: '5.1.1', diagnostic: '550 5.1.1 User unknown', messageId: bounced.message_id, returned: 'headers' }));
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Bounce report files' }).click();
    await (await chooser).setFiles(file);
    await page.getByRole('button', { name: 'Read the bounce reports' }).click();
    await expect.poll(() => page.locator('.bounce-result').textContent()).toBe('1 notice marked bounced; 0 bounced already; 0 matching no notice; 0 not bounce reports.');
    const unreachedRow = page.getByRole('row', { name: new RegExp(bounced.email.replace(/[.+]/g, '\\$&')) });
    await expect.poll(() => unreachedRow.textContent()).toMatch(/Bounced.*550 5\.1\.1 User unknown/);
    expect(await page.locator('.notice-states tbody td').allInnerTexts()).toEqual(['0', '0', '18', '0', '0', '1']);
    const unreached = (await (await linked(page, 'Download the unreached list')).json()) as { items: { email: string; state: string }[] };
    expect(unreached.items).toEqual([expect.objectContaining({ email: bounced.email, state: 'bounced' })]);
    await checkPage(page, 'campaign');
  });

  it("shows the assessment, previews a report as HTML in a sandbox and as Markdown, downloads it, records its submission, and shows the register", async () => {
    await page.goto(`${consoleUrl}/incidents/${id}/compliance`);
    const france = page.getByRole('row', { name: /^FR / });
    await expect.poll(() => france.textContent()).toMatch(/Commission nationale.*overdue by.*overdue/);
    await france.getByRole('button', { name: 'Preview FR' }).click();
    const frame = page.frameLocator('iframe.report-frame');
    await frame.getByRole('heading', { level: 1 }).filter({ hasText: 'Notification à l' }).waitFor();
    expect(await page.locator('iframe.report-frame').getAttribute('sandbox')).toBe('');
    await checkPage(page, 'compliance');
    // A full-page screenshot leaves frames blank: the report as framed, on its own.
    await page.locator('iframe.report-frame').screenshot({ path: join(SCREENSHOTS, 'compliance-report-frame.png') });

    await page.getByText('Markdown', { exact: true }).click();
    await expect.poll(() => page.locator('.report-markdown').textContent()).toMatch(/^# Notification à l'autorité de contrôle/);
    const markdown = await linked(page, 'Download Markdown');
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    // Each report is made afresh, dated and checkpointed as it is asked for: the same report, a later instant.
    const firstLine = (text: string | null) => text?.split('\n')[0];
    expect(firstLine(await markdown.text())).toBe(firstLine(await page.locator('.report-markdown').textContent()));
    await checkPage(page, 'compliance-markdown');

    await page.getByRole('combobox', { name: 'Jurisdiction' }).selectOption('FR');
    await page.getByLabel('Submitted at').fill('2019-11-16T09:15');
    await page.getByRole('button', { name: 'Record the submission' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Recorded' }).textContent()).toMatch(/^Recorded: the report to Commission nationale de l'informatique et des libertés \(CNIL\) was submitted on 16 Nov 2019, 09:15$/);
    await expect.poll(() => france.textContent()).toMatch(/reported.*submitted/);

    await page.getByRole('link', { name: 'Register' }).click();
    await page.waitForURL('**/register');
    // Loaded afresh: Playwright's network-idle wait does not settle on a frame a client-side navigation added.
    await page.reload();
    await page.getByRole('heading', { name: 'Breach register', level: 1 }).waitFor();
    await page.frameLocator('iframe.report-frame').getByText('Order data read through the after-sales IMEI lookup').first().waitFor();
    expect((await linked(page, 'Download JSON')).headers.get('content-type')).toBe('application/json; charset=utf-8');
    await checkPage(page, 'register');
  });

  it('shows the audit trail in words, searches it, verifies it and downloads a checkpoint that a later verify accepts', async () => {
    await page.goto(`${consoleUrl}/incidents/${id}`);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    const first = page.locator('.audit-trail tbody tr').first();
    await expect.poll(() => first.textContent()).toMatch(/^1.*tocsin-demo.*Incident opened.*Title: — → Order data read.*Breach began: — → 30 Oct 2019/);
    const total = await page.locator('.audit-trail tbody tr').count();
    expect(total).toBeGreaterThan(15);
    await checkPage(page, 'audit');

    // The authority's report submitted, and the bug bounty report linked to the incident (its "Report submitted at").
    await page.getByLabel('Search the trail').fill('report submitted');
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`2 entries of ${total}`);
    expect(await page.locator('.audit-trail tbody tr', { hasText: /Report submitted.*Jurisdiction: FR/ }).first().textContent()).toMatch(/Report submitted.*Jurisdiction: FR.*Submitted at: 16 Nov 2019/);
    await checkPage(page, 'audit-search');

    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('.audit-verdict').textContent()).toBe(`Intact: ${total} entries checked.`);
    await page.getByRole('button', { name: 'Make a checkpoint' }).click();
    const line = (await page.locator('.audit-checkpoint').textContent())!;
    expect(line).toMatch(new RegExp(`^tocsin-audit-checkpoint/1 incident=${id} seq=${total} `));
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the checkpoint' }).click();
    const saved = readFileSync((await (await download).path())!, 'utf8');
    expect(saved).toBe(`${line}\n`);
    // The file kept elsewhere proves the trail up to it later.
    const verified = await (await fetch(`${consoleUrl}/api/incidents/${id}/audit/verify?against=${encodeURIComponent(saved)}`, { headers: { cookie: await cookieOf(admin) } })).json();
    expect(verified).toMatchObject({ intact: true, checkpoints: 1 });
    await checkPage(page, 'audit-verified');

    // An entry changed behind Tocsin's back: Verify says the chain is broken, in the server's words.
    const database = new DatabaseSync(join(demo.workspace, 'data', 'tocsin.db'));
    database.prepare('UPDATE audit_log SET details = ? WHERE incident_id = ? AND seq = 3').run('{"locale":"xx","parts":[]}', id);
    database.close();
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('.audit-verdict').textContent()).toMatch(/^Broken: .*\b3\b/);
    await checkPage(page, 'audit-broken');
  });

  it('adds a user, changes a role, disables and resets; creates an API token shown once and revokes it; the security log says so', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Users and roles', level: 1 }).waitFor();
    const addUser = page.getByRole('region', { name: 'Add a user' });
    await addUser.getByRole('textbox', { name: 'Email' }).fill('analyst@shop.example.com');
    await addUser.getByRole('combobox', { name: 'Role', exact: true }).selectOption('privacy');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await expect.poll(() => page.locator('.one-time-secret').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/set-password#[\w-]{20,}$/);
    const row = page.getByRole('row', { name: /^analyst@shop\.example\.com/ });
    await expect.poll(() => row.textContent()).toMatch(/password not set yet.*none/);
    await row.getByRole('combobox', { name: 'Role of analyst@shop.example.com' }).selectOption('responder');
    await page.getByRole('button', { name: 'Disable analyst@shop.example.com' }).click();
    await expect.poll(() => row.textContent()).toMatch(/disabled/);
    const accounts = (await (await fetch(`${consoleUrl}/api/users`, { headers: { cookie: await cookieOf(admin) } })).json()) as { items: { email: string; role: string; disabled: boolean }[] };
    expect(accounts.items.find((account) => account.email === 'analyst@shop.example.com')).toMatchObject({ role: 'responder', disabled: true });
    const before = await page.locator('.one-time-secret').textContent();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset password of analyst@shop.example.com' }).click();
    await expect.poll(() => page.locator('.one-time-secret').textContent()).not.toBe(before);
    await checkPage(page, 'admin-users');

    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('nightly import');
    await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Create the token' }).click();
    const token = (await page.locator('.one-time-secret').textContent())!;
    expect((await fetch(`${consoleUrl}/api/incidents`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await expect.poll(() => page.getByRole('row', { name: /^nightly import/ }).textContent()).toMatch(/viewer.*admin@shop\.example\.com/);
    await checkPage(page, 'admin-tokens');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke the token nightly import' }).click();
    await expect.poll(() => page.getByRole('row', { name: /^nightly import/ }).textContent()).toMatch(/revoked/);
    expect((await fetch(`${consoleUrl}/api/incidents`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    // The secret is shown once: the list never has it.
    await page.reload();
    await page.getByRole('row', { name: /^nightly import/ }).waitFor();
    expect(await page.locator('.one-time-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    await page.getByRole('link', { name: 'Security log' }).click();
    const events = page.locator('.security-log tbody tr td:nth-child(2)');
    await expect.poll(() => events.first().textContent()).toBe('API token revoked');
    expect((await events.allInnerTexts()).slice(0, 6)).toEqual(['API token revoked', 'API token created', 'Password reset', 'Account disabled', 'Role changed', 'Account created']);
    await checkPage(page, 'admin-security-log');
  });

  it('lets a viewer read each of these pages but offers nothing that changes anything', async () => {
    const context = await demo.newContext();
    const viewer = await context.newPage();
    await viewer.goto(`${consoleUrl}/incidents`);
    await signIn(viewer, VIEWER.email, VIEWER.password);
    await viewer.waitForURL('**/incidents');
    expect(await viewer.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    const buttons = () => viewer.getByRole('button').allInnerTexts();

    await viewer.goto(`${consoleUrl}/incidents/${id}/campaign`);
    await expect.poll(() => viewer.locator('.campaign-done').textContent()).toMatch(/of 19 notices done/);
    expect(await buttons()).toEqual(['Sign out']);
    expect(await viewer.getByRole('textbox').count()).toBe(0);
    expect(await viewer.getByRole('link', { name: /^Download/ }).count()).toBe(0);
    await checkPage(viewer, 'campaign-viewer');

    await viewer.goto(`${consoleUrl}/incidents/${id}/compliance`);
    await viewer.getByRole('row', { name: /^FR / }).waitFor();
    expect((await buttons()).filter((name) => !/^Preview [A-Z-]+$/.test(name))).toEqual(['Sign out']);
    expect(await viewer.getByRole('textbox').count()).toBe(0);
    await checkPage(viewer, 'compliance-viewer');

    // Verifying and making a checkpoint read the trail; they change nothing.
    await viewer.goto(`${consoleUrl}/incidents/${id}/audit`);
    await viewer.locator('.audit-trail tbody tr').first().waitFor();
    expect(await buttons()).toEqual(['Sign out', 'Verify', 'Make a checkpoint']);

    for (const path of ['/admin/users', '/admin/tokens', '/admin/security-log']) {
      await viewer.goto(`${consoleUrl}${path}`);
      await viewer.getByText('Your role may not do this; ask an admin.').waitFor();
      expect(await buttons()).toEqual(['Sign out']);
      expect(await viewer.getByRole('table').count()).toBe(0);
    }
    await checkPage(viewer, 'admin-viewer');
    await context.close();
  });

  it('broke no CSP rule', () => {
    expect(demo.complaints).toEqual([]);
  });
});
