import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { auditTrail } from '../src/incidents/index.ts';
import { incidentTemplatesDir } from '../src/lib/template-dirs.ts';
import type { Listeners } from '../src/server/index.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop } from './helpers/delivery.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

// The console's template editor and narrative editor over the API: files listed, read, checked as
// typed, written and reverted within the incident's directory only; narratives read back and checked.

const NAME = 'fr/notice.txt.liquid';
const path = (id: string, name: string) => `/api/incidents/${id}/templates/files/${encodeURIComponent(name)}`;
const put = (body: unknown) => ({ method: 'PUT', body: JSON.stringify(body) });

describeEachDatabase('template files and narratives over the API', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let id: string;
  let dir: string;
  let shop: string;
  let privacy: ReturnType<typeof asRole>;
  let viewer: ReturnType<typeof asRole>;
  let responder: ReturnType<typeof asRole>;
  beforeAll(async () => {
    shop = mkdtempSync(join(tmpdir(), 'tocsin-templates-api-'));
    ctx = await database().context();
    id = await campaignOfDemoShop(ctx, shop, 200);
    dir = incidentTemplatesDir(ctx.dataDir, id);
    const staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
    [privacy, viewer, responder] = (['privacy', 'viewer', 'responder'] as const).map((role) => asRole(listeners.staffUrl, staff, role));
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
    rmSync(shop, { recursive: true, force: true });
  });

  it('lists the files notices and reports use, built-in until the incident has its own, and reads one', async () => {
    const listed = await json(viewer(`/api/incidents/${id}/templates/files`));
    const names = listed.items.map((item: { name: string }) => item.name);
    expect(names).toEqual(expect.arrayContaining([NAME, 'fr/categories.json', 'variants/us-ca/en-US/notice.html.liquid', 'reports/fr.json']));
    expect(names).not.toContain('fr/portal.json');
    expect(listed.items.every((item: { overridden: boolean; sha256: string }) => !item.overridden && /^[0-9a-f]{64}$/.test(item.sha256))).toBe(true);
    expect(listed.notices_stale).toBe(false);
    const file = await json(viewer(path(id, NAME)));
    expect(file).toMatchObject({ name: NAME, overridden: false, sha256: listed.items.find((item: { name: string }) => item.name === NAME).sha256 });
    expect(file.text).toContain('{{ verification_code }}');
    expect((await viewer(path('nosuch', NAME))).status).toBe(404);
  });

  it('checks a draft as typed without writing it: problems at their line in the file', async () => {
    const { text } = await json(viewer(path(id, NAME)));
    const lines = text.split('\n');
    lines.splice(2, 0, 'Bonjour {{ shoe_size }}');
    expect((await viewer(path(id, NAME), put({ text: lines.join('\n'), dry_run: true }))).status).toBe(403);
    expect((await responder(path(id, NAME), put({ text: lines.join('\n'), dry_run: true }))).status).toBe(403);
    const draft = await json(privacy(path(id, NAME), put({ text: lines.join('\n'), dry_run: true })));
    expect(draft.written).toBe(false);
    const problem = draft.check.problems.find((found: { kind: string }) => found.kind === 'unknown-variable');
    expect(problem).toMatchObject({ name: NAME, line: 3, file: join(dir, NAME) });
    expect(problem.message).toContain(`${join(dir, NAME)}, line 3`);
    expect(JSON.stringify(draft)).not.toContain('tocsin-template-draft-');
    expect(existsSync(join(dir, NAME))).toBe(false);
    expect((await auditTrail(ctx, id)).filter((entry) => entry.action.startsWith('templates.'))).toEqual([]);
  });

  it('writes a file whole into the incident directory, audited with the account, and says sending waits for a new build', async () => {
    const { text } = await json(viewer(path(id, NAME)));
    const edited = text.replace('Bonjour', 'Chère cliente, cher client');
    const written = await json(privacy(path(id, NAME), put({ text: edited })));
    expect(written).toMatchObject({ written: true, file: { name: NAME, overridden: true }, notices_stale: true });
    expect(written.check.problems).toEqual([]);
    expect(readFileSync(join(dir, NAME), 'utf8')).toBe(edited);
    expect(statSync(join(dir, NAME)).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'fr'))).toEqual(['notice.txt.liquid']);
    expect(await json(viewer(path(id, NAME)))).toMatchObject({ overridden: true, text: edited, sha256: written.file.sha256 });
    const entries = (await auditTrail(ctx, id)).filter((entry) => entry.action === 'templates.file_written');
    expect(entries.map((entry) => [entry.actor, JSON.parse(entry.details)])).toEqual([['token:privacy script', { name: NAME, sha256: written.file.sha256, bytes: Buffer.byteLength(edited) }]]);
    expect((await json(viewer(`/api/incidents/${id}/templates/files`))).notices_stale).toBe(true);
  });

  it('writes a file with an error, and returns the check with its line', async () => {
    const broken = await json(privacy(path(id, 'de/notice.subject.liquid'), put({ text: 'Hallo\n{% if %}' })));
    expect(broken.written).toBe(true);
    expect(broken.check.problems).toContainEqual(expect.objectContaining({ kind: 'syntax', name: 'de/notice.subject.liquid', line: expect.any(Number) }));
    const check = await json(viewer(`/api/incidents/${id}/templates/check`));
    expect(check.problems.map((problem: { name: string }) => problem.name)).toContain('de/notice.subject.liquid');
  });

  it('reverts a file to the built-in one, audited; reverting again changes nothing', async () => {
    expect((await viewer(path(id, 'de/notice.subject.liquid'), { method: 'DELETE' })).status).toBe(403);
    const reverted = await json(privacy(path(id, 'de/notice.subject.liquid'), { method: 'DELETE' }));
    expect(reverted).toMatchObject({ written: true, file: { name: 'de/notice.subject.liquid', overridden: false } });
    expect(reverted.check.problems).toEqual([]);
    expect(existsSync(join(dir, 'de/notice.subject.liquid'))).toBe(false);
    expect((await json(privacy(path(id, 'de/notice.subject.liquid'), { method: 'DELETE' }))).written).toBe(false);
    const entries = (await auditTrail(ctx, id)).filter((entry) => entry.action === 'templates.file_reverted');
    expect(entries.map((entry) => [entry.actor, JSON.parse(entry.details)])).toEqual([['token:privacy script', { name: 'de/notice.subject.liquid' }]]);
  });

  it('refuses names outside the set, however spelt, before touching the file system', async () => {
    const outside = join(ctx.dataDir, 'x');
    for (const name of ['../x', '..%2fx', '%2e%2e/x', '%2e%2e%2fx', 'fr/../../x', '/etc/passwd', outside, 'fr/notice.txt.liquid\u0000', 'fr\\notice.txt.liquid', 'fr/portal.json', 'xx/notice.txt.liquid', 'FR/notice.txt.liquid']) {
      for (const response of [await privacy(path(id, name), put({ text: 'x' })), await viewer(path(id, name)), await privacy(path(id, name), { method: 'DELETE' })]) {
        expect(response.status, name).toBe(404);
        expect((await json(response)).error.code, name).toBe('UNKNOWN_TEMPLATE_FILE');
      }
    }
    // Encoded in the path itself: the router decodes it to a name, which names no file.
    for (const raw of ['%2e%2e%2fx', '..%2Fx', '%2E%2E%2F%2E%2E%2Fx']) {
      const response = await privacy(`/api/incidents/${id}/templates/files/${raw}`, put({ text: 'x' }));
      expect(response.status, raw).toBe(404);
    }
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(dir, '..', 'x'))).toBe(false);
  });

  it('refuses oversize text and control characters, writing nothing', async () => {
    const big = await privacy(path(id, 'it/notice.txt.liquid'), put({ text: 'x'.repeat(256 * 1024 + 1) }));
    expect(big.status).toBe(413);
    expect((await json(big)).error.code).toBe('TEMPLATE_FILE_TOO_LARGE');
    const control = await privacy(path(id, 'it/notice.txt.liquid'), put({ text: 'a\nb\u0007c' }));
    expect(control.status).toBe(400);
    expect((await json(control)).error).toMatchObject({ code: 'TEMPLATE_FILE_NOT_TEXT', message: expect.stringContaining('line 2') });
    expect(existsSync(join(dir, 'it'))).toBe(false);
  });

  it('follows no symbolic link in the incident directory: neither to read, to write nor to revert', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'tocsin-templates-elsewhere-'));
    try {
      writeFileSync(join(elsewhere, 'notice.txt.liquid'), 'SECRET');
      symlinkSync(elsewhere, join(dir, 'es'));
      symlinkSync(join(elsewhere, 'notice.txt.liquid'), join(dir, 'fr', 'notice.html.liquid'));
      for (const name of ['es/notice.txt.liquid', 'fr/notice.html.liquid']) {
        const read = await viewer(path(id, name));
        expect(read.status, name).toBe(409);
        expect(JSON.stringify(await json(read))).not.toContain('SECRET');
        const write = await privacy(path(id, name), put({ text: 'changed' }));
        expect(write.status, name).toBe(409);
        expect((await json(write)).error.code).toBe('TEMPLATE_FILE_LINK');
      }
      expect((await privacy(path(id, 'es/notice.txt.liquid'), { method: 'DELETE' })).status).toBe(409);
      expect(readFileSync(join(elsewhere, 'notice.txt.liquid'), 'utf8')).toBe('SECRET');
      const listed = await json(viewer(`/api/incidents/${id}/templates/files`));
      for (const name of ['fr/notice.html.liquid', 'es/notice.txt.liquid']) expect(listed.items.find((item: { name: string }) => item.name === name)).toEqual({ name, overridden: true, sha256: null });
      // The link itself may be reverted: the link goes, what it pointed to stays.
      expect((await json(privacy(path(id, 'fr/notice.html.liquid'), { method: 'DELETE' }))).written).toBe(true);
      expect(existsSync(join(dir, 'fr', 'notice.html.liquid'))).toBe(false);
      expect(readFileSync(join(elsewhere, 'notice.txt.liquid'), 'utf8')).toBe('SECRET');
    } finally {
      if (lstatSync(join(dir, 'es'), { throwIfNoEntry: false })) rmSync(join(dir, 'es'));
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('gives the narratives back as Markdown, and checks a narrative at its lines', async () => {
    const { items } = await json(viewer(`/api/incidents/${id}/narratives`));
    expect(items.length).toBeGreaterThan(0);
    const [first] = items;
    expect(first.text).toMatch(/^## What happened\n\n/);
    const checked = await json(viewer('/api/narratives/check', { method: 'POST', body: JSON.stringify({ text: first.text }) }));
    expect(checked).toEqual({ problems: [], parts: expect.arrayContaining(['what_happened']) });
    const bad = await json(viewer('/api/narratives/check', { method: 'POST', body: JSON.stringify({ text: '## What happened\nA\n\n## Timeline\n<b>x</b>' }) }));
    expect(bad).toEqual({ problems: [{ line: 4, message: expect.stringMatching(/^'Timeline' is not a part of a narrative/) }], parts: [] });
    const saved = await responder(`/api/incidents/${id}`, { method: 'PATCH', body: JSON.stringify({ narratives: { [first.locale]: `${first.text}\n## What you can do\n\nCall us.\n` } }) });
    expect(saved.status).toBe(200);
    const after = await json(viewer(`/api/incidents/${id}/narratives`));
    expect(after.items.find((item: { locale: string }) => item.locale === first.locale).text).toMatch(/## What you can do\n\nCall us\.\n$/);
  });

  // Last: its commands take a while, and the API's connections would sit idle meanwhile.
  it('does the same from the command line: list, show, write (dry run or not), revert', async () => {
    const cli = (args: string[], input?: string) => tocsinMain(['templates', ...args], { database: database().config, input });
    const listed = await cli(['list', id]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^fr\/notice\.txt\.liquid +yes +[0-9a-f]{64}$/m);
    expect(listed.stderr).toContain(`tocsin notices build ${id}`);
    expect((await cli(['show', id, 'it/notice.subject.liquid'])).stdout).toBe(readFileSync(new URL('../locales/it/notice.subject.liquid', import.meta.url), 'utf8'));
    const dry = await cli(['write', id, 'it/notice.subject.liquid', '--file', '-', '--dry-run', '--json'], '{{ nope }}');
    expect(dry.status).toBe(1);
    expect(JSON.parse(dry.stdout).check.problems).toContainEqual(expect.objectContaining({ name: 'it/notice.subject.liquid', line: 1, kind: 'unknown-variable' }));
    expect(existsSync(join(dir, 'it/notice.subject.liquid'))).toBe(false);
    const written = await cli(['write', id, 'it/notice.subject.liquid', '--file', '-'], 'Incidente – {{ controller }}');
    expect(written.status, written.stderr).toBe(0);
    expect(readFileSync(join(dir, 'it/notice.subject.liquid'), 'utf8')).toBe('Incidente – {{ controller }}');
    expect((await cli(['revert', id, 'it/notice.subject.liquid'])).status).toBe(0);
    expect(existsSync(join(dir, 'it/notice.subject.liquid'))).toBe(false);
    expect((await auditTrail(ctx, id)).filter((entry) => entry.action.startsWith('templates.file_') && JSON.parse(entry.details).name.startsWith('it/')).map((entry) => entry.action)).toEqual([
      'templates.file_written',
      'templates.file_reverted',
    ]);
  });

});
