import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { httpsRequest as requestOverHttps, makeTestCertificate } from './helpers/tls.ts';
import { addStaff, passwordOf, startTestListeners } from './helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let certFile: string;
let keyFile: string;
beforeAll(() => {
  ({ certFile, keyFile } = makeTestCertificate(dir));
});

/** A request over HTTPS that trusts the test certificate. */
const httpsRequest = (url: string, init: { method?: string; body?: string } = {}) => requestOverHttps(url, certFile, init);

describeEachDatabase('the server over TLS and behind a proxy', (database) => {
  let ctx: OpenContext;
  beforeAll(async () => {
    ctx = await database().context();
    await addStaff(ctx);
  });
  afterAll(() => ctx?.close());

  it('serves HTTPS with HSTS, and a __Host- session cookie that is Secure', async () => {
    const listeners = await startTestListeners(ctx, { tls: { cert_file: certFile, key_file: keyFile } });
    try {
      expect(listeners.staffUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(listeners.publicUrl).toMatch(/^https:/);
      const health = await httpsRequest(`${listeners.staffUrl}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const signIn = await httpsRequest(`${listeners.staffUrl}/api/session`, { method: 'POST', body: JSON.stringify({ email: 'responder@staff.example', password: passwordOf('responder') }) });
      expect(signIn.status).toBe(200);
      expect(signIn.headers['set-cookie']?.[0]).toMatch(/^__Host-tocsin_session=[\w-]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    } finally {
      await listeners.close();
    }
  });

  it('refuses a key that does not load, a missing file or half a pair, before listening', async () => {
    const badKey = join(dir, 'bad-key.pem');
    writeFileSync(badKey, 'not a key');
    await expect(startTestListeners(ctx, { tls: { cert_file: certFile, key_file: badKey } })).rejects.toMatchObject({ code: 'TLS_INVALID', kind: 'invalid' });
    await expect(startTestListeners(ctx, { tls: { cert_file: certFile, key_file: join(dir, 'missing.pem') } })).rejects.toMatchObject({ code: 'TLS_UNREADABLE', kind: 'invalid' });
    await expect(startTestListeners(ctx, { tls: { cert_file: certFile } })).rejects.toMatchObject({ code: 'TLS_OPTIONS', kind: 'invalid' });
  });

  it("believes X-Forwarded-Proto only from --trust-proxy's addresses", async () => {
    const signIn = async (listeners: Listeners) => {
      const response = await fetch(`${listeners.staffUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ email: 'responder@staff.example', password: passwordOf('responder') }),
      });
      return response.headers.get('set-cookie') ?? '';
    };
    const trusted = await startTestListeners(ctx, { trust_proxy: ['127.0.0.0/8'] });
    const untrusted = await startTestListeners(ctx, { trust_proxy: ['10.0.0.0/8'] });
    try {
      expect(await signIn(trusted)).toMatch(/^__Host-tocsin_session=.*; Secure; SameSite=Strict$/);
      expect(await signIn(untrusted)).toMatch(/^tocsin_session=.*; HttpOnly; SameSite=Strict$/);
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });
});
