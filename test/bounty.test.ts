import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { currentSecurityTxt, generateSigningKey, importSigningKey, keepSecurityTxtSigned, signingKey } from '../src/bounty/index.ts';
import type { Config } from '../src/config.ts';
import type { Context, OpenContext } from '../src/context.ts';
import { BOUNTY, freePort } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { httpsRequest, makeTestCertificate } from './helpers/tls.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const DAY_MS = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'tocsin-bounty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let certFile: string;
let keyFile: string;
beforeAll(() => {
  ({ certFile, keyFile } = makeTestCertificate(dir));
});
const httpsGet = (url: string) => httpsRequest(url, certFile);

/** gpg in a home of its own: imports `publicKey`, then verifies `signed`; its status lines. */
function gpgVerify(publicKey: string, signed: string): string {
  const home = mkdtempSync(join(dir, 'gnupg-'));
  try {
    execFileSync('gpg', ['--batch', '--quiet', '--import'], { input: publicKey, env: { ...process.env, GNUPGHOME: home }, stdio: ['pipe', 'ignore', 'ignore'] });
    const file = join(home, 'security.txt');
    writeFileSync(file, signed);
    return execFileSync('gpg', ['--batch', '--status-fd', '1', '--verify', file], { env: { ...process.env, GNUPGHOME: home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The fields of a security.txt, signed or not: name and value per line, comments and the signature's armor left out. */
function fieldsOf(body: string): [string, string][] {
  const signedText = /^-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash: [^\n]+\n)*\n([\s\S]*?)\n-----BEGIN PGP SIGNATURE-----/.exec(body);
  const text = signedText ? signedText[1] : body;
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Za-z0-9-]+): (.+)$/.exec(line);
      expect(match, `a field line: ${JSON.stringify(line)}`).not.toBeNull();
      return [match![1], match![2]] as [string, string];
    });
}

describeEachDatabase('the bug bounty programme on the public listener', (database) => {
  let base: OpenContext;
  let staff: Staff;
  let port: number;
  /** The context with the programme configured and public_url naming the test listener. */
  let ctx: Context;
  const at = (iso: string): Context => ({ ...ctx, now: () => new Date(iso) });
  beforeAll(async () => {
    base = await database().context();
    staff = await addStaff(base);
    port = await freePort();
    ctx = { ...base, config: { ...base.config, public_url: `https://127.0.0.1:${port}`, bounty: BOUNTY, shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
  });
  afterAll(() => base?.close());

  function listen(config: Partial<Config> = {}) {
    return startTestListeners(ctx, { tls: { cert_file: certFile, key_file: keyFile }, public_listen: `127.0.0.1:${port}`, ...config });
  }

  it('serves security.txt unsigned, without Encryption, until a key is made; and no public key', async () => {
    const listeners = await listen();
    try {
      const served = await httpsGet(`${listeners.publicUrl}/.well-known/security.txt`);
      expect(served.status).toBe(200);
      expect(served.body).not.toContain('BEGIN PGP');
      const names = fieldsOf(served.body).map(([name]) => name);
      expect(names).toContain('Expires');
      expect(names).not.toContain('Encryption');
      expect((await httpsGet(`${listeners.publicUrl}/bounty/pgp-key.txt`)).status).toBe(404);
    } finally {
      await listeners.close();
    }
  });

  it('meets every requirement of RFC 9116 with a generated key, and gpg verifies its signature', async () => {
    const key = await generateSigningKey(at('2026-12-04T10:00:00Z'));
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(key.user_ids).toEqual(['Example Phone Shop security <security@shop.example.com>']);
    const listeners = await listen();
    try {
      const url = `${listeners.publicUrl}/.well-known/security.txt`;
      const served = await httpsGet(url);
      // §3: served over https, as text/plain with a UTF-8 charset.
      expect(url).toMatch(/^https:\/\//);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe('text/plain; charset=utf-8');
      // §2.2, §2.3: cleartext-signed; every line ends the same way, with LF.
      expect(served.body.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\n')).toBe(true);
      expect(served.body.endsWith('\n')).toBe(true);
      expect(served.body).not.toContain("\r");
      const fields = fieldsOf(served.body);
      const values = (name: string) => fields.filter(([field]) => field === name).map(([, value]) => value);
      // §2.4: field names from the registry only (§6.4).
      const registry = ['Acknowledgments', 'Canonical', 'Contact', 'Encryption', 'Expires', 'Hiring', 'Policy', 'Preferred-Languages', 'CSAF'];
      for (const [name] of fields) expect(registry).toContain(name);
      // §2.5.3: one Contact or more, each a URI; web ones https.
      expect(values('Contact')).toEqual(BOUNTY.contacts);
      // §2.5.5: exactly one Expires, an RFC 3339 date-time, in the future and under a year ahead.
      expect(values('Expires')).toHaveLength(1);
      expect(values('Expires')[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
      const expires = Date.parse(values('Expires')[0]);
      expect(expires).toBeGreaterThan(Date.now());
      expect(expires - Date.now()).toBeLessThan(365 * DAY_MS);
      // §2.5.2: Canonical is where it was fetched from; at most one Preferred-Languages (§2.5.8), comma-separated tags.
      expect(values('Canonical')).toEqual([url]);
      expect(values('Preferred-Languages')).toEqual(['en-GB, fr']);
      // §2.5.1, §2.5.4, §2.5.7: the hall of fame, the key and the policy, each served over https by this listener.
      for (const [name, path] of [['Acknowledgments', '/bounty/hall-of-fame'], ['Encryption', '/bounty/pgp-key.txt'], ['Policy', '/bounty']] as const) {
        expect(values(name)).toEqual([`${listeners.publicUrl}${path}`]);
        expect((await httpsGet(values(name)[0])).status, name).toBe(200);
      }
      // The key served at Encryption is the one that signed it, and gpg says the signature is good.
      const servedKey = (await httpsGet(values('Encryption')[0])).body;
      const status = gpgVerify(servedKey, served.body);
      expect(status).toMatch(new RegExp(`^\\[GNUPG:\\] VALIDSIG ${key.fingerprint} `, 'm'));
      expect(status).toMatch(/^\[GNUPG:\] GOODSIG /m);
      // A byte changed, and gpg refuses it.
      expect(() => gpgVerify(servedKey, served.body.replace('Contact: mailto:security@', 'Contact: mailto:attacker@'))).toThrow();
      // Only the public listener has it: the staff listener has no such route.
      expect((await httpsGet(`${listeners.staffUrl}/.well-known/security.txt`)).status).toBe(404);
    } finally {
      await listeners.close();
    }
  });

  it('is signed anew when fewer than renew_days remain before Expires, and at once when the configuration changes', async () => {
    await generateSigningKey(at('2026-12-04T10:00:00Z'));
    const first = await currentSecurityTxt(at('2026-12-04T10:00:00Z'));
    expect(first.expires_at).toBe('2027-06-02T10:00:00.000Z');
    // 31 days before Expires: still the same file.
    expect((await currentSecurityTxt(at('2027-05-02T09:00:00Z'))).body).toBe(first.body);
    // 29 days before: signed anew, valid 180 days from then.
    const renewed = await currentSecurityTxt(at('2027-05-04T10:00:00Z'));
    expect(renewed.expires_at).toBe('2027-10-31T10:00:00.000Z');
    expect(renewed.body).toContain('Expires: 2027-10-31T10:00:00Z');
    expect(renewed.body).not.toBe(first.body);
    // Every process serves the stored file: another connection to the same database gets it.
    const other = await database().context({ now: () => new Date('2027-05-05T10:00:00Z') });
    try {
      expect((await currentSecurityTxt({ ...other, config: ctx.config })).body).toBe(renewed.body);
    } finally {
      await other.close();
    }
    // A new contact is published at once, whatever Expires says.
    const moved = { ...ctx, now: () => new Date('2027-05-05T10:00:00Z'), config: { ...ctx.config, bounty: { ...BOUNTY, contacts: ['mailto:psirt@shop.example.com'] } } };
    const changed = await currentSecurityTxt(moved);
    expect(changed.body).toContain('Contact: mailto:psirt@shop.example.com');
    expect(changed.body).not.toContain('security@shop.example.com');
  });

  it("is signed anew by the server's own check, before anyone asks for it", async () => {
    await generateSigningKey(at('2026-12-04T10:00:00Z'));
    await currentSecurityTxt(at('2026-12-04T10:00:00Z'));
    const storedExpiry = async () => (await ctx.db.selectFrom('bounty_security_txt').select('expires_at').executeTakeFirstOrThrow()).expires_at;
    expect(await storedExpiry()).toBe('2027-06-02T10:00:00.000Z');
    const stop = keepSecurityTxtSigned(at('2027-05-20T10:00:00Z'));
    try {
      // A generous wait for a busy machine: the check runs at once, and a signature takes milliseconds.
      await vi.waitFor(async () => expect(await storedExpiry()).toBe('2027-11-16T10:00:00.000Z'), { timeout: 60_000, interval: 50 });
    } finally {
      stop();
    }
  });

  it('keeps the private key only in the database, encrypted with the installation secret; imports a gpg key with its passphrase', async () => {
    const row = await ctx.db.selectFrom('bounty_signing_keys').selectAll().executeTakeFirstOrThrow();
    expect((await openpgp.readPrivateKey({ armoredKey: row.private_key })).isDecrypted()).toBe(false);
    expect(readdirSync(ctx.dataDir).filter((file) => /key|pgp|asc/i.test(file) && file !== 'secret.key')).toEqual([]);

    const home = mkdtempSync(join(dir, 'gnupg-'));
    const gpg = (...args: string[]) => execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', 'correct horse', ...args], { env: { ...process.env, GNUPGHOME: home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      gpg('--quick-gen-key', 'Shop PSIRT <psirt@shop.example.com>', 'ed25519', 'sign', '1y');
      const armored = gpg('--armor', '--export-secret-keys');
      await expect(importSigningKey(ctx, armored)).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_NEEDED', kind: 'invalid' });
      await expect(importSigningKey(ctx, armored, 'wrong')).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_WRONG', kind: 'invalid' });
      await expect(importSigningKey(ctx, 'not a key')).rejects.toMatchObject({ code: 'KEY_UNREADABLE', kind: 'invalid' });
      const imported = await importSigningKey(ctx, armored, 'correct horse');
      expect(imported.source).toBe('imported');
      expect((await signingKey(ctx))?.fingerprint).toBe(imported.fingerprint);
      const file = await currentSecurityTxt(ctx);
      expect(file.fingerprint).toBe(imported.fingerprint);
      // Verified against the key in gpg's own keyring, the one it was made with.
      writeFileSync(join(home, 'security.txt'), file.body);
      expect(execFileSync('gpg', ['--batch', '--status-fd', '1', '--verify', join(home, 'security.txt')], { env: { ...process.env, GNUPGHOME: home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toMatch(/^\[GNUPG:\] GOODSIG /m);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses to publish security.txt under an http public_url: the server says it is unavailable', async () => {
    const insecure = { ...ctx, config: { ...ctx.config, public_url: 'http://help.shop.example.com' } };
    await expect(currentSecurityTxt(insecure)).rejects.toMatchObject({ code: 'SECURITY_TXT_NOT_HTTPS', kind: 'invalid' });
    const listeners = await startTestListeners(insecure);
    try {
      const served = await fetch(`${listeners.publicUrl}/.well-known/security.txt`);
      expect(served.status).toBe(503);
      expect((await json(served)).error).toEqual({ code: 'SECURITY_TXT_UNAVAILABLE', message: 'security.txt is not set up on this server' });
    } finally {
      await listeners.close();
    }
  });

  it('publishes the policy as JSON and as pages under the strict CSP, and 404s without a programme', async () => {
    const listeners = await listen();
    try {
      const policy = await httpsGet(`${listeners.publicUrl}/bounty/policy.json`);
      expect(policy.status).toBe(200);
      const view = JSON.parse(policy.body);
      expect(view.rewards.table.critical).toEqual({ critical: 5000, high: 2500, medium: 1000, low: 250 });
      expect(view.languages).toEqual(['en-GB', 'fr']);
      expect(view.urls.security_txt).toBe(`${listeners.publicUrl}/.well-known/security.txt`);
      const page = await httpsGet(`${listeners.publicUrl}/bounty?lang=fr`);
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(page.body).toContain('Programme de bug bounty');
      expect(page.body).toMatch(/5\s000\s€/u);
      expect(page.body).toContain('*.cdn.shop.example.com &lt;script&gt;');
      expect(page.body).not.toMatch(/<script|\sstyle=/i);
      // German has no policy text: the page is German, the policy's own words English, and marked so.
      const german = await httpsGet(`${listeners.publicUrl}/bounty?lang=de`);
      expect(german.body).toContain('<html lang="de">');
      expect(german.body).toContain('<div lang="en-GB">');
      const hall = await httpsGet(`${listeners.publicUrl}/bounty/hall-of-fame`);
      expect(hall.body).toContain('Ada &lt;img src=x onerror=alert(1)&gt;');
      expect(hall.body.indexOf('Ada')).toBeLessThan(hall.body.indexOf('Grace'));
    } finally {
      await listeners.close();
    }
    const without = await startTestListeners({ ...ctx, config: { ...ctx.config, bounty: undefined } }, { tls: { cert_file: certFile, key_file: keyFile } });
    try {
      for (const path of ['/bounty', '/bounty/policy.json', '/bounty/hall-of-fame', '/.well-known/security.txt']) expect((await httpsGet(`${without.publicUrl}${path}`)).status, path).toBe(404);
    } finally {
      await without.close();
    }
  });

  it('scores CVSS for signed-in staff on the staff listener only, naming a bad metric', async () => {
    const listeners = await startTestListeners(ctx);
    try {
      const viewer = asRole(listeners.staffUrl, staff, 'viewer');
      const scored = await viewer('/api/bounty/cvss', { method: 'POST', body: JSON.stringify({ vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N' }) });
      expect(scored.status).toBe(200);
      expect(await scored.json()).toEqual({ version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', score: 8.7, severity: 'high' });
      const bad = await viewer('/api/bounty/cvss', { method: 'POST', body: JSON.stringify({ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q' }) });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error).toMatchObject({ code: 'CVSS_INVALID', message: expect.stringContaining('metric A has the value "Q"') });
      const anonymous = await fetch(`${listeners.staffUrl}/api/bounty/cvss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"vector":"x"}' });
      expect(anonymous.status).toBe(401);
      expect((await fetch(`${listeners.publicUrl}/api/bounty/cvss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"vector":"x"}' })).status).toBe(404);
    } finally {
      await listeners.close();
    }
  });
});
