import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.ts';
import { callApi, checkPage, startConsoleDemo, VIEWER, type ConsoleDemo, type Served } from './helpers/console-demo.ts';

// The console's template and narrative editors against a real `tocsin demo --serve` (its routes are
// tested on both databases in server-templates.test.ts): a mistake shown at its line as one types,
// the fix saved and seen in the notices' preview, a narrative edited, and a viewer who only reads.

describe.skipIf(!HAS_CHROMIUM)(`the template and narrative editors in a browser [chromium] (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  let demo: ConsoleDemo;
  let served: Served;
  let admin: BrowserContext;
  let viewer: BrowserContext;
  let id: string;
  /** A notice the preview shows, and the template file its plain text comes from. */
  let shown: { variant: string; locale: string; file: string };

  beforeAll(async () => {
    demo = await startConsoleDemo('templates');
    served = demo.served;
    demo.addUser(VIEWER, 'viewer');
    admin = await demo.signedIn(served.email, served.password);
    viewer = await demo.signedIn(VIEWER.email, VIEWER.password);
    const incidents = (await call(admin, 'GET', '/api/incidents')) as { items: { id: string }[] };
    id = incidents.items[0].id;
    const preview = (await call(admin, 'GET', `/api/incidents/${id}/notices/preview`)) as { items: { variant: string; locale: string }[] };
    // A variant without templates of its own writes with the locale's base files.
    const item = preview.items.find((candidate) => candidate.variant === 'gdpr' || candidate.variant === 'default');
    expect(item, JSON.stringify(preview)).toBeDefined();
    shown = { ...item!, file: `${item!.locale}/notice.txt.liquid` };
  }, 300_000);

  afterAll(() => demo?.close());

  const call = (context: BrowserContext, method: string, path: string) => callApi(context, served.console, method, path);

  const status = (page: Page, editor: string) => page.locator(`#${editor}-status`);

  it('shows a mistake in a template at its line as one types, saves the fix, and the preview says it', async () => {
    const page = await admin.newPage();
    await page.goto(`${served.console}/incidents/${id}`);
    await page.getByRole('link', { name: 'Templates and narratives' }).click();
    await page.waitForURL(`**/incidents/${id}/templates`);
    await page.getByLabel('File', { exact: true }).selectOption(shown.file);
    const editor = page.getByLabel(`Text of ${shown.file}`);
    await expect.poll(() => editor.inputValue()).toContain('{{ verification_code }}');
    const original = await editor.inputValue();
    const lines = original.split('\n');
    await editor.fill([lines[0], 'Hello {{ shoe_size }}', ...lines.slice(1)].join('\n'));
    await expect.poll(() => status(page, 'template-text').textContent(), { timeout: 60_000 }).toMatch(/^Line 2: column \d+: unknown variable 'shoe_size'/);
    expect(await page.locator('.checked-editor-problem-line').allTextContents()).toEqual(['! 2']);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'templates-problem');

    await editor.fill([lines[0], 'Edited in the console: we are sorry.', ...lines.slice(1)].join('\n'));
    await expect.poll(() => status(page, 'template-text').textContent(), { timeout: 60_000 }).toContain('No problem found in this file.');
    expect(await page.locator('.checked-editor-problem-line').count()).toBe(0);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Saved ${shown.file}.` }).count(), { timeout: 60_000 }).toBe(1);
    // The demo sent every notice, so none waits to be built again (notices_stale: server-templates.test.ts); the page says what a change means.
    expect(await page.getByText('after a change, build them again before sending').count()).toBe(1);
    await expect.poll(() => page.getByLabel('File', { exact: true }).locator('option:checked').textContent(), { timeout: 30_000 }).toBe(`${shown.file} (this incident’s own)`);
    await checkPage(page, 'templates-saved');

    await page.getByRole('link', { name: '← Notices' }).click();
    await page.waitForURL(`**/incidents/${id}/notices`);
    await page.getByLabel('Variant').selectOption(shown.variant);
    await page.getByLabel('Notice language').selectOption(shown.locale);
    const text = page.getByRole('region', { name: 'As the customer will see it' }).getByLabel('Plain text');
    await expect.poll(() => text.textContent(), { timeout: 30_000 }).toContain('Edited in the console: we are sorry.');

    // Back to the built-in file: the copy goes, and the preview no longer says it.
    await page.goto(`${served.console}/incidents/${id}/templates`);
    await page.getByLabel('File', { exact: true }).selectOption(shown.file);
    await page.getByRole('button', { name: 'Go back to the built-in file' }).click();
    await expect.poll(() => page.getByLabel(`Text of ${shown.file}`).inputValue(), { timeout: 60_000 }).toBe(original);
    await page.close();
  });

  it('edits a narrative as Markdown: a wrong heading at its line, then saved', async () => {
    const page = await admin.newPage();
    await page.goto(`${served.console}/incidents/${id}/templates`);
    const narratives = (await call(admin, 'GET', `/api/incidents/${id}/narratives`)) as { items: { locale: string; text: string }[] };
    const [first] = narratives.items;
    await page.getByLabel('Narrative language').selectOption(first.locale);
    const editor = page.getByLabel(`Narrative in ${first.locale}`);
    await expect.poll(() => editor.inputValue()).toBe(first.text);
    const wrong = `${first.text}\n## Timeline\n\n<script>alert(1)</script> We noticed on Monday.\n`;
    await editor.fill(wrong);
    const line = wrong.split('\n').indexOf('## Timeline') + 1;
    await expect.poll(() => status(page, 'narrative-text').textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^Line ${line}: 'Timeline' is not a part of a narrative`));
    expect(await page.getByRole('button', { name: 'Save the narrative' }).isDisabled()).toBe(true);
    await checkPage(page, 'templates-narrative-problem');

    await editor.fill(wrong.replace('## Timeline', '## What we are doing'));
    await expect.poll(() => status(page, 'narrative-text').textContent(), { timeout: 30_000 }).toContain('what we are doing');
    await page.getByRole('button', { name: 'Save the narrative' }).click();
    await expect.poll(async () => ((await call(admin, 'GET', `/api/incidents/${id}/narratives`)) as typeof narratives).items.find((item) => item.locale === first.locale)?.text, { timeout: 30_000 }).toContain(
      '## What we are doing\n\n<script>alert(1)</script> We noticed on Monday.',
    );
    await page.reload();
    await page.getByLabel('Narrative language').selectOption(first.locale);
    await expect.poll(() => page.getByLabel(`Narrative in ${first.locale}`).inputValue()).toContain('<script>alert(1)</script> We noticed on Monday.');
    await checkPage(page, 'templates-narrative-saved');
    await page.close();
  });

  it('shows a viewer the templates and narratives, read-only', async () => {
    const page = await viewer.newPage();
    await page.goto(`${served.console}/incidents/${id}/templates`);
    const editor = page.getByRole('textbox', { name: /^Text of / });
    await expect.poll(() => editor.inputValue()).toContain('{{');
    expect(await editor.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('Your role may read the templates, not change them.').count()).toBe(1);
    expect(await page.getByText('Your role may read the narratives, not change them.').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Save/ }).count()).toBe(0);
    await checkPage(page, 'templates-viewer');
    expect(demo.complaints).toEqual([]);
    await page.close();
  });
});
