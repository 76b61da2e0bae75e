import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as accounts from '../src/accounts/index.ts';
import type { OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { SoftwareAuthenticator } from './helpers/passkey.ts';
import { json, startTestListeners } from './helpers/server.ts';

const PASSWORD = 'cobalt-harbour-quietly-juggles-58';
const START = Date.parse('2026-03-02T09:00:00Z');

// Staff passkeys over the staff API: the ceremonies, the session cookie they give, and who may
// use whose passkey. The services' own cases (user verification, expiry, another origin, hostile
// answers) are test/accounts.test.ts's.
describeEachDatabase('staff passkeys over the API', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  /** The staff listener as people reach it by name: a passkey's relying party is a host name, never an IP address. */
  let base: string;
  let origin: string;
  let n = 0;
  /** The clock the server reads; still but where a test moves it. */
  let clock = START;
  /** Each test's client address (the listener trusts its own proxy header), so one test's failures throttle no other. */
  const address = () => `198.51.100.${++n}`;

  beforeAll(async () => {
    // A still clock: a throttled address stays throttled however slow the machine.
    ctx = await database().context({ now: () => new Date(clock) });
    listeners = await startTestListeners(ctx, { trust_proxy: ['127.0.0.1'] });
    base = listeners.staffUrl.replace('127.0.0.1', 'localhost');
    origin = base;
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  function call(path: string, options: { method?: string; cookie?: string; from: string; body?: unknown }) {
    const headers: Record<string, string> = { 'x-forwarded-for': options.from };
    if (options.cookie) Object.assign(headers, { cookie: options.cookie, origin });
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${base}${path}`, { method: options.method ?? 'POST', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  }
  const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;

  async function signInWithPassword(email: string, from: string): Promise<string> {
    const response = await call('/api/session', { from, body: { email, password: PASSWORD } });
    expect(response.status, email).toBe(200);
    return cookieOf(response);
  }

  /** A new account, signed in with its password, with a passkey added through the API: its cookie (renewed) and device. */
  async function withPasskey(name: string, from: string) {
    const email = `${name}.${n}@shop.example`;
    const { account } = await accounts.addAccount(ctx, { email, role: 'responder', password: PASSWORD });
    let cookie = await signInWithPassword(email, from);
    const device = new SoftwareAuthenticator(origin, 'localhost');
    const { options } = await json(call('/api/session/passkeys/options', { cookie, from }));
    const added = await call('/api/session/passkeys', { cookie, from, body: { credential: device.register(options) } });
    expect(added.status).toBe(201);
    expect(await json(added.clone())).toEqual({ passkey: { id: device.id, created_at: new Date(START).toISOString(), last_used_at: null } });
    expect((await call('/api/session', { method: 'GET', cookie, from })).status, 'the old cookie ended').toBe(401);
    cookie = cookieOf(added);
    return { email, account, cookie, device };
  }

  async function signInWithPasskey(device: SoftwareAuthenticator, from: string): Promise<Response> {
    const optionsResponse = await call('/api/session/passkey/options', { from });
    expect(optionsResponse.status).toBe(200);
    const { options } = await json(optionsResponse);
    return call('/api/session/passkey', { from, body: { credential: device.authenticate(options) } });
  }

  it('adds a passkey, which then signs in by itself and the password alone no longer does; each answer works once', async () => {
    const from = address();
    const email = `ada.${n}@shop.example`;
    await accounts.addAccount(ctx, { email, role: 'privacy', password: PASSWORD });
    const cookie = await signInWithPassword(email, from);
    expect(await json(call('/api/session/passkeys', { method: 'GET', cookie, from }))).toEqual({ items: [] });
    const { options } = await json(call('/api/session/passkeys/options', { cookie, from }));
    expect(options).toMatchObject({ rp: { id: 'localhost' }, user: { name: email }, authenticatorSelection: { residentKey: 'required', userVerification: 'required' } });
    const device = new SoftwareAuthenticator(origin, 'localhost');
    const registration = device.register(options);
    const added = await call('/api/session/passkeys', { cookie, from, body: { credential: registration } });
    expect(added.status).toBe(201);
    expect(added.headers.get('set-cookie')).toMatch(/^tocsin_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Strict$/);
    const renewed = cookieOf(added);
    expect((await call('/api/session', { method: 'GET', cookie, from })).status, 'the session got a new token').toBe(401);
    const replayed = await call('/api/session/passkeys', { cookie: renewed, from, body: { credential: registration } });
    expect([replayed.status, (await json(replayed)).error.code]).toEqual([409, 'PASSKEY_CHALLENGE']);

    const password = await call('/api/session', { from, body: { email, password: PASSWORD } });
    expect([password.status, (await json(password)).error.code], 'the password alone no longer opens it').toEqual([401, 'PASSKEY_REQUIRED']);

    const answer = device.authenticate((await json(call('/api/session/passkey/options', { from }))).options);
    const signedIn = await call('/api/session/passkey', { from, body: { credential: answer } });
    expect(signedIn.status).toBe(200);
    expect(await json(signedIn.clone())).toMatchObject({ account: { email, role: 'privacy', via: 'session' } });
    expect(signedIn.headers.get('set-cookie')).toMatch(/^tocsin_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Strict$/);
    const session = cookieOf(signedIn);
    expect((await json(call('/api/session', { method: 'GET', cookie: session, from }))).account.email).toBe(email);
    expect(await json(call('/api/session/passkeys', { method: 'GET', cookie: session, from }))).toEqual({
      items: [{ id: device.id, created_at: new Date(START).toISOString(), last_used_at: new Date(START).toISOString() }],
    });
    const again = await call('/api/session/passkey', { from, body: { credential: answer } });
    expect([again.status, (await json(again)).error.code], 'replayed').toEqual([409, 'PASSKEY_CHALLENGE']);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it("refuses another account's passkey: its ceremony, its removal, and a passkey no account has", async () => {
    const from = address();
    const ada = await withPasskey('ada', from);
    const bo = await withPasskey('bo', from);

    // An answer to Bo's registration ceremony does not add a passkey to Ada's account.
    const bosOptions = (await json(call('/api/session/passkeys/options', { cookie: bo.cookie, from }))).options;
    const intruder = new SoftwareAuthenticator(origin, 'localhost');
    const crossed = await call('/api/session/passkeys', { cookie: ada.cookie, from, body: { credential: intruder.register(bosOptions) } });
    expect([crossed.status, (await json(crossed)).error.code]).toEqual([409, 'PASSKEY_CHALLENGE']);

    const removeBos = await call(`/api/session/passkeys/${bo.device.id}`, { method: 'DELETE', cookie: ada.cookie, from });
    expect([removeBos.status, (await json(removeBos)).error.code]).toEqual([404, 'NO_SUCH_PASSKEY']);
    expect((await json(call('/api/session/passkeys', { method: 'GET', cookie: bo.cookie, from }))).items.map((passkey: { id: string }) => passkey.id)).toEqual([bo.device.id]);

    // Each passkey signs in its own account, whoever's browser asked for the options.
    expect((await json(signInWithPasskey(bo.device, from))).account.email).toBe(bo.email);
    const stranger = await signInWithPasskey(intruder, from);
    expect([stranger.status, (await json(stranger)).error.code]).toEqual([401, 'LOGIN_FAILED']);
    const log = await accounts.securityLog(ctx);
    expect(log.find((row) => row.event === 'login_failed' && row.details.reason === 'unknown_passkey' && row.address === from)).toBeDefined();

    const byToken = await fetch(`${base}/api/session/passkeys`, { headers: { authorization: `Bearer ${(await accounts.createApiToken(ctx, { name: `script ${n}`, role: 'admin' })).token}` } });
    expect([byToken.status, (await json(byToken)).error.code], 'an API token has no passkeys').toEqual([400, 'SIGN_IN_AS_PERSON']);
  });

  it('removes a passkey: it signs in no more, the password alone does again, and the security log has it', async () => {
    const from = address();
    const { email, account, cookie, device } = await withPasskey('cy', from);
    const removed = await call(`/api/session/passkeys/${device.id}`, { method: 'DELETE', cookie, from });
    expect(removed.status).toBe(204);
    expect(await json(call('/api/session/passkeys', { method: 'GET', cookie, from }))).toEqual({ items: [] });
    const again = await call(`/api/session/passkeys/${device.id}`, { method: 'DELETE', cookie, from });
    expect([again.status, (await json(again)).error.code]).toEqual([404, 'NO_SUCH_PASSKEY']);
    const refused = await signInWithPasskey(device, from);
    expect([refused.status, (await json(refused)).error.code]).toEqual([401, 'LOGIN_FAILED']);
    await signInWithPassword(email, from);
    const events = (await accounts.securityLog(ctx)).filter((row) => row.account_id === account.id).map((row) => row.event);
    expect(events).toEqual(expect.arrayContaining(['passkey_added', 'passkey_removed']));
    const bad = await call('/api/session/passkeys/not%20an%20id', { method: 'DELETE', cookie, from });
    expect(bad.status).toBe(400);
  });

  it('changes passkeys and two-factor sign-in only within ten minutes of signing in: a session taken over later cannot keep the account', async () => {
    const from = address();
    const { cookie, device } = await withPasskey('di', from);
    const begun = (await json(call('/api/session/passkeys/options', { cookie, from }))).options;
    try {
      clock += accounts.RECENT_SIGN_IN_MS + 60_000;
      expect((await call('/api/session', { method: 'GET', cookie, from })).status, 'the session itself lives on').toBe(200);
      const refused = {
        options: await call('/api/session/passkeys/options', { cookie, from }),
        add: await call('/api/session/passkeys', { cookie, from, body: { credential: new SoftwareAuthenticator(origin, 'localhost').register(begun) } }),
        remove: await call(`/api/session/passkeys/${device.id}`, { method: 'DELETE', cookie, from }),
        totp: await call('/api/session/totp', { cookie, from }),
        totpConfirm: await call('/api/session/totp/confirm', { cookie, from, body: { code: '123456' } }),
      };
      for (const [what, response] of Object.entries(refused)) expect([response.status, (await json(response)).error.code], what).toEqual([403, 'SIGN_IN_AGAIN']);
      expect((await json(call('/api/session/passkeys', { method: 'GET', cookie, from }))).items.map((passkey: { id: string }) => passkey.id)).toEqual([device.id]);

      const signedInAgain = cookieOf(await signInWithPasskey(device, from));
      expect((await call(`/api/session/passkeys/${device.id}`, { method: 'DELETE', cookie: signedInAgain, from })).status).toBe(204);
    } finally {
      clock = START;
    }
  });

  it('throttles failed passkey sign-ins per address, as failed password sign-ins, and counts them', async () => {
    const from = address();
    const stranger = new SoftwareAuthenticator(origin, 'localhost');
    // The address policy's ten free mistakes, and one more that starts the wait.
    for (let attempt = 0; attempt < 11; attempt++) expect((await signInWithPasskey(stranger, from)).status, `attempt ${attempt + 1}`).toBe(401);
    const throttled = await signInWithPasskey(stranger, from);
    expect([throttled.status, (await json(throttled)).error.code]).toEqual([429, 'THROTTLED']);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    const password = await call('/api/session', { from, body: { email: 'nobody@shop.example', password: PASSWORD } });
    expect(password.status, 'a password sign-in from that address waits too').toBe(429);
    expect((await signInWithPasskey(stranger, address())).status, 'another address does not').toBe(401);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^tocsin_failed_logins_total (1[3-9]|[2-9]\d)$/m);
  });

  it("binds passkeys to the host name the console is reached at, and refuses a hostile Host", async () => {
    const viaProxy = await fetch(`${listeners.staffUrl}/api/session/passkey/options`, { method: 'POST', headers: { 'x-forwarded-host': 'tocsin.shop.example', 'x-forwarded-proto': 'https' } });
    expect((await json(viaProxy)).options.rpId).toBe('tocsin.shop.example');
    for (const host of ['evil.example/<script>', 'a b', 'x@evil.example']) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const port = new URL(listeners.staffUrl).port;
        const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/session/passkey/options', headers: { host } }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, body }));
        });
        request.on('error', reject).end();
      });
      expect(answer.status, host).toBe(400);
      expect(answer.body, host).not.toContain('<script>');
    }
  });
});
