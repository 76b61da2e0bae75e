import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TocsinError } from '../lib/errors.ts';
import { cspHeader } from './csp.ts';

/** Where `npm run build:console` (and `npm start`) put the console: web/dist, beside the server's sources. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** What stands in the built page for each response's nonce (web/index.html). */
const NONCE_PLACEHOLDER = '__TOCSIN_CSP_NONCE__';

/**
 * The staff console on the staff listener: its hashed files under /assets/, cached for good, and its
 * page for `/` and every other path a client route may have (a reload on /incidents/abc123), never
 * for /api/, which answers in JSON. Each page carries a fresh nonce, the only inline style the CSP
 * admits (the component library's style elements); scripts come from this origin's files alone.
 */
export async function registerConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  const indexFile = `${dist}index.html`;
  const page = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null;
  if (page !== null) {
    await app.register(fastifyStatic, { root: `${dist}assets`, prefix: '/assets/', maxAge: '365d', immutable: true, index: false, decorateReply: false });
  }
  const answer = (path: string, reply: FastifyReply) => {
    // An API path, or a file name the console does not have, is not a page.
    if (path.startsWith('/api/') || /\.[A-Za-z0-9]+$/.test(path)) return reply.callNotFound();
    if (page === null) {
      throw new TocsinError('CONSOLE_NOT_BUILT', 'the console is not built in this checkout; run `npm run build:console` (npm start does it), then restart tocsin serve', { kind: 'unavailable' });
    }
    const nonce = randomBytes(16).toString('base64');
    return reply
      .header('content-security-policy', cspHeader({ styleNonce: nonce }))
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(page.replaceAll(NONCE_PLACEHOLDER, nonce));
  };
  app.get('/', { schema: { hide: true } }, (_request, reply) => answer('/', reply));
  app.get('/*', { schema: { hide: true } }, (request, reply) => answer(request.url.split('?')[0], reply));
}
