import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticateBearer, login, setPasswordWithLink, TOKEN_TRUSTED_MS } from '../src/accounts/index.ts';
import { configWith } from '../src/config.ts';
import type { OpenContext } from '../src/context.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const PASSWORD = 'velvet harbour quietly juggles 42 lanterns';

describeEachDatabase('tocsin user, token and security-log', (database) => {
  let ctx: OpenContext;
  /** How far this process's clock is ahead of the CLI's: a token revoked by the CLI is trusted here until TOKEN_TRUSTED_MS has passed. */
  let ahead = 0;
  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date(Date.now() + ahead) });
  });
  afterAll(() => ctx?.close());
  const run = (args: string[], input?: string) => tocsinMain(args, { database: database().config, input });

  it('adds an account with the password from standard input, which then signs in', async () => {
    const added = await run(['user', 'add', 'Ana@Shop.example', '--role', 'responder', '--password-stdin'], `${PASSWORD}\n`);
    expect(added.stderr).toBe('added ana@shop.example as responder\n');
    expect(added.status).toBe(0);
    expect(added.stdout).toBe('');
    const { principal } = await login(ctx, { email: 'ana@shop.example', password: PASSWORD, address: '192.0.2.1' });
    expect(principal.role).toBe('responder');

    const weak = await run(['user', 'add', 'weak@shop.example', '--role', 'viewer', '--password-stdin'], 'password1234\n');
    expect(weak.status).toBe(2);
    expect(weak.stderr).toMatch(/^tocsin: the password is too easy to guess/);
    const listed = JSON.parse((await run(['user', 'list', '--json'])).stdout) as { email: string }[];
    expect(listed.map((account) => account.email)).not.toContain('weak@shop.example');
    expect(JSON.stringify(listed)).not.toMatch(/argon2|password_hash/);
  });

  it('prints a one-time set-password link on the console URL when no password is given', async () => {
    const added = await run(['user', 'add', 'bo@shop.example', '--role', 'viewer', '--console-url', 'https://tocsin.shop.example/']);
    expect(added.status).toBe(0);
    const link = added.stdout.trim();
    expect(link).toMatch(/^https:\/\/tocsin\.shop\.example\/set-password#[A-Za-z0-9_-]{43}$/);
    await setPasswordWithLink(ctx, link.slice(link.indexOf('#') + 1), PASSWORD, '192.0.2.1');
    expect((await login(ctx, { email: 'bo@shop.example', password: PASSWORD, address: '192.0.2.2' })).principal.email).toBe('bo@shop.example');

    const removed = await run(['user', 'remove-2fa', 'bo@shop.example']);
    expect(removed.stderr).toBe('removed the second factors of bo@shop.example; its sessions have ended\n');
    const reset = await run(['user', 'reset', 'bo@shop.example', '--json']);
    expect(JSON.parse(reset.stdout).set_password_link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/set-password#/);
    expect((await run(['user', 'add', 'cy@shop.example', '--role', 'viewer', '--console-url', 'javascript:alert(1)'])).status).toBe(2);
  });

  it("words the link on the staff listener's address from the configuration, which --console-url overrides", async () => {
    const config = (listen: string) => ({ database: database().config, env: { TOCSIN_LISTEN: listen } });
    const onListener = await tocsinMain(['user', 'add', 'dee@shop.example', '--role', 'viewer', '--json'], config('[::1]:9443'));
    expect(onListener.status).toBe(0);
    expect(JSON.parse(onListener.stdout).set_password_link).toMatch(/^http:\/\/\[::1\]:9443\/set-password#[A-Za-z0-9_-]{43}$/);
    const overridden = await tocsinMain(['user', 'reset', 'dee@shop.example', '--console-url', 'https://tocsin.shop.example/staff', '--json'], config('[::1]:9443'));
    expect(JSON.parse(overridden.stdout).set_password_link).toMatch(/^https:\/\/tocsin\.shop\.example\/staff\/set-password#/);

    for (const wildcard of ['0.0.0.0:8080', '[::]:8080']) {
      const refused = await tocsinMain(['user', 'add', 'eve@shop.example', '--role', 'viewer'], config(wildcard));
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/^tocsin: the staff listener \(listen: .*\) names no address a browser can be sent to; give the console's address with --console-url/);
    }
    expect((await run(['user', 'list'])).stdout, 'a refused link leaves no account behind').not.toContain('eve@shop.example');
  });


  it('refuses hostile input with a message and no stack', async () => {
    const control = await run(['user', 'add', 'evil\u001b[2J@shop.example', '--role', 'admin']);
    expect(control.status).toBe(2);
    expect(control.stderr).toMatch(/^tocsin: 'evil\uFFFD\[2J@shop\.example' is not an email address/);
    expect(control.stderr).not.toContain('\u001b');
    expect(control.stderr).not.toMatch(/\n\s+at /);
    const unknown = await run(['user', 'role', 'nobody@shop.example', 'admin']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^tocsin: there is no account for nobody@shop\.example; .* \('tocsin user list'\)\n$/);
    expect((await run(['token', 'revoke', 'no such token'])).stderr).toBe("tocsin: no live API token has the id or name 'no such token' ('tocsin token list')\n");
    const taken = await run(['user', 'add', 'ana@shop.example', '--role', 'viewer', '--json']);
    expect(taken.status).toBe(1);
    expect(JSON.parse(taken.stdout)).toEqual({ error: { code: 'ACCOUNT_EXISTS', kind: 'conflict', message: 'an account for ana@shop.example exists already; change its role, reset or enable it instead' } });
    expect((await run(['user', 'require-2fa', 'maybe'])).status).toBe(2);
    expect((await run(['token', 'create', '--role', 'admin', '--name', 'bot\u001b]52;c;ZXZpbA==\u0007'])).stderr).toMatch(/^tocsin: a token's name is 1 to 100 printable characters/);
  });

  it('creates a token printed once, which authenticates until revoked, here within TOKEN_TRUSTED_MS of the revocation by the CLI', async () => {
    const created = await run(['token', 'create', '--role', 'privacy', '--name', 'dpo report script']);
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^tocsin_[A-Za-z0-9_-]{43}$/);
    expect((await authenticateBearer(ctx, token))?.role).toBe('privacy');
    const listed = await run(['token', 'list']);
    expect(listed.stdout).toContain('dpo report script');
    expect(listed.stdout).not.toContain(token.slice('tocsin_'.length, 20));
    expect((await run(['token', 'revoke', 'dpo report script'])).status).toBe(0);
    ahead = TOKEN_TRUSTED_MS;
    expect(await authenticateBearer(ctx, token)).toBeNull();
    ahead = 0;
  });

  it('prints the security log, as JSON and from an instant on', async () => {
    await login(ctx, { email: 'ana@shop.example', password: 'not her password at all', address: '198.51.100.7' }).catch(() => {});
    const all = JSON.parse((await run(['security-log', '--json'])).stdout) as { id: number; event: string; email: string | null; address: string | null; details: Record<string, unknown> }[];
    // The page before the newest entry, two entries long.
    expect(JSON.parse((await run(['security-log', '--json', '--limit', '2', '--before', String(all.at(-1)!.id)])).stdout)).toEqual(all.slice(-3, -1));
    expect(all.map((row) => row.event)).toEqual(expect.arrayContaining(['account_created', 'password_set', 'login_ok', 'password_reset', 'token_created', 'token_revoked', 'login_failed']));
    expect(all.find((row) => row.event === 'login_failed')).toMatchObject({ email: 'ana@shop.example', address: '198.51.100.7', details: { reason: 'wrong_password' } });
    expect(JSON.stringify(all)).not.toContain('not her password');
    const table = await run(['security-log']);
    expect(table.stdout.split('\n')[0]).toMatch(/^AT\s+EVENT\s+ACCOUNT\s+ACTOR\s+ADDRESS\s+DETAILS$/);
    expect(JSON.parse((await run(['security-log', '--json', '--since', '2999-01-01T00:00Z'])).stdout)).toEqual([]);
    expect((await run(['security-log', '--since', 'yesterday'])).stderr).toMatch(/^tocsin: --since: 'yesterday' is not an ISO 8601 instant/);
  });
});

// A suite of its own, its contexts open one at a time: opening a second one on an SQLite file
// opens and closes the file, and POSIX then drops the locks the first one's connection holds.
describeEachDatabase('tocsin token with a configured secret', (database) => {
  it('keys tokens with the configured secret (TOCSIN_SECRET), not the data directory\'s secret.key', async () => {
    const secret = 'ab'.repeat(32);
    const created = await tocsinMain(['token', 'create', '--role', 'viewer', '--name', 'keyed by the configured secret'], { database: database().config, env: { TOCSIN_SECRET: secret } });
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    const withKeyFile = await database().context();
    try {
      expect(await authenticateBearer(withKeyFile, token), 'the hash under secret.key does not match').toBeNull();
    } finally {
      await withKeyFile.close();
    }
    const configured = await database().context({ config: configWith({ data_dir: database().config.dataDir, database_url: database().config.databaseUrl, secret }) });
    try {
      expect((await authenticateBearer(configured, token))?.role).toBe('viewer');
    } finally {
      await configured.close();
    }
  });
});
