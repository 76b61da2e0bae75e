import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/connect.ts';
import { updateIncident } from '../src/incidents/index.ts';
import { dkimDnsRecord, loadDkimKey } from '../src/mail/dkim.ts';
import { generateCode } from '../src/notices/verification-code.ts';
import { importRecords } from '../src/records/index.ts';
import { tocsin, tocsinMain } from './helpers/cli.ts';
import { POSTGRES_URL, describeEachDatabase, incidentIn } from './helpers/databases.ts';
import { notSnakeCase } from './helpers/snake-case.ts';

const NO_STACK = /\n\s+at /;

describe('tocsin --help', () => {
  it('lists every command with one line each, and every command has its own help', async () => {
    const { status, stdout } = tocsin(['--help']);
    expect(status).toBe(0);
    for (const command of ['incident', 'audit', 'import', 'scope', 'send', 'report', 'db', 'demo-data', 'demo']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b.*\\S`, 'm'));
    // Each loads only its own module: its help must still be there, under its own name.
    const commands = [...stdout.slice(stdout.indexOf('Commands:')).matchAll(/^  ([a-z-]+)\b/gm)].map((match) => match[1]).filter((name) => name !== 'help');
    expect(commands.length).toBeGreaterThan(20);
    // The module each command loads, as main.ts names it: every command --help lists is there.
    const moduleOf = new Map([...readFileSync(new URL('../src/cli/main.ts', import.meta.url), 'utf8').matchAll(/\['([a-z-]+)', async \(\) => \(await import\('\.\/([a-z-]+)\.ts'\)\)/g)].map((match) => [match[1], match[2]]));
    expect([...moduleOf.keys()]).toEqual(commands);
    // A real process for the first command of each module, which loads that module alone (a
    // module that cannot load on its own fails here); every command, in this process, through the
    // same front door (main builds the program of the named command only, as the binary does).
    const spawned = commands.filter((command, i) => commands.findIndex((other) => moduleOf.get(other) === moduleOf.get(command)) === i);
    expect(spawned.length).toBe(new Set(moduleOf.values()).size);
    for (const command of spawned) {
      const help = tocsin([command, '--help']);
      expect(help.status, command).toBe(0);
      expect(help.stdout).toContain(`Usage: tocsin ${command}`);
    }
    for (const command of [...commands, 'incident create', 'incident update', 'db status']) {
      const help = await tocsinMain([...command.split(' '), '--help']);
      expect(help.status, command).toBe(0);
      expect(help.stdout).toContain(`Usage: tocsin ${command}`);
    }
  });

  it('prints its version', () => {
    const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    expect(tocsin(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it('answers an unknown option or command with exit 2, one message and no stack', () => {
    for (const args of [['incident', 'list', '--bogus'], ['frobnicate']]) {
      const result = tocsin(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/error: unknown/);
      expect(result.stderr).not.toMatch(NO_STACK);
    }
  });
});

describeEachDatabase('tocsin CLI', (database) => {
  const run = (...args: string[]) => tocsinMain(args, { database: database().config });
  const incident = (title: string) => incidentIn(database(), title);

  it('creates an incident, printing its id alone on stdout', async () => {
    const created = await run('incident', 'create', '--title', 'Orders read', '--aware-at', '2019-11-14T16:00:00Z', '--controller', 'Shop Ltd');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^[0-9a-z]{6}\n$/);
    const id = created.stdout.trim();

    const shown = await run('incident', 'show', id, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, title: 'Orders read', controller: 'Shop Ltd', aware_at: '2019-11-14T16:00:00.000Z' });

    const updated = await run('--actor', 'counsel', 'incident', 'update', id, '--contained-at', '2019-11-15T00:00:00Z', '--controller', '');
    expect(updated.status).toBe(0);
    expect(updated.stdout).toBe('');
    expect(updated.stderr).toContain('contained_at, controller');

    const trail = JSON.parse((await run('audit', id, '--json')).stdout);
    expect(trail.map((e: { actor: string; action: string }) => `${e.actor}:${e.action}`)).toEqual([expect.stringMatching(/:incident\.created$/), 'counsel:incident.updated']);
    expect(trail[1].details.changes.controller).toEqual({ before: 'Shop Ltd', after: null });

    const listed = await run('incident', 'list');
    expect(listed.stdout, listed.stderr).toMatch(new RegExp(`^${id}\\s+2019-11-14T16:00:00.000Z\\s+no\\s+Orders read$`, 'm'));
  });

  it('prints only JSON on stdout with --json', async () => {
    const outputs: string[] = [];
    for (const args of [['incident', 'list', '--json'], ['db', 'status', '--json'], ['db', 'migrate', '--json']]) {
      const result = await run(...args);
      expect(result.status, args.join(' ')).toBe(0);
      expect(() => JSON.parse(result.stdout)).not.toThrow();
      outputs.push(result.stdout);
    }
    const status = JSON.parse(outputs[1]);
    expect(status.dialect).toBe(database().dialect);
    expect(status.migrations[0]).toMatchObject({ name: '0001_incidents', applied_at: expect.any(String) });
  });

  it('reports a malformed date as a usage error and a missing incident as a failure', async () => {
    const badDate = await run('incident', 'create', '--title', 'x', '--aware-at', '14/11/2019');
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toMatch(/^tocsin: aware-at: '14\/11\/2019' is not an ISO 8601 instant with a time zone; write e\.g\./);
    expect(badDate.stderr).not.toMatch(NO_STACK);

    const missing = await run('incident', 'show', 'zzzzzz');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("tocsin: no incident 'zzzzzz'; the list of incidents shows the ids ('tocsin incident list')\n");
    expect(missing.stdout).toBe('');
    const asJson = await run('incident', 'show', 'zzzzzz', '--json');
    expect(asJson.status).toBe(1);
    expect(JSON.parse(asJson.stdout)).toEqual({ error: { code: 'INCIDENT_NOT_FOUND', kind: 'not_found', message: "no incident 'zzzzzz'; the list of incidents shows the ids", next: { action: 'list_incidents' } } });

    const withDebug = await run('--debug', 'incident', 'show', 'zzzzzz');
    expect(withDebug.stderr).toMatch(NO_STACK);
  });

  it('tells of broken log lines after scope and after detect, in one line per file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-cli-logs-'));
    try {
      const id = await incident('Broken log');
      writeFileSync(join(dir, 'orders.csv'), 'order_id,email,name\nSO1,ana@example.com,Ana\n');
      writeFileSync(join(dir, 'scope.yml'), 'rules:\n  - name: order-api\n    request: GET /api/orders/:order_id\n    exposes: [name]\nindicators:\n  ips: ["203.0.113.9"]\n');
      const line = '203.0.113.9 - - [01/Nov/2019:10:00:00 +0000] "GET /api/orders/SO1 HTTP/1.1" 200 512 "-" "curl/7.64.0"';
      // The last line is cut off inside its request.
      writeFileSync(join(dir, 'access.log'), `${line}\n${line.slice(0, 60)}`);
      const ctx = await database().context();
      try {
        await importRecords(ctx, id, join(dir, 'orders.csv'), { key: 'order_id', subject: 'email', map: { name: 'name' }, ruleColumns: [] });
      } finally {
        await ctx.close();
      }
      const args = [id, '--rules', join(dir, 'scope.yml'), '--logs', join(dir, 'access.log')];
      for (const command of ['scope', 'detect']) {
        const result = await run(command, ...args);
        expect(result.status, command).toBe(0);
        expect(result.stderr, command).toContain(`${join(dir, 'access.log')}: 0 unparseable lines, 1 truncated`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('binds a column whose name has a space, as exports name them, through its key and through --rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-cli-columns-'));
    try {
      const id = await incident('Export columns');
      writeFileSync(join(dir, 'orders.csv'), 'Order ID,Billing Email,Lineitem sku\n1041,ana@example.com,SKU-1\n1042,ben@example.com,SKU-2\n');
      const rules = 'rules:\n  - name: order-api\n    request: GET /wc/v3/orders/:{Order ID}?sku=:{Lineitem sku}\n    exposes: [email]\nindicators:\n  ips: ["203.0.113.9"]\n';
      writeFileSync(join(dir, 'scope.yml'), rules);
      writeFileSync(join(dir, 'access.log'), '203.0.113.9 - - [01/Nov/2019:10:00:00 +0000] "GET /wc/v3/orders/1042?sku=SKU-2 HTTP/1.1" 200 512 "-" "curl/7.64.0"\n');
      const imported = await run('import', id, join(dir, 'orders.csv'), '--key', 'Order ID', '--subject', 'Billing Email', '--rules', join(dir, 'scope.yml'));
      expect(imported.status, imported.stderr).toBe(0);
      const scoped = await run('scope', id, '--rules', join(dir, 'scope.yml'), '--logs', join(dir, 'access.log'), '--json');
      expect(scoped.status, scoped.stderr).toBe(0);
      expect(JSON.parse(scoped.stdout)).toMatchObject({ affected: 1 });
      expect((await run('affected', id)).stdout).toContain('ben@example.com');
      expect(JSON.parse((await run('affected', id, '--json')).stdout)).toMatchObject({ subjects: [{ email: 'ben@example.com', exposed: ['email'] }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a YAML alias bomb and a binary file as --rules in one line each, without a stack or the bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-cli-rules-'));
    try {
      const id = await incident('Bad rules');
      const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
      const bomb = join(dir, 'bomb.yml');
      writeFileSync(bomb, `${levels.join('\n')}\nrules:\n  - name: a\n    request: GET /a/:order_id\n    exposes: *l8\n`);
      const binary = join(dir, 'scope.yml.gz');
      writeFileSync(binary, Buffer.from([0x1f, 0x8b, 0x08, 0x00, ...Array.from({ length: 360_000 }, (_, i) => (i * 7919) % 256)]));
      writeFileSync(join(dir, 'access.log'), '');
      for (const [rules, message] of [
        [bomb, `${bomb} line 2: its aliases (*name) expand into too many copies of their values; write the values out instead`],
        [binary, `${binary} line 1: the control character 0x1f: this is not a YAML scope file; give --rules the file with rules: and indicators:`],
      ]) {
        const result = await run('scope', id, '--rules', rules, '--logs', join(dir, 'access.log'));
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toBe(`tocsin: ${message}\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells a mistyped verification code from one that matches no notice', async () => {
    const unknown = await run('verify', generateCode(), '--email', 'ana@example.com');
    expect(unknown).toMatchObject({ status: 1, stdout: 'no notice matches this code and address\n' });
    const typo = await run('verify', '7KQ2M-X9D4H-RT8Z', '--email', 'ana@example.com', '--json');
    expect(typo.status).toBe(1);
    expect(JSON.parse(typo.stdout)).toEqual({ genuine: false, typo: true });
    expect((await run('verify', 'not a code', '--email', 'ana@example.com')).stdout).toContain('check it for a typo');
  });

  it('exits 1 from audit --verify when the trail was tampered with', async () => {
    const id = await incident('Tamper');
    const ctx = await database().context();
    try {
      await updateIncident(ctx, id, { title: 'Tampered' });
    } finally {
      await ctx.close();
    }
    expect(await run('audit', id, '--verify')).toMatchObject({ status: 0, stdout: expect.stringContaining('intact: 2 entries') });

    const db = await openDatabase(database().config);
    try {
      await db.db.updateTable('audit_log').set({ actor: 'nobody' }).where('incident_id', '=', id).where('seq', '=', 1).execute();
    } finally {
      await db.close();
    }
    const verify = await run('audit', id, '--verify');
    expect(verify.status).toBe(1);
    expect(verify.stdout).toContain('entry #1 was altered');
  });
});

describe('tocsin with a broken environment', () => {
  it('says so in one line when the data directory cannot be written', async () => {
    const result = await tocsinMain(['incident', 'list', '--data-dir', '/proc/tocsin']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('tocsin: cannot write to the data directory /proc/tocsin (ENOENT); choose another with --data-dir or TOCSIN_DATA_DIR\n');
  });

  it('says so in one line when PostgreSQL does not answer, without the password', async () => {
    const result = await tocsinMain(['incident', 'list'], { env: { DATABASE_URL: 'postgres://tocsin:s3cret@127.0.0.1:1/tocsin' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tocsin: cannot connect to PostgreSQL at postgres:\/\/tocsin:\*\*\*@127\.0\.0\.1:1\/tocsin \(ECONNREFUSED\); check DATABASE_URL/);
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL as a usage error', async () => {
    const result = await tocsinMain(['incident', 'list'], { env: { DATABASE_URL: 'mysql://root@localhost/shop' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is not a postgres:// URL');
  });

  it('refuses a DATABASE_URL without a database name, which would put the tables in the maintenance database', async () => {
    for (const url of ['postgres://postgres:s3cret@127.0.0.1:5432', 'postgresql://postgres:s3cret@127.0.0.1:5432/?sslmode=disable']) {
      const result = await tocsinMain(['incident', 'list'], { env: { DATABASE_URL: url } });
      expect(result.status, url).toBe(2);
      expect(result.stderr).toMatch(/^tocsin: DATABASE_URL 'postgres(ql)?:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/?(\?sslmode=disable)?' names no database, .*add one: postgres:\/\/user:password@host:5432\/tocsin\n$/);
    }
  });

  describe.runIf(POSTGRES_URL)('when PostgreSQL refuses the user or the database', () => {
    const urlWith = (change: (url: URL) => void) => {
      const url = new URL(POSTGRES_URL!);
      change(url);
      return url.toString();
    };

    it('says what the SQLSTATE means and what to change, in one line', async () => {
      const user = await tocsinMain(['incident', 'list'], { env: { DATABASE_URL: urlWith((url) => (url.username = 'tocsin_no_such_user')) } });
      expect(user.status).toBe(1);
      expect(user.stderr).toMatch(/^tocsin: cannot connect to PostgreSQL at \S+: role "tocsin_no_such_user" does not exist \(SQLSTATE 28000\): the server does not let this user in .*check the user in DATABASE_URL\n$/);

      const database = await tocsinMain(['incident', 'list'], { env: { DATABASE_URL: urlWith((url) => (url.pathname = '/tocsin_no_such_database')) } });
      expect(database.status).toBe(1);
      expect(database.stderr).toMatch(/^tocsin: cannot connect to PostgreSQL at \S+: database "tocsin_no_such_database" does not exist \(SQLSTATE 3D000\): .*create it \(createdb NAME\) or fix the name at the end of DATABASE_URL\n$/);
    });
  });
});

describe('tocsin demo-data', () => {
  const out = mkdtempSync(join(tmpdir(), 'tocsin-demo-data-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the shop and prints its summary as JSON', async () => {
    const result = await tocsinMain(['demo-data', '--out', out, '--orders', '500', '--log-lines', '4000', '--seed', '7', '--json']);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ orders: 500, log_lines: 4000 });
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8'));
    expect(truth.affected).toHaveLength(summary.affected_subjects);
    expect(readFileSync(join(out, 'orders.csv'), 'utf8').startsWith('order_id,email,')).toBe(true);
  });

  it('rejects a count that is not a whole number, or out of range', async () => {
    expect(await tocsinMain(['demo-data', '--out', out, '--orders', '1e6'])).toMatchObject({ status: 2, stderr: "tocsin: --orders '1e6' is not a whole number\n" });
    expect((await tocsinMain(['demo-data', '--out', out, '--orders', '5'])).status).toBe(2);
  });
});

describe('tocsin demo', () => {
  const parent = mkdtempSync(join(tmpdir(), 'tocsin-demo-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('runs every stage in a fresh workspace, and runs again over its own workspace', async () => {
    const dir = join(parent, 'workspace');
    for (let run = 0; run < 2; run++) {
      const result = tocsin(['demo', '--dir', dir, '--orders', '300', '--log-lines', '3000', '--json']);
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(notSnakeCase(report)).toEqual([]);
      expect(report.steps.map((step: { stage: string }) => step.stage)).toEqual(['demo shop', 'incident', 'import', 'detect', 'scope', 'ground truth', 'notices', 'send', 'compliance', 'phishing', 'bug bounty']);
      expect(report.steps.find((step: { stage: string }) => step.stage === 'ground truth').did).toContain('found exactly them');
      const database = { dataDir: join(dir, 'data') };
      // The phishing that follows the breach quotes its data, from look-alike domains, in two campaigns (their domains in the order first seen).
      expect(report.steps.find((step: { stage: string }) => step.stage === 'phishing').did).toContain(`use data from incident ${report.incident_id}`);
      const campaigns = JSON.parse((await tocsinMain(['phishing', 'campaigns', '--json'], { database })).stdout);
      expect(campaigns.map((campaign: { domains: string[]; verdict: string }) => [campaign.domains, campaign.verdict]).sort()).toEqual([
        [['example-secure.com', 'example-login.com'], 'phishing'],
        [['exarnple.net'], 'phishing'],
      ]);
      const incidents = JSON.parse((await tocsinMain(['incident', 'list', '--json'], { database })).stdout);
      expect(incidents.map((incident: { id: string }) => incident.id)).toEqual([report.incident_id]);
      // The bug bounty the shop opened after: five reports, one of them the breach's evidence through the breach link, another its duplicate.
      const bounty = report.steps.find((step: { stage: string }) => step.stage === 'bug bounty').did;
      expect(bounty).toMatch(/researchers sent 5 reports \(1 duplicate, 1 informative, 1 new, 1 resolved, 1 triaged\)/);
      const [, linked] = new RegExp(`(B-[0-9A-Z-]{14}), the IMEI lookup again, was confirmed "personal data reachable" at \\S+ and linked to incident ${report.incident_id} as its evidence`).exec(bounty)!;
      const shown = JSON.parse((await tocsinMain(['--config', join(dir, 'tocsin.yml'), 'bounty', 'show', linked, '--json'], { database })).stdout);
      expect(shown).toMatchObject({ state: 'triaged', breach: { incident_id: report.incident_id, created_incident: false }, duplicates: [{ reference: expect.any(String) }] });
      // Every notice was delivered into the outbox, once, DKIM-signed.
      const delivery = JSON.parse((await tocsinMain(['delivery', report.incident_id, '--json'], { database })).stdout);
      expect(delivery.total).toBeGreaterThan(0);
      expect(delivery.states.sent).toBe(delivery.total);
      const outbox = readdirSync(join(dir, 'data', 'outbox'));
      expect(outbox.filter((name) => name.endsWith('.eml'))).toHaveLength(delivery.total);
      // The demo sets its own narrative: its notices tell its story (Massachusetts ones may not say how it happened).
      const previews = join(dir, 'data', 'preview', report.incident_id);
      const told = readdirSync(previews).filter((name) => name.endsWith('.html') && !name.includes('us-ma'));
      expect(told.length).toBeGreaterThan(0);
      for (const name of told) expect(readFileSync(join(previews, name), 'utf8'), name).toMatch(/order lookup page|Bestellabfrage|consulta de pedidos|recherche de commandes|ricerca degli ordini/);
      const record = dkimDnsRecord(loadDkimKey('shop.example.com', 'tocsin-demo', join(dir, 'dkim-ed25519.pem')));
      const resolver = async (name: string) => (name === record.name ? [[record.value]] : []);
      const { results } = await dkimVerify(readFileSync(join(dir, 'data', 'outbox', outbox[0]!)), { resolver } as Parameters<typeof dkimVerify>[1]);
      expect(results.map((result) => [result.status.result, result.signingDomain])).toEqual([['pass', 'shop.example.com']]);
    }
  });

  it('refuses to empty a directory it did not make', () => {
    const result = tocsin(['demo', '--dir', parent]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("was not made by 'tocsin demo'; choose another with --dir");
  });
});
