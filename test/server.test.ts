import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { auditTrail } from '../src/incidents/audit.ts';
import { PUBLIC_ROUTES, STAFF_ROUTES } from '../src/server/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, pathOf, startTestListeners, type Staff } from './helpers/server.ts';


describeEachDatabase('the server', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let staff: Staff;
  let admin: ReturnType<typeof asRole>;
  beforeAll(async () => {
    ctx = await database().context();
    staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
    admin = asRole(listeners.staffUrl, staff, 'admin');
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('answers no staff route on the public listener, and no public route on the staff listener', async () => {
    // A researcher's route may share a staff route's path (/api/bounty/reports): there, a staff token is no credential.
    const researcherRoute = new Set(PUBLIC_ROUTES.filter((route) => route.access === 'researcher').map((route) => `${route.method} ${route.url}`));
    for (const route of STAFF_ROUTES) {
      const response = await fetch(`${listeners.publicUrl}${pathOf(route.url)}`, { method: route.method, headers: { authorization: `Bearer ${staff.tokens.admin}` } });
      const expected = researcherRoute.has(`${route.method} ${route.url}`) ? 401 : 404;
      expect(response.status, `${route.method} ${route.url}`).toBe(expected);
      if (expected === 404) expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    for (const path of ['/api/openapi.json', '/api/docs', '/api/docs/static/index.html']) expect((await fetch(`${listeners.publicUrl}${path}`)).status).toBe(404);
    // A page's path on the staff listener is the console's (its page, or CONSOLE_NOT_BUILT before `npm run build:console`), never the portal's.
    const staffRoute = new Set(STAFF_ROUTES.map((route) => `${route.method} ${route.url}`));
    for (const route of PUBLIC_ROUTES) {
      const path = pathOf(route.url);
      const response = await fetch(`${listeners.staffUrl}${path}`, { method: route.method });
      const consolePage = route.method === 'GET' && !path.startsWith('/api/') && !/\.\w+$/.test(path);
      if (staffRoute.has(`${route.method} ${route.url}`)) expect(response.status, `${route.method} ${route.url}`).toBe(401);
      else if (!consolePage) expect(response.status, `${route.method} ${route.url}`).toBe(404);
      else expect(await response.text(), route.url).toMatch(/<meta name="csp-nonce"|"CONSOLE_NOT_BUILT"/);
    }
  });

  it('is healthy, ready with its database, and shows request durations by route pattern, never by URL', async () => {
    expect(await json(fetch(`${listeners.staffUrl}/healthz`))).toEqual({ status: 'ok' });
    expect(await json(fetch(`${listeners.staffUrl}/readyz`))).toEqual({ status: 'ready' });
    await admin('/api/incidents/zzzzzz/affected/someone%40private.example/explain');
    const metrics = await (await fetch(`${listeners.staffUrl}/metrics`)).text();
    expect(metrics).toMatch(/tocsin_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    expect(metrics).toContain('route="/api/incidents/:id/affected/:email/explain",status="404"');
    expect(metrics).not.toContain('private.example');
    expect(metrics).toContain('tocsin_failed_logins_total 0');
    expect(metrics).toContain('# TYPE tocsin_notices gauge');
    expect(metrics).toContain('# TYPE tocsin_jobs gauge');
  });

  it('creates, lists, shows and changes incidents, with the caller in the audit trail', async () => {
    const created = await admin('/api/incidents', { method: 'POST', body: JSON.stringify({ title: 'Orders read', aware_at: '2019-11-14T17:00:00+01:00', controller_country: 'fr' }) });
    expect(created.status).toBe(201);
    const incident = await json(created);
    expect(incident).toMatchObject({ title: 'Orders read', aware_at: '2019-11-14T16:00:00.000Z', controller_country: 'FR' });

    const list = await json(admin('/api/incidents'));
    expect(list.items.map((item: { id: string }) => item.id)).toContain(incident.id);

    const patched = await admin(`/api/incidents/${incident.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ contained_at: '2019-11-15T00:00:00Z', narratives: { en: '## What happened\n\nSomeone read orders.\n' } }),
    });
    expect(patched.status).toBe(200);
    expect((await json(patched)).changed).toEqual(['contained_at', 'narrative en']);
    const shown = await json(admin(`/api/incidents/${incident.id.toUpperCase()}`));
    expect(shown).toMatchObject({ id: incident.id, contained_at: '2019-11-15T00:00:00.000Z', narratives: { en: { what_happened: ['Someone read orders.'] } } });

    const trail = await auditTrail(ctx, incident.id);
    expect(trail.map((entry) => [entry.actor, entry.action])).toEqual([
      ['token:admin script', 'incident.created'],
      ['token:admin script', 'incident.updated'],
      ['token:admin script', 'incident.narrative_set'],
    ]);
    const audit = await json(admin(`/api/incidents/${incident.id}/audit`));
    expect(audit.items[1].details.changes.contained_at).toEqual({ before: null, after: '2019-11-15T00:00:00.000Z' });
    expect(await json(admin(`/api/incidents/${incident.id}/audit/verify`))).toMatchObject({ intact: true });
  });

  it('refuses bad requests with a 4xx in the one error shape, never a stack trace, and changes nothing', async () => {
    const before = (await json(admin('/api/incidents'))).items.length;
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => admin('/api/incidents', { method: 'POST', body, headers });
    const cases: [Promise<Response>, number, string][] = [
      [post('{"title": "x", '), 400, 'BAD_JSON'],
      [post(''), 400, 'BAD_JSON'],
      [post(JSON.stringify({ title: 'x', aware_at: '2019-11-14T16:00:00Z', admin: true })), 400, 'INVALID_REQUEST'],
      [post(JSON.stringify({ title: 'x', aware_at: '2019-11-14 16:00' })), 400, 'INVALID_REQUEST'],
      [post(JSON.stringify({ title: 'x', aware_at: '2019-11-14T16:00:00Z', occurred_from: '2019-11-02T00:00:00Z', occurred_to: '2019-11-01T00:00:00Z' })), 400, 'BAD_INCIDENT_FIELD'],
      [post(JSON.stringify([1, 2])), 400, 'INVALID_REQUEST'],
      [post('title=x', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post('<x/>', { 'content-type': 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post(JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024), aware_at: '2019-11-14T16:00:00Z' })), 413, 'BODY_TOO_LARGE'],
      [admin('/api/incidents/nope42'), 404, 'INCIDENT_NOT_FOUND'],
      [admin('/api/incidents/..%2F..%2Fetc%2Fpasswd'), 400, 'INVALID_REQUEST'],
      [admin('/api/incidents/%00%0d%0aX-Evil:%201'), 400, 'INVALID_REQUEST'],
      [post(JSON.stringify({ title: 'nul \u0000 byte', aware_at: '2019-11-14T16:00:00Z' })), database().dialect === 'postgres' ? 400 : 201, database().dialect === 'postgres' ? 'BAD_TEXT' : ''],
      [admin('/api/incidents/../../api/etc/passwd'), 404, 'NOT_FOUND'],
      [admin('/api/incidents/%E0%A4%A'), 400, 'BAD_URL'],
      [admin('/api/nothing-here'), 404, 'NOT_FOUND'],
      [admin('/api/incidents', { method: 'PUT' }), 404, 'NOT_FOUND'],
      [admin('/api/incidents?limit=5'), 200, ''],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      const text = await response.text();
      expect(response.status, text).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      if (code) expect(JSON.parse(text), text).toEqual({ error: { code, message: expect.any(String), ...(JSON.parse(text).error.next ? { next: expect.objectContaining({ action: expect.any(String) }) } : {}) } });
      expect(text).not.toMatch(/\bat .*\.ts:\d+|node_modules|Error:/);
    }
    // The next step is data, as the error carries it: the console offers it as an action.
    expect(await json(admin('/api/incidents/nope42'))).toEqual({ error: { code: 'INCIDENT_NOT_FOUND', message: expect.any(String), next: { action: 'list_incidents' } } });
    const unknownField = await json(post(JSON.stringify({ title: 'x', aware_at: '2019-11-14T16:00:00Z', admin: true })));
    expect(unknownField.error.message).toBe('body: unknown field admin');
    // Only SQLite stores the title with a NUL byte; nothing else was created.
    expect((await json(admin('/api/incidents'))).items.length).toBe(before + (database().dialect === 'sqlite' ? 1 : 0));
  });

  it('sends strict security headers, and HSTS only over TLS', async () => {
    const response = await admin('/api/incidents');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('documents every route in an OpenAPI 3.1 document, browsable at /api/docs without inline script', async () => {
    const document = await json(fetch(`${listeners.staffUrl}/api/openapi.json`));
    expect(document.openapi).toBe('3.1.0');
    for (const route of STAFF_ROUTES) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      expect(document.paths[path]?.[route.method.toLowerCase()]?.summary, `${route.method} ${route.url}`).toEqual(expect.any(String));
    }
    expect(document.paths['/api/incidents'].post.requestBody.content['application/json'].schema.properties.aware_at).toBeDefined();
    const docs = await fetch(`${listeners.staffUrl}/api/docs/static/index.html`);
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(docs.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
  });
});
