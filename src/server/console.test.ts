import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { registerConsole } from './console.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-dist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bare app with the console from `dist`; errors answered as their code, as the real app's handler does. */
async function appWith(dist: string) {
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) => reply.code(error instanceof TocsinError ? 503 : 500).send({ code: (error as TocsinError).code }));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: 'NOT_FOUND' }));
  await registerConsole(app, dist);
  return app;
}

describe('the console on the staff listener', () => {
  it('answers its page for client routes with a fresh style nonce, its files for good, and leaves /api/ and unknown files to the 404', async () => {
    const dist = join(dir, 'built/');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<meta name="csp-nonce" content="__TOCSIN_CSP_NONCE__"><script type="module" src="/assets/app-1.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-1.js'), 'console.log(1)');
    const app = await appWith(dist);
    const nonces = new Set<string>();
    for (const url of ['/', '/incidents/abc123?status=open', '/account']) {
      const page = await app.inject(url);
      expect(page.statusCode, url).toBe(200);
      const nonce = /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))![1];
      expect(page.body).toBe(`<meta name="csp-nonce" content="${nonce}"><script type="module" src="/assets/app-1.js"></script>`);
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
      expect(page.headers['cache-control']).toBe('no-store');
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3);
    const file = await app.inject('/assets/app-1.js');
    expect(file.statusCode).toBe(200);
    expect(file.headers['cache-control']).toMatch(/immutable/);
    for (const url of ['/api/nothing', '/assets/missing.js', '/favicon.ico', '/assets/../index.html']) expect((await app.inject(url)).statusCode, url).toBe(404);
  });

  it('says how to build it when there is no build', async () => {
    const app = await appWith(join(dir, 'never-built/'));
    const page = await app.inject('/incidents');
    expect(page.statusCode).toBe(503);
    expect(page.json()).toEqual({ code: 'CONSOLE_NOT_BUILT' });
    expect((await app.inject('/api/incidents')).statusCode).toBe(404);
  });
});
