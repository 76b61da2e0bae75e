import { URI } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { auditTrail } from '../src/incidents/index.ts';
import type { Role } from '../src/accounts/index.ts';
import { PUBLIC_ROUTES, STAFF_ROUTES } from '../src/server/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import * as accounts from '../src/accounts/index.ts';
import { addStaff, asRole, json, passwordOf, pathOf, ROLES, startTestListeners, type Staff } from './helpers/server.ts';


describeEachDatabase('who may call what', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let staff: Staff;
  beforeAll(async () => {
    ctx = await database().context();
    staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('walks every route with every role: 403 exactly where the role lacks the permission, 401 without credentials', async () => {
    const seen: string[] = [];
    const researcherRoutes = PUBLIC_ROUTES.filter((route) => route.access === 'researcher');
    // A researcher's route is on the public listener only, and no staff credential opens it.
    expect(STAFF_ROUTES.filter((route) => (route.access as string) === 'researcher')).toEqual([]);
    for (const route of researcherRoutes) {
      const withToken = await fetch(`${listeners.publicUrl}${pathOf(route.url)}`, { method: route.method, headers: { authorization: `Bearer ${staff.tokens.admin}` } });
      expect(withToken.status, `public ${route.method} ${route.url}`).toBe(401);
    }
    for (const route of [...STAFF_ROUTES, ...PUBLIC_ROUTES]) {
      if (route.access === 'researcher') continue;
      const url = `${listeners.staffUrl}${pathOf(route.url)}`;
      const anonymous = await fetch(url, { method: route.method });
      if (route.access === 'anyone') expect(anonymous.status, `${route.method} ${route.url}`).not.toBe(401);
      else {
        expect(anonymous.status, `${route.method} ${route.url}`).toBe(401);
        expect(await json(anonymous)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      }
      for (const role of ROLES) {
        const response = await fetch(url, { method: route.method, headers: { authorization: `Bearer ${staff.tokens[role]}` } });
        const allowed = route.access === 'anyone' || route.access === 'signed_in' || accounts.can(role, route.access);
        const what = `${role} ${route.method} ${route.url} → ${response.status}`;
        if (allowed) expect([401, 403], what).not.toContain(response.status);
        else expect(response.status, what).toBe(403);
        // A page's path on the staff listener is the console's, which answers 503 CONSOLE_NOT_BUILT in a checkout that has not built it yet.
        const consoleNotBuilt = response.status === 503 && ((await response.clone().json().catch(() => ({}))) as { error?: { code?: string } }).error?.code === 'CONSOLE_NOT_BUILT';
        if (!consoleNotBuilt) expect(response.status, what).toBeLessThan(500);
        seen.push(what);
      }
    }
    expect(seen.length).toBe((STAFF_ROUTES.length + PUBLIC_ROUTES.length - researcherRoutes.length) * ROLES.length);
  });

  it('signs in with a session cookie that is HttpOnly and SameSite=Strict, refuses it cross-origin, and signs out', async () => {
    const refused = await fetch(`${listeners.staffUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'viewer@staff.example', password: 'wrong' }) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signedIn = await fetch(`${listeners.staffUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'responder@staff.example', password: passwordOf('responder') }),
    });
    expect(signedIn.status).toBe(200);
    expect(await json(signedIn)).toMatchObject({ account: { email: 'responder@staff.example', role: 'responder', via: 'session' } });
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^tocsin_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0];

    const me = await json(fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie } }));
    expect(me.account.email).toBe('responder@staff.example');

    const create = (headers: Record<string, string>) =>
      fetch(`${listeners.staffUrl}/api/incidents`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ title: 'By cookie', aware_at: '2019-11-14T16:00:00Z' }) });
    const crossOrigin: Record<string, string>[] = [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }];
    for (const headers of crossOrigin) {
      const response = await create(headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await json(response)).toMatchObject({ error: { code: 'CROSS_ORIGIN' } });
    }
    const sameOrigin = await create({ origin: listeners.staffUrl, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(201);
    const [created] = await auditTrail(ctx, (await json(sameOrigin)).id);
    expect(created.actor).toBe('responder@staff.example');

    const metrics = await (await fetch(`${listeners.staffUrl}/metrics`)).text();
    expect(metrics).toContain('tocsin_failed_logins_total 1');

    const signedOut = await fetch(`${listeners.staffUrl}/api/session`, { method: 'DELETE', headers: { cookie, origin: listeners.staffUrl } });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^tocsin_session=; Max-Age=0; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect((await fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('signs out everywhere: every session of the account ends, others stay', async () => {
    const signIn = async (role: Role) => {
      const response = await fetch(`${listeners.staffUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `${role}@staff.example`, password: passwordOf(role) }) });
      return (response.headers.get('set-cookie') ?? '').split(';')[0];
    };
    const [laptop, phone, other] = [await signIn('privacy'), await signIn('privacy'), await signIn('viewer')];
    expect((await fetch(`${listeners.staffUrl}/api/session/logout-everywhere`, { method: 'POST', headers: { cookie: laptop } })).status).toBe(204);
    expect((await fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie: phone } })).status).toBe(401);
    expect((await fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie: other } })).status).toBe(200);
  });

  it('lets an account that must enrol two-factor sign-in do that and nothing else, then everything its role may', async () => {
    await accounts.setTwoFactorRequired(ctx, true);
    try {
      const signedIn = await fetch(`${listeners.staffUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'viewer@staff.example', password: passwordOf('viewer') }) });
      expect(signedIn.status).toBe(200);
      let cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0];
      const blocked = await fetch(`${listeners.staffUrl}/api/incidents`, { headers: { cookie } });
      expect(blocked.status).toBe(403);
      expect(await json(blocked)).toMatchObject({ error: { code: 'ENROL_2FA_FIRST' } });

      const enrolment = await json(fetch(`${listeners.staffUrl}/api/session/totp`, { method: 'POST', headers: { cookie } }));
      expect(enrolment.qr_svg).toMatch(/^<svg/);
      const code = URI.parse(enrolment.otpauth_uri).generate();
      // A wrong code is a mistake of someone signed in (400), not a sign-out (401) the console would act on.
      const wrong = await fetch(`${listeners.staffUrl}/api/session/totp/confirm`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ code: code === '000000' ? '111111' : '000000' }) });
      expect(wrong.status).toBe(400);
      expect(await json(wrong)).toMatchObject({ error: { code: 'ENROLMENT_CODE_WRONG' } });
      const confirmed = await fetch(`${listeners.staffUrl}/api/session/totp/confirm`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      expect(confirmed.status).toBe(200);
      expect((await json(confirmed)).recovery_codes.length).toBeGreaterThan(0);
      const renewed = confirmed.headers.get('set-cookie');
      if (renewed) cookie = renewed.split(';')[0];
      expect((await fetch(`${listeners.staffUrl}/api/incidents`, { headers: { cookie } })).status).toBe(200);

      const byToken = await fetch(`${listeners.staffUrl}/api/session/totp`, { method: 'POST', headers: { authorization: `Bearer ${staff.tokens.admin}` } });
      expect(byToken.status).toBe(400);
    } finally {
      await accounts.setTwoFactorRequired(ctx, false);
    }
  });

  it('sets a password once through the set-password link, then changes it given the current one, ending the other sessions', async () => {
    const admin = asRole(listeners.staffUrl, staff, 'admin');
    const post = (path: string, body: unknown, cookie?: string) =>
      fetch(`${listeners.staffUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
    const signIn = async (password: string) => {
      const response = await post('/api/session', { email: 'newcomer@staff.example', password });
      return { status: response.status, cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] };
    };
    const added = await json(admin('/api/users', { method: 'POST', body: JSON.stringify({ email: 'newcomer@staff.example', role: 'viewer' }) }));
    const token = new URL(added.set_password_link).hash.slice(1);
    const first = 'harbour-quince-lantern-8841';

    const weak = await post('/api/session/set-password', { token, password: 'password1234' });
    expect(weak.status).toBe(400);
    expect(await json(weak)).toMatchObject({ error: { code: 'WEAK_PASSWORD' } });
    const set = await post('/api/session/set-password', { token, password: first });
    expect(set.status, 'the link still works after a weak password').toBe(200);
    expect(await json(set)).toMatchObject({ account: { email: 'newcomer@staff.example', has_password: true } });
    const again = await post('/api/session/set-password', { token, password: `${first}-again` });
    expect(again.status).toBe(404);
    expect(await json(again)).toMatchObject({ error: { code: 'LINK_INVALID' } });
    expect((await post('/api/session/set-password', { token: 'not-a-link', password: first })).status).toBe(404);

    const laptop = await signIn(first);
    const phone = await signIn(first);
    expect([laptop.status, phone.status]).toEqual([200, 200]);
    const second = 'mosaic-tundra-whistle-5530';
    const wrong = await post('/api/session/password', { current: 'not the password', password: second }, laptop.cookie);
    expect(wrong.status).toBe(400);
    expect(await json(wrong)).toMatchObject({ error: { code: 'CURRENT_PASSWORD_WRONG' } });
    expect((await post('/api/session/password', { current: first, password: second }, laptop.cookie)).status).toBe(204);
    expect((await fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie: laptop.cookie } })).status, 'this session stays').toBe(200);
    expect((await fetch(`${listeners.staffUrl}/api/session`, { headers: { cookie: phone.cookie } })).status, 'the others end').toBe(401);
    expect((await signIn(first)).status).toBe(401);
    expect((await signIn(second)).status).toBe(200);
  });

  it('refuses an expired set-password link', async () => {
    const admin = asRole(listeners.staffUrl, staff, 'admin');
    const added = await json(admin('/api/users', { method: 'POST', body: JSON.stringify({ email: 'late@staff.example', role: 'viewer' }) }));
    // The link's 24 hours are over: its stored expiry is moved into the past.
    await ctx.db.updateTable('set_password_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const response = await fetch(`${listeners.staffUrl}/api/session/set-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: new URL(added.set_password_link).hash.slice(1), password: 'harbour-quince-lantern-8841' }),
    });
    expect(response.status).toBe(404);
    expect(await json(response)).toMatchObject({ error: { code: 'LINK_INVALID' } });
  });

  // Last: the account and the address it throttles stay throttled for a while.
  it('answers a throttled sign-in 429 with Retry-After, in the one error shape', async () => {
    const proxied = await startTestListeners(ctx, { trust_proxy: ['127.0.0.1'] });
    try {
      const attempt = () =>
        fetch(`${proxied.staffUrl}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.77' },
          body: JSON.stringify({ email: 'viewer@staff.example', password: 'not the password' }),
        });
      const statuses: number[] = [];
      let throttled: Response | undefined;
      for (let i = 0; i < 6 && !throttled; i++) {
        const response = await attempt();
        statuses.push(response.status);
        if (response.status === 429) throttled = response;
      }
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(throttled, statuses.join()).toBeDefined();
      expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await json(throttled!)).error).toMatchObject({ code: expect.stringMatching(/^(THROTTLED|LOCKED_OUT)$/), message: expect.any(String) });
    } finally {
      await proxied.close();
    }
  });
});
