import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { FORM_TOKEN_SECONDS, issueFormToken } from '../src/portal/index.ts';
import { buildNotices } from '../src/notices/build.ts';
import { composeNotice } from '../src/notices/compose.ts';
import { incidentTemplates } from '../src/notices/templates.ts';
import { deriveCode } from '../src/notices/verification-code.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startTestListeners } from './helpers/server.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-portal-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 2000, logLines: 20_000, seed: 5 });
});

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const FORM = { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' };

describeEachDatabase('the customer portal', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let logged = '';
  /** A sent notice: its address, code and subject line, and an address whose notice was never sent. */
  let sent: { email: string; code: string; subject: string; sent_at: string };
  let unsent: { email: string; code: string };

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _encoding, done) => void ((logged += String(chunk)), done()) });
    // A clock that stands still: a throttle's wait never runs out between two requests, however slow the machine.
    const now = new Date('2019-11-20T09:00:00Z');
    ctx = await database().context({ logger: pino({ level: 'trace' }, sink), now: () => now });
    const { id } = await createDemoIncident(ctx);
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
    await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    await ctx.db.updateTable('notices').set({ state: 'sent', sent_at: '2019-11-15T10:00:00.000Z' }).where('incident_id', '=', id).where('seq', '=', 1).execute();
    const rows = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('seq', 'in', [1, 2]).orderBy('seq').execute();
    const secret = loadSecret(ctx.dataDir, ctx.config);
    const subject = composeNotice(rows[0], incidentTemplates(ctx.dataDir, id), secret).subject;
    sent = { email: rows[0].email, code: deriveCode(secret, id, rows[0].subject), subject, sent_at: '2019-11-15T10:00:00.000Z' };
    unsent = { email: rows[1].email, code: deriveCode(secret, id, rows[1].subject) };
    listeners = await startTestListeners(ctx, { shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] }, trust_proxy: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  /** A request from a client address of its own (through the trusted proxy), so throttles do not mix between tests. */
  const from = (client: string) => (path: string, init: RequestInit = {}) =>
    fetch(`${listeners.publicUrl}${path}`, { ...init, headers: { 'x-forwarded-for': client, ...init.headers } });
  /** The token a page served to `client` now carries in its forms. */
  const tokenFor = (client: string, at = ctx.now()) => issueFormToken(loadSecret(ctx.dataDir, ctx.config), client, at);
  const verify = (client: string, body: unknown) =>
    from(client)('/api/portal/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('serves its pages in the visitor’s language with the shop’s name, a strict CSP and its own stylesheet', async () => {
    const home = await fetch(`${listeners.publicUrl}/`, { headers: { ...BROWSER, 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' } });
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = home.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(home.headers.get('set-cookie')).toBeNull();
    const html = await home.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Example Phone Shop');
    expect(html).toContain('Ist diese E-Mail wirklich von uns?');
    expect(html).toContain('href="/?lang=fr"');

    const french = await (await fetch(`${listeners.publicUrl}/verify?lang=fr`, { headers: { 'accept-language': 'de' } })).text();
    expect(french).toContain('<html lang="fr">');
    expect(french).toContain('action="/api/portal/verify?lang=fr"');
    expect(french).toContain('href="/verify?lang=es"');

    // The portal is the public listener's alone (the staff listener's pages are the console's, when it is built); the staff API is not there.
    for (const path of ['/', '/verify', '/report']) {
      const staffPage = await fetch(`${listeners.staffUrl}${path}`, { headers: BROWSER });
      expect(await staffPage.text(), path).not.toContain('/api/portal/');
    }
    expect((await fetch(`${listeners.staffUrl}/portal.css`, { headers: BROWSER })).status).toBe(404);
    expect((await fetch(`${listeners.staffUrl}/api/portal/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: sent.email, code: sent.code }) })).status).toBe(404);
    expect((await fetch(`${listeners.publicUrl}/api/incidents`)).status).toBe(404);

    const css = await fetch(`${listeners.publicUrl}/portal.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.outcome');
  });

  it('says genuine with the date and subject line only for the code and address that belong together', async () => {
    const genuine = await verify('198.51.100.1', { email: ` ${sent.email.toUpperCase()} `, code: sent.code.toLowerCase().replaceAll('-', ' ') });
    expect(genuine.status).toBe(200);
    expect(await genuine.json()).toEqual({ genuine: true, sent_at: sent.sent_at, subject: sent.subject });
    expect(sent.subject).toMatch(/\S/);

    const answers = await Promise.all([
      verify('198.51.100.2', { email: sent.email, code: unsent.code }), // a real address, another's code
      verify('198.51.100.2', { email: unsent.email, code: unsent.code }), // a notice not sent (yet)
      verify('198.51.100.2', { email: 'stranger@example.org', code: sent.code }), // a stranger
      verify('198.51.100.2', { email: 'not an address', code: sent.code }),
    ]);
    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(bodies)).toEqual(new Set(['{"genuine":false,"typo":false}']));

    const typo = sent.code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await (await verify('198.51.100.2', { email: sent.email, code: typo })).json()).toEqual({ genuine: false, typo: true });
  });

  it('reads a SQLite file through a memory map once it serves: its checks read rows from all over it', async () => {
    if (database().dialect === 'postgres') return;
    const { rows } = await sql<{ mmap_size: number }>`PRAGMA mmap_size`.execute(ctx.db);
    expect(rows[0].mmap_size).toBeGreaterThanOrEqual(2 ** 30);
  });

  it('does the same work for every wrong answer: each counts once against the client and the address', async () => {
    const client = '198.51.100.3';
    const wrong = [
      { email: sent.email, code: unsent.code },
      { email: 'stranger@example.org', code: unsent.code },
      { email: sent.email, code: 'AAAAA' },
      { email: 'not an address\r\nBcc: x@evil.example', code: 'AAAAA' },
    ];
    for (const body of wrong) expect((await verify(client, body)).status).toBe(200);
    // Counted in the server's memory at once, and stored within a moment.
    const stored = () => ctx.db.selectFrom('login_throttles').select(['key', 'failures']).where('key', 'like', 'portal-verify:%').execute();
    await vi.waitFor(async () => expect((await stored()).find((row) => row.key === 'portal-verify:address:ffffc6336403')?.failures).toBe(4), { timeout: 10_000, interval: 50 });
    const rows = await stored();
    // The address key is a keyed hash: the table keeps nothing a visitor typed.
    const targets = rows.filter((row) => row.key.startsWith('portal-verify:target:'));
    expect(targets.every((row) => /^portal-verify:target:[0-9a-f]{64}$/.test(row.key))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('example');
  });

  it('throttles wrong codes per address, from any client, with backoff and Retry-After', async () => {
    const target = 'victim@example.net';
    // verify_target: 5 free failures by default, then each next try waits (1 s, 2 s, …).
    for (let i = 0; i < 6; i++) expect((await verify(`203.0.113.${i + 1}`, { email: target, code: unsent.code })).status).toBe(200);
    const throttled = await verify('203.0.113.50', { email: target.toUpperCase(), code: unsent.code });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await throttled.json()).toMatchObject({ error: { code: 'THROTTLED' } });
    // Other addresses are not held up.
    expect((await verify('203.0.113.50', { email: sent.email, code: sent.code })).status).toBe(200);
  });

  it('throttles one client address across addresses (an IPv6 /64 as one), and shows a browser the wait in its language', async () => {
    for (let i = 0; i < 21; i++) {
      const client = `2001:db8:1:2::${(i + 1).toString(16)}`;
      expect((await verify(client, { email: `person${i}@example.com`, code: unsent.code })).status).toBe(200);
    }
    const throttled = await from('2001:db8:1:2:ffff::1')('/api/portal/verify?lang=it', { method: 'POST', headers: FORM, body: new URLSearchParams({ form_token: tokenFor('2001:db8:1:2:ffff::1'), email: 'other@example.com', code: sent.code }).toString() });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(throttled.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await throttled.text()).toContain('Ci sono stati troppi tentativi');
    expect((await verify('2001:db8:1:3::1', { email: 'other@example.com', code: unsent.code })).status).toBe(200);
  });

  it('answers the form with a page: genuine, not recognised or a typo, values escaped', async () => {
    const post = (body: Record<string, string>, lang = 'en-GB') =>
      from('198.51.100.4')(`/api/portal/verify?lang=${lang}`, { method: 'POST', headers: FORM, body: new URLSearchParams({ form_token: tokenFor('198.51.100.4'), ...body }).toString() });
    const genuine = await post({ email: sent.email, code: sent.code }, 'fr');
    expect(genuine.status).toBe(200);
    const page = await genuine.text();
    expect(page).toContain('Oui, cet e-mail vient de nous');
    expect(page).toContain('15 novembre 2019');
    expect(page).toContain(sent.subject.replaceAll('&', '&amp;').replaceAll("'", '&#39;'));
    expect(page).not.toContain(sent.code);
    const unknown = await (await post({ email: '<script>alert(1)</script>@example.com', code: unsent.code })).text();
    expect(unknown).toContain('We do not recognise this email');
    expect(unknown).not.toContain('<script>');
    expect(await (await post({ email: sent.email, code: 'ABCDE' })).text()).toContain('Check the code for a typo');
  });

  it('refuses hostile and malformed requests with a clear 4xx, as JSON or as a page', async () => {
    const client = from('198.51.100.5');
    const cases: [RequestInit, number, string][] = [
      [{ body: 'email=a@b.example&code=x', headers: { 'content-type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ body: '{"email":', headers: { 'content-type': 'application/json' } }, 400, 'BAD_JSON'],
      [{ body: JSON.stringify({ email: 'a@b.example' }), headers: { 'content-type': 'application/json' } }, 400, 'INVALID_REQUEST'],
      [{ body: JSON.stringify({ email: 'a@b.example', code: 'x', extra: 1 }), headers: { 'content-type': 'application/json' } }, 400, 'INVALID_REQUEST'],
      [{ body: JSON.stringify({ email: `${'a'.repeat(400)}@b.example`, code: 'x' }), headers: { 'content-type': 'application/json' } }, 400, 'INVALID_REQUEST'],
      [{ body: `email=a@b.example&code=${'A'.repeat(2 * 1024 * 1024)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 413, 'BODY_TOO_LARGE'],
      [{ body: JSON.stringify({ email: 'a@b.example', code: 'x' }), headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' } }, 403, 'CROSS_ORIGIN'],
      [{ body: 'email=a@b.example&code=x', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } }, 403, 'CROSS_ORIGIN'],
    ];
    for (const [init, status, code] of cases) {
      const response = await client('/api/portal/verify', { method: 'POST', ...init });
      expect(response.status, code).toBe(status);
      expect(await response.json()).toMatchObject({ error: { code } });
    }
    // NUL bytes and control characters are data: no match, no crash, nothing stored.
    const nul = await verify('198.51.100.5', { email: 'a\u0000@b.example', code: `${sent.code}\u0000` });
    expect(await nul.json()).toEqual({ genuine: false, typo: true });
    const page = await client('/api/portal/verify?lang=es', { method: 'POST', headers: FORM, body: 'email=' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Faltaba algo en el formulario');
    const missing = await client('/nothing-here', { headers: BROWSER });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('There is no such page.');
  });

  const SUSPICIOUS = Buffer.from(
    'From: "Example Phone Shop" <security@examp1e-shop.example>\r\nTo: ana@example.com\r\nSubject: Confirm your password\r\n\r\n<script>alert(1)</script><img src="https://evil.example/pixel">\u0000\xff\r\n',
    'latin1',
  );
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const stored = (reference: string) => ctx.db.selectFrom('phishing_reports').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

  it('keeps a reported .eml, a message/rfc822 body and a pasted source as opaque bytes, with a reference', async () => {
    const form = new FormData();
    form.append('form_token', tokenFor('198.51.100.6'));
    form.append('message', new Blob([SUSPICIOUS]), 'suspicious.eml');
    form.append('reply_to', 'Ana.Garcia@Example.com');
    const uploaded = await from('198.51.100.6')('/api/portal/reports', { method: 'POST', body: form });
    expect(uploaded.status).toBe(202);
    const { reference } = (await uploaded.json()) as { reference: string };
    expect(reference).toMatch(/^R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const row = await stored(reference);
    expect(Buffer.from(row.message).equals(SUSPICIOUS)).toBe(true);
    expect(row).toMatchObject({ received_as: 'file', size: SUSPICIOUS.byteLength, sha256: sha256(SUSPICIOUS), reply_to: 'Ana.Garcia@example.com', received_at: '2019-11-20T09:00:00.000Z' });

    const raw = await from('198.51.100.6')('/api/portal/reports', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: SUSPICIOUS });
    expect(raw.status).toBe(202);
    const rawRow = await stored(((await raw.json()) as { reference: string }).reference);
    expect(rawRow).toMatchObject({ received_as: 'message', sha256: sha256(SUSPICIOUS), reply_to: null });
    expect(Buffer.from(rawRow.message).equals(SUSPICIOUS)).toBe(true);

    const pasted = await from('198.51.100.6')('/api/portal/reports?lang=de', {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ form_token: tokenFor('198.51.100.6'), source: 'Subject: <b>win</b>\r\n\r\nclick', reply_to: '' }).toString(),
    });
    expect(pasted.status).toBe(202);
    const page = await pasted.text();
    expect(page).toContain('Vielen Dank für Ihre Meldung');
    const reference2 = /class="reference">([^<]+)</.exec(page)![1];
    expect(await stored(reference2)).toMatchObject({ received_as: 'pasted', size: 28, reply_to: null });
    // What was reported is never shown back.
    expect(page).not.toContain('win');
    expect(await ctx.db.selectFrom('phishing_reports').select('reference').execute()).toHaveLength(3);
  });

  it('takes the browser form as multipart: an empty file part and the pasted source', async () => {
    const form = new FormData();
    form.append('form_token', tokenFor('198.51.100.6'));
    form.append('message', new Blob([]), '');
    form.append('source', 'Subject: hello\r\n\r\nbody');
    form.append('reply_to', '');
    const response = await from('198.51.100.6')('/api/portal/reports?lang=fr', { method: 'POST', headers: BROWSER, body: form });
    expect(response.status).toBe(202);
    expect(await response.text()).toContain('Merci pour votre signalement');
  });

  it('refuses reports that are empty, too large, double, or carry a hostile reply address, keeping nothing', async () => {
    const before = (await ctx.db.selectFrom('phishing_reports').select('reference').execute()).length;
    const post = (body: RequestInit['body'], headers: Record<string, string> = {}) => from('198.51.100.7')('/api/portal/reports', { method: 'POST', headers, body });
    const formOf = (entries: [string, string | Blob][]) => {
      const form = new FormData();
      form.append('form_token', tokenFor('198.51.100.7'));
      for (const [name, value] of entries) form.append(name, value as Blob, ...(value instanceof Blob ? ['m.eml'] : []));
      return form;
    };
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
    const cases: [RequestInit['body'], Record<string, string>, number, string][] = [
      [' \r\n ', { 'content-type': 'message/rfc822' }, 400, 'NO_MESSAGE'],
      [formOf([['source', '']]), {}, 400, 'NO_MESSAGE'],
      [huge, { 'content-type': 'message/rfc822' }, 413, 'REPORT_TOO_LARGE'],
      [Buffer.concat([huge, huge]), { 'content-type': 'message/rfc822' }, 413, 'BODY_TOO_LARGE'],
      [formOf([['message', new Blob([huge])]]), {}, 413, 'REPORT_TOO_LARGE'],
      [formOf([['source', huge.toString()]]), {}, 413, 'REPORT_TOO_LARGE'],
      [formOf([['message', new Blob([SUSPICIOUS])], ['source', 'Subject: x']]), {}, 400, 'TWO_MESSAGES'],
      [formOf([['message', new Blob([SUSPICIOUS])], ['reply_to', 'a@b.example\r\nBcc: victim@example.com']]), {}, 400, 'BAD_REPLY_ADDRESS'],
      [formOf([['message', new Blob([SUSPICIOUS])], ['reply_to', 'a@b.example, c@d.example']]), {}, 400, 'BAD_REPLY_ADDRESS'],
      [formOf([['message', new Blob([SUSPICIOUS])], ['reply_to', 'a\u0000@b.example']]), {}, 400, 'BAD_REPLY_ADDRESS'],
      [formOf([['attachment', new Blob([SUSPICIOUS])]]), {}, 400, 'UNKNOWN_FIELD'],
      [formOf([['message', new Blob([SUSPICIOUS])], ['message', new Blob([SUSPICIOUS])]]), {}, 413, 'ONE_FILE_PER_UPLOAD'],
      [JSON.stringify({ source: 'x', extra: 1 }), { 'content-type': 'application/json' }, 400, 'INVALID_REQUEST'],
      [SUSPICIOUS, { 'content-type': 'application/octet-stream' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [SUSPICIOUS, { 'content-type': 'message/rfc822', 'sec-fetch-site': 'cross-site' }, 403, 'CROSS_ORIGIN'],
    ];
    for (const [body, headers, status, code] of cases) {
      const response = await post(body, headers);
      expect(response.status, code).toBe(status);
      expect(await response.json(), code).toMatchObject({ error: { code } });
    }
    const page = await post(formOf([['source', '']]), { ...BROWSER, 'accept-language': 'it' });
    expect(await page.text()).toContain('La segnalazione non contiene alcun messaggio');
    expect((await ctx.db.selectFrom('phishing_reports').select('reference').execute()).length).toBe(before);
  });

  it("takes a form only with the token of a page served to the same client lately; JSON, message/rfc822 and a program's multipart need none", async () => {
    const client = from('198.51.100.8');
    const tokenIn = async (path: string) => /name="form_token" value="([^"]+)"/.exec(await (await client(path, { headers: BROWSER })).text())![1];
    const postForm = (fields: Record<string, string>, lang = 'en-GB') =>
      client(`/api/portal/verify?lang=${lang}`, { method: 'POST', headers: FORM, body: new URLSearchParams({ email: 'someone@example.com', code: unsent.code, ...fields }).toString() });

    const accepted = await postForm({ form_token: await tokenIn('/verify') });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('We do not recognise this email');

    const refusals: [Record<string, string>, string][] = [
      [{}, 'FORM_TOKEN_MISSING'],
      [{ form_token: tokenFor('198.51.100.9') }, 'FORM_TOKEN_INVALID'], // another visitor's
      [{ form_token: `${tokenFor('198.51.100.8').split('.')[0]}.${'0'.repeat(32)}` }, 'FORM_TOKEN_INVALID'], // forged
      [{ form_token: tokenFor('198.51.100.8', new Date(ctx.now().getTime() - (FORM_TOKEN_SECONDS + 60) * 1000)) }, 'FORM_EXPIRED'],
    ];
    for (const [fields, code] of refusals) {
      const page = await postForm(fields, 'de');
      expect(page.status, code).toBe(403);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text(), code).toContain(code === 'FORM_EXPIRED' ? 'Dieses Formular war zu lange geöffnet.' : 'Dieses Formular konnte nicht angenommen werden.');
      const api = await client('/api/portal/verify', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'a@b.example', code: 'x', ...fields }).toString() });
      expect(await api.json()).toMatchObject({ error: { code } });
    }

    // A browser's multipart report (it says where it comes from): refused before its file is read, and nothing kept; taken with the /report page's token.
    const before = (await ctx.db.selectFrom('phishing_reports').select('reference').execute()).length;
    const report = (token?: string, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) => {
      const form = new FormData();
      if (token !== undefined) form.append('form_token', token);
      form.append('message', new Blob([SUSPICIOUS]), 'suspicious.eml');
      return client('/api/portal/reports', { method: 'POST', headers, body: form });
    };
    expect(await (await report()).json()).toMatchObject({ error: { code: 'FORM_TOKEN_MISSING' } });
    expect(await (await report(undefined, { cookie: 'a=b' })).json()).toMatchObject({ error: { code: 'FORM_TOKEN_MISSING' } });
    expect(await (await report(tokenFor('198.51.100.9'))).json()).toMatchObject({ error: { code: 'FORM_TOKEN_INVALID' } });
    expect((await ctx.db.selectFrom('phishing_reports').select('reference').execute()).length).toBe(before);
    expect((await report(await tokenIn('/report'))).status).toBe(202);
    // A program's upload (curl -F: no Origin, Sec-Fetch-Site or cookie) is the API's, and needs none.
    expect((await report(undefined, {})).status).toBe(202);

    // JSON and message/rfc822 cannot be sent by another site's form: they carry no token.
    expect((await verify('198.51.100.8', { email: 'a@b.example', code: unsent.code })).status).toBe(200);
    expect((await client('/api/portal/reports', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: SUSPICIOUS })).status).toBe(202);
  });

  it('counts code checks by answer and kept reports on the staff side’s /metrics, without addresses', async () => {
    const metrics = await (await fetch(`${listeners.staffUrl}/metrics`)).text();
    for (const result of ['genuine', 'not_genuine', 'typo', 'throttled']) expect(metrics).toMatch(new RegExp(`tocsin_portal_verifications_total\\{result="${result}"\\} [1-9]`));
    expect(metrics).toMatch(/tocsin_portal_reports_total [1-9]/);
    expect(metrics).toContain('route="/api/portal/verify"');
    expect(metrics).not.toContain('example.com');
  });

  it('logs no address and no code', async () => {
    expect(logged).not.toContain(sent.email);
    expect(logged).not.toContain(sent.code);
    expect(logged).not.toContain('stranger@example.org');
  });
});
