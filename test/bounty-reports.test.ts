import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { closeUnanswered, keepBountyRunning, sendBountyMails } from '../src/bounty/index.ts';
import type { Context, OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { PUBLIC_ROUTES } from '../src/server/routes.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const PASSWORD = 'quartz-lantern-harbour-93';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake image bytes')]);
const DAY_MS = 86_400_000;

/** A report's fields with hostile bytes where they reach a page, a header or a file name. */
const HOSTILE_REPORT = {
  asset: 'api.shop.example.com',
  weakness: 'CWE-639',
  title: 'Order lookup by IMEI reads <script>alert(1)</script> other orders',
  description: 'Any order is readable.\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) and ![x](https://evil.example/x.png)',
  steps: '1. `GET /api/aftersales/imei/1`\n2. <iframe src="https://evil.example"></iframe>',
  impact: 'Names, phones and addresses of **every** customer.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
};

describeEachDatabase('bug bounty researchers, reports and triage', (database) => {
  let base: OpenContext;
  let ctx: Context;
  let staff: Staff;
  let smtp: TestSmtpServer;
  let listeners: Listeners;
  let pub: string;

  beforeAll(async () => {
    base = await database().context();
    staff = await addStaff(base);
    smtp = await startSmtpServer();
    ctx = {
      ...base,
      config: {
        ...base.config,
        public_url: 'https://help.shop.example.com',
        bounty: BOUNTY,
        shop: { ...base.config.shop, name: 'Example Phone Shop', domains: ['shop.example.com'] },
        sender: { ...base.config.sender, from: 'security@shop.example.com' },
        smtp: { ...base.config.smtp, url: `smtp://127.0.0.1:${smtp.port}` },
      },
    };
    listeners = await startTestListeners(ctx);
    pub = listeners.publicUrl;
  });
  afterAll(async () => {
    await listeners?.close();
    await smtp?.close();
    await base?.close();
  });

  /** The mails sent since `from`, decoded enough to read: recipient and source. */
  async function mailsSince(from: number): Promise<{ to: string; text: string }[]> {
    await sendBountyMails(ctx);
    return smtp.received.slice(from).map((mail) => ({ to: mail.to, text: decodeMail(mail.raw.toString('utf8')) }));
  }

  function post(path: string, body: unknown, cookie?: string) {
    return fetch(`${pub}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  }

  /** Signs a researcher up, verifies the address through the mailed link, signs in: their cookie. */
  async function researcher(email: string, locale = 'en-GB'): Promise<string> {
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    expect((await post('/api/bounty/researchers', { email, password: PASSWORD, locale })).status).toBe(202);
    const [mail] = await mailsSince(before);
    expect(mail.to).toBe(email);
    const token = /\/bounty\/verify\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
    const early = await post('/api/bounty/session', { email, password: PASSWORD });
    expect(await json(early)).toMatchObject({ error: { code: 'EMAIL_NOT_VERIFIED' } });
    expect((await post('/api/bounty/researchers/verify', { token })).status).toBe(200);
    expect((await post('/api/bounty/researchers/verify', { token })).status).toBe(404);
    return signIn(email);
  }

  async function signIn(email: string, otp?: string): Promise<string> {
    const response = await post('/api/bounty/session', { email, password: PASSWORD, ...(otp ? { otp } : {}) });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    return cookie.split(';')[0];
  }

  function get(path: string, cookie: string, accept = 'application/json') {
    return fetch(`${pub}${path}`, { headers: { cookie, accept } });
  }

  let ada: string;
  let bob: string;
  let reference: string;
  let second: { reference: string };

  it('signs researchers up with a verified address, never telling whether an address has an account', async () => {
    ada = await researcher('ada@research.example');
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    // Again, with another password: the same answer, and the owner is told instead of a new link.
    expect((await post('/api/bounty/researchers', { email: 'ada@research.example', password: 'another-long-password-1' })).status).toBe(202);
    const [mail] = await mailsSince(before);
    expect(mail.text).toContain('has an account already');
    expect(mail.text).not.toContain('token=');
    expect((await post('/api/bounty/session', { email: 'ada@research.example', password: 'another-long-password-1' })).status).toBe(401);
    expect((await post('/api/bounty/researchers', { email: 'not an address', password: PASSWORD })).status).toBe(400);
    expect((await post('/api/bounty/researchers', { email: 'short@research.example', password: 'short' })).status).toBe(400);
    bob = await researcher('bob@research.example', 'fr');
    expect(await json(get('/api/bounty/session', ada))).toMatchObject({ researcher: { email: 'ada@research.example', email_verified: true, two_factor: [] } });
  });

  it('keeps researchers and staff apart: no staff credential opens a researcher route, no researcher cookie a staff one', async () => {
    const token = await fetch(`${pub}/api/bounty/reports`, { headers: { authorization: `Bearer ${staff.tokens.admin}` } });
    expect(token.status).toBe(401);
    const researcherOnStaff = await fetch(`${listeners.staffUrl}/api/bounty/reports`, { headers: { cookie: ada, authorization: `Bearer ${ada.split('=')[1]}` } });
    expect(researcherOnStaff.status).toBe(401);
    const cookieOnStaff = await fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie: ada.replace('tocsin_researcher', 'tocsin_session') } });
    expect(cookieOnStaff.status).toBe(401);
  });

  it('takes a report with attachments typed by their bytes and names kept harmless, and refuses bad fields', async () => {
    const attachments = [
      { filename: '../../etc/passwd"\r\nX-Injected: 1\u202e.png', content_base64: PNG.toString('base64') },
      { filename: 'proof.png', content_base64: Buffer.from('<html><script>alert(1)</script></html>').toString('base64') },
    ];
    const created = await post('/api/bounty/reports', { ...HOSTILE_REPORT, attachments }, ada);
    expect(created.status).toBe(201);
    const report = await json(created);
    reference = report.reference;
    expect(reference).toMatch(/^B-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(report).toMatchObject({ state: 'new', severity: 'high', score: 7.5, researcher_cvss: { version: '3.1', score: 7.5 }, triager_cvss: null });
    const names = report.attachments.map((attachment: { filename: string; content_type: string }) => [attachment.filename, attachment.content_type]);
    expect(names).toContainEqual(['passwd"X-Injected: 1.png', 'image/png']);
    expect(names).toContainEqual(['proof.png', 'text/plain']);

    const refused: [Record<string, unknown>, number, string][] = [
      [{ ...HOSTILE_REPORT, asset: 'evil.example' }, 400, 'ASSET_NOT_IN_SCOPE'],
      [{ ...HOSTILE_REPORT, weakness: 'XSS' }, 400, 'INVALID_REPORT'],
      [{ ...HOSTILE_REPORT, title: 'two\nlines' }, 400, 'INVALID_REPORT'],
      [{ ...HOSTILE_REPORT, cvss: 'CVSS:3.1/AV:N' }, 400, 'CVSS_INVALID'],
      [{ ...HOSTILE_REPORT, attachments: [{ filename: 'tool.exe', content_base64: Buffer.from([0x4d, 0x5a, 0, 0, 3]).toString('base64') }] }, 415, 'ATTACHMENT_TYPE'],
      [{ ...HOSTILE_REPORT, attachments: Array.from({ length: 6 }, () => ({ filename: 'a.png', content_base64: PNG.toString('base64') })) }, 400, 'TOO_MANY_ATTACHMENTS'],
    ];
    for (const [body, status, code] of refused) {
      const response = await post('/api/bounty/reports', body, ada);
      expect(response.status, code).toBe(status);
      expect(await json(response)).toMatchObject({ error: { code } });
    }
    expect((await json(get('/api/bounty/reports', ada))).reports).toHaveLength(1);
  });

  it("walks every researcher route with another researcher's ids: not found, as if the report did not exist", async () => {
    expect((await json(get('/api/bounty/reports', bob))).reports).toEqual([]);
    const withIds = PUBLIC_ROUTES.filter((route) => route.access === 'researcher' && route.url.includes(':reference'));
    expect(withIds.length).toBe(4);
    for (const route of withIds) {
      const path = route.url.replace(':reference', reference);
      const body = route.url.endsWith('/comments') ? { body: 'mine now' } : {};
      const response = await fetch(`${pub}${path}`, { method: route.method, headers: { cookie: bob, 'content-type': 'application/json' }, ...(route.method === 'POST' ? { body: JSON.stringify(body) } : {}) });
      expect(response.status, `${route.method} ${path}`).toBe(404);
      expect(await response.text()).not.toContain(HOSTILE_REPORT.impact);
    }
    const missing = await get('/api/bounty/reports/B-0000-0000-0000', ada);
    expect(await json(missing)).toMatchObject({ error: { code: 'NO_SUCH_REPORT' } });
  });

  it('renders the report page with the Markdown sanitised and everything typed escaped', async () => {
    const page = await get(`/bounty/reports/${reference}`, ada, 'text/html');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<strong>every</strong>');
    const found = /<script|<img|<iframe|href="javascript:/.exec(html);
    expect(found && html.slice(found.index - 80, found.index + 80)).toBeNull();
    expect((await get('/bounty/reports', ada, 'text/html')).status).toBe(200);
    expect((await get('/bounty/reports/new', ada, 'text/html')).status).toBe(200);
  });

  it('triages on the staff API: the triager’s vector counts, the reward is suggested, every change is audited and mailed', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    expect((await asRole(listeners.staffUrl, staff, 'viewer')(`/api/bounty/reports`)).status).toBe(403);
    const queue = await json(responder('/api/bounty/reports?state=new'));
    expect(queue.reports.map((report: { reference: string }) => report.reference)).toEqual([reference]);
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    const triaged = await json(
      responder(`/api/bounty/reports/${reference}/triage`, { method: 'POST', body: JSON.stringify({ state: 'triaged', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', comment: 'Confirmed, thank you.' }) }),
    );
    expect(triaged).toMatchObject({
      state: 'triaged',
      severity: 'critical',
      score: 9.1,
      researcher_cvss: { score: 7.5 },
      triager_cvss: { score: 9.1 },
      suggested_reward: { amount: 3000, currency: 'EUR', tier: 'high' },
      researcher: { email: 'ada@research.example' },
    });
    expect(triaged.events.map((event: { event: string; actor: string }) => [event.event, event.actor]), JSON.stringify(triaged.events)).toEqual([
      ['submitted', expect.stringMatching(/^researcher:/)],
      ['cvss_set', 'token:responder script'],
      ['comment', 'token:responder script'],
      ['state_changed', 'token:responder script'],
    ]);
    const mails = await mailsSince(before);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(`Your report ${reference} is now: Triaged`);

    const note = await responder(`/api/bounty/reports/${reference}/comments`, { method: 'POST', body: JSON.stringify({ body: 'Internal: the fix owner is the API team.', internal: true }) });
    expect(note.status).toBe(201);
    const seen = await json(get(`/api/bounty/reports/${reference}`, ada));
    expect(seen.comments).toEqual([expect.objectContaining({ author: 'team', body: 'Confirmed, thank you.' })]);
    expect(JSON.stringify(seen)).not.toContain('Internal:');
    expect(JSON.stringify(seen)).not.toContain('responder script');
    expect(seen.triager_cvss).toMatchObject({ score: 9.1 });
  });

  it('serves attachments to the triage team only, as downloads with an encoded file name', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    const view = await json(responder(`/api/bounty/reports/${reference}`));
    const png = view.attachments.find((attachment: { content_type: string }) => attachment.content_type === 'image/png');
    const html = view.attachments.find((attachment: { content_type: string }) => attachment.content_type === 'text/plain');
    const file = await responder(`/api/bounty/reports/${reference}/attachments/${png.id}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="passwd\\"X-Injected: 1.png"');
    expect(file.headers.get('x-injected')).toBeNull();
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    const text = await responder(`/api/bounty/reports/${reference}/attachments/${html.id}`);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(text.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await asRole(listeners.staffUrl, staff, 'viewer')(`/api/bounty/reports/${reference}/attachments/${png.id}`)).status).toBe(403);
    expect((await fetch(`${pub}/api/bounty/reports/${reference}/attachments/${png.id}`, { headers: { cookie: ada } })).status).toBe(404);
  });

  it('closes a report as a duplicate of a named one, telling its researcher the original’s time and state, in their language', async () => {
    second = await json(post('/api/bounty/reports', { ...HOSTILE_REPORT, title: 'IMEI lookup leaks orders' }, bob));
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    const missing = await responder(`/api/bounty/reports/${second.reference}/triage`, { method: 'POST', body: JSON.stringify({ state: 'duplicate' }) });
    expect(await json(missing)).toMatchObject({ error: { code: 'DUPLICATE_OF_MISSING' } });
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    const closed = await json(responder(`/api/bounty/reports/${second.reference}/triage`, { method: 'POST', body: JSON.stringify({ state: 'duplicate', duplicate_of: reference }) }));
    expect(closed).toMatchObject({ state: 'duplicate', duplicate_of: reference });
    const [mail] = await mailsSince(before);
    expect(mail.to).toBe('bob@research.example');
    expect(mail.text).toContain(`Votre rapport ${second.reference} est maintenant : Doublon`);
    expect(mail.text).toContain(`rapport ${reference}`);
    expect(mail.text).toContain('Trié');
  });

  it('closes a report left without an answer after needs_more_info_days; an answer in time sends it back', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    await responder(`/api/bounty/reports/${reference}/triage`, { method: 'POST', body: JSON.stringify({ state: 'needs_more_info', comment: 'Which IMEI did you use?' }) });
    expect((await post(`/api/bounty/reports/${reference}/comments`, { body: 'Any IMEI works: `1`.' }, ada)).status).toBe(201);
    expect((await json(responder(`/api/bounty/reports/${reference}`))).state).toBe('triaged');

    await responder(`/api/bounty/reports/${reference}/triage`, { method: 'POST', body: JSON.stringify({ state: 'needs_more_info' }) });
    expect(await closeUnanswered({ ...ctx, now: () => new Date(Date.now() + 13 * DAY_MS) })).toEqual([]);
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    expect(await closeUnanswered({ ...ctx, now: () => new Date(Date.now() + 15 * DAY_MS) })).toEqual([reference]);
    const view = await json(responder(`/api/bounty/reports/${reference}`));
    expect(view.state).toBe('not_applicable');
    expect(view.events.at(-1)).toMatchObject({ actor: 'tocsin', event: 'state_changed', from_state: 'needs_more_info', to_state: 'not_applicable', details: { reason: 'no_answer', days: 14 } });
    const [mail] = await mailsSince(before);
    expect(mail.text).toContain('Not applicable');
  });

  it('asks for the authenticator code at sign-in once the researcher turned it on', async () => {
    const enrolment = await json(post('/api/bounty/session/totp', null, ada));
    const code = new TOTP({ secret: Secret.fromBase32(enrolment.secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
    const confirmed = await post('/api/bounty/session/totp/confirm', { code }, ada);
    expect(confirmed.status).toBe(200);
    expect(await json(post('/api/bounty/session', { email: 'ada@research.example', password: PASSWORD }))).toMatchObject({ error: { code: 'OTP_REQUIRED' } });
    // The code just used is spent: the next step's is taken.
    const next = new TOTP({ secret: Secret.fromBase32(enrolment.secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + 30_000 });
    await signIn('ada@research.example', next);

    // Lost the phone: an admin removes the app; only an admin may.
    expect((await asRole(listeners.staffUrl, staff, 'responder')('/api/bounty/researchers/remove-2fa', { method: 'POST', body: JSON.stringify({ email: 'ada@research.example' }) })).status).toBe(403);
    const removed = await asRole(listeners.staffUrl, staff, 'admin')('/api/bounty/researchers/remove-2fa', { method: 'POST', body: JSON.stringify({ email: 'ADA@research.example' }) });
    expect(await json(removed)).toMatchObject({ researcher: { email: 'ada@research.example', two_factor: [] } });
    ada = await signIn('ada@research.example');
  });

  it('closes unanswered reports and sends the mails while the server runs (keepBountyRunning)', async () => {
    const responder = asRole(listeners.staffUrl, staff, 'responder');
    await responder(`/api/bounty/reports/${second.reference}/triage`, { method: 'POST', body: JSON.stringify({ state: 'needs_more_info' }) });
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    const stop = keepBountyRunning({ ...ctx, now: () => new Date(Date.now() + 15 * DAY_MS) });
    try {
      await vi.waitFor(
        async () => {
          expect((await json(responder(`/api/bounty/reports/${second.reference}`))).state).toBe('not_applicable');
          expect(smtp.received.length).toBe(before + 1);
        },
        { timeout: 20_000, interval: 200 },
      );
    } finally {
      stop();
    }
    expect(smtp.received[before].to).toBe('bob@research.example');
  });

  it('keeps a mail the server refuses for the next round, and gives it up after five tries', async () => {
    await sendBountyMails(ctx);
    const refusing = await startSmtpServer({ data: () => ({ responseCode: 550, message: 'no thanks' }) });
    try {
      const refusingCtx = { ...ctx, config: { ...ctx.config, smtp: { ...ctx.config.smtp, url: `smtp://127.0.0.1:${refusing.port}` } } };
      const responder = asRole(listeners.staffUrl, staff, 'responder');
      await responder(`/api/bounty/reports/${reference}/comments`, { method: 'POST', body: JSON.stringify({ body: 'Yes.' }) });
      const rounds = [];
      // Each round tries the mail once; the next waits a minute more per try.
      expect(await sendBountyMails(refusingCtx)).toEqual({ sent: 0, failed: 1 });
      expect(await sendBountyMails(refusingCtx)).toEqual({ sent: 0, failed: 0 });
      for (let round = 1; round <= 5; round++) rounds.push(await sendBountyMails({ ...refusingCtx, now: () => new Date(Date.now() + round * 10 * 60_000) }));
      expect(rounds).toEqual([...Array(4).fill({ sent: 0, failed: 1 }), { sent: 0, failed: 0 }]);
      expect(await sendBountyMails({ ...ctx, now: () => new Date(Date.now() + 3600_000) })).toEqual({ sent: 0, failed: 0 });
    } finally {
      await refusing.close();
    }
  });

  it('resets a forgotten password through a mailed link, ending every session, without telling which addresses have an account', async () => {
    await sendBountyMails(ctx);
    const before = smtp.received.length;
    expect((await post('/api/bounty/researchers/reset', { email: 'nobody@research.example' })).status).toBe(202);
    expect(await mailsSince(before)).toEqual([]);
    expect((await post('/api/bounty/researchers/reset', { email: 'bob@research.example' })).status).toBe(202);
    const [mail] = await mailsSince(before);
    expect(mail.to).toBe('bob@research.example');
    expect(mail.text).toContain('pour choisir un nouveau mot de passe');
    const token = /\/bounty\/reset\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
    // Not a verification link, and the other way round.
    expect((await post('/api/bounty/researchers/verify', { token })).status).toBe(404);
    expect(await json(post('/api/bounty/researchers/reset/confirm', { token, password: 'short' }))).toMatchObject({ error: { code: 'WEAK_PASSWORD' } });
    const changed = await post('/api/bounty/researchers/reset/confirm', { token, password: 'a-brand-new-passphrase-42' });
    expect(changed.status).toBe(200);
    expect((await get('/api/bounty/session', bob)).status).toBe(401);
    expect((await post('/api/bounty/researchers/reset/confirm', { token, password: 'yet-another-passphrase-42' })).status).toBe(404);
    expect((await post('/api/bounty/session', { email: 'bob@research.example', password: PASSWORD })).status).toBe(401);
    const signedIn = await post('/api/bounty/session', { email: 'bob@research.example', password: 'a-brand-new-passphrase-42' });
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0];
    expect((await post('/api/bounty/session/sign-out', null, cookie)).status).toBe(204);
    expect((await get('/api/bounty/session', cookie)).status).toBe(401);
  });

  it('rate-limits sign-ups per client address, with Retry-After', async () => {
    let response: Response | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      response = await post('/api/bounty/researchers', { email: `many${attempt}@research.example`, password: PASSWORD });
      if (response.status === 429) break;
      expect(response.status).toBe(202);
    }
    expect(response!.status).toBe(429);
    expect(Number(response!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await json(response!)).toMatchObject({ error: { code: 'THROTTLED' } });
  });
});

/** A mail's text: quoted-printable soft breaks joined and its escapes decoded, enough to read the words. */
function decodeMail(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, '');
  return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}
