import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STAFF_ROUTES } from '../src/server/index.ts';

// Issue 14: nothing only the CLI can do. Every route of the staff API is called by the console,
// or is listed here with the reason it is not; a route added to src/server/routes.ts without
// either fails this test. The console calls the API only through web/src/api.ts, so a route is
// "called" where its path is written as the client's argument: api('METHOD', '/api/…'),
// linkTo('/api/…') (a GET the browser fetches itself: a download, a frame, an event stream),
// uploadFile (the multipart upload) or importMessages (reported messages, the file as the body).

const WEB = fileURLToPath(new URL('../web/src', import.meta.url));

/** Routes the console does not call, each with why. */
const EXEMPT: Readonly<Record<string, string>> = {
  'GET /healthz': 'for the load balancer and the orchestrator, not for people',
  'GET /readyz': 'for the load balancer and the orchestrator, not for people',
  'GET /metrics': 'for Prometheus',
  'POST /api/incidents/:id/templates/init': 'the Templates page writes each file into the incident on its own: copying every built-in file at once is for editing them outside Tocsin',
  'GET /api/incidents/:id/delivery': 'the Campaign page shows the same progress, within GET …/campaigns',
};

/** Every `METHOD url` of the staff API the console's sources call. */
function calledByTheConsole(): Set<string> {
  const called = new Set<string>();
  const files = readdirSync(WEB, { recursive: true, encoding: 'utf8' }).filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.type-test.ts'));
  for (const file of files) {
    const source = readFileSync(join(WEB, file), 'utf8');
    for (const [, method, url] of source.matchAll(/\bapi\(\s*'([A-Z]+)'\s*,\s*'([^']+)'/g)) called.add(`${method} ${url}`);
    for (const [, url] of source.matchAll(/\blinkTo\(\s*'([^']+)'/g)) called.add(`GET ${url}`);
    if (/\buploadFile\(/.test(source)) called.add('POST /api/incidents/:id/uploads');
    if (/\bimportMessages\(/.test(source)) called.add('POST /api/phishing/messages');
  }
  return called;
}

describe('the console can do what the API does', () => {
  const called = calledByTheConsole();
  const routes = STAFF_ROUTES.map((route) => `${route.method} ${route.url}`);

  it('finds the calls it looks for (the scan itself works)', () => {
    expect(called).toContain('GET /api/incidents');
    expect(called).toContain('PATCH /api/incidents/:id');
    expect(called).toContain('GET /api/incidents/:id/reports/:jurisdiction');
  });

  it('calls every route of the staff API but the exempted ones', () => {
    const missing = routes.filter((route) => !called.has(route) && !Object.hasOwn(EXEMPT, route));
    expect(missing, 'routes the console never calls: call them from a page, or exempt them with a reason').toEqual([]);
  });

  it('exempts only routes that exist and that the console does not call', () => {
    const stale = Object.keys(EXEMPT).filter((route) => !routes.includes(route) || called.has(route));
    expect(stale, 'exemptions to remove').toEqual([]);
  });

  it('calls no route the API does not have', () => {
    // The type check catches most; this catches an address written for the wrong method.
    expect([...called].filter((route) => !routes.includes(route))).toEqual([]);
  });
});
