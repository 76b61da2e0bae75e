import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tocsinMain } from './helpers/cli.ts';
import { demoTemplate } from './helpers/demo-template.ts';
import { notSnakeCase } from './helpers/snake-case.ts';

// The keys come from the same views whatever the database: the demo's own SQLite workspace serves both adapters' shapes.
describe('every --json output is snake_case at every depth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-json-'));
  const workspace = join(dir, 'demo');
  const shop = join(workspace, 'shop');
  const database = { dataDir: join(workspace, 'data') };
  let id = '';
  let email = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a command with --json and returns its keys that are not snake_case. */
  async function offending(args: string[], input?: string): Promise<string[]> {
    const result = await tocsinMain([...args, '--json'], { database, input });
    expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return notSnakeCase(JSON.parse(result.stdout));
  }

  // A copy of the run's demo (the console tests serve copies of it too): the full demo's --json report is checked in cli.test.ts, which runs it.
  beforeAll(async () => {
    const result = await tocsinMain(['demo', '--from', await demoTemplate(), '--dir', workspace, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const copied = JSON.parse(result.stdout);
    expect(notSnakeCase(copied)).toEqual([]);
    id = copied.incident_id;
    email = JSON.parse((await tocsinMain(['affected', id, '--json'], { database })).stdout).subjects[0].email;
  });

  it('knows a camelCase key when it sees one, in arrays and nested objects', () => {
    expect(notSnakeCase({ run: 1, subjects: [{ notExposed: [] }], locales: { 'fr-FR': { sentAt: 1 } } })).toEqual(['.subjects[].notExposed', '.locales.*.sentAt']);
  });

  it('incidents and their audit trail', async () => {
    expect(await offending(['incident', 'list'])).toEqual([]);
    expect(await offending(['incident', 'show', id])).toEqual([]);
    expect(await offending(['incident', 'update', id, '--contained-at', '2019-11-15T10:00:00Z'])).toEqual([]);
    expect(await offending(['incident', 'create', '--title', 'Another', '--aware-at', '2019-11-14T16:00:00Z'])).toEqual([]);
    expect(await offending(['audit', id])).toEqual([]);
    expect(await offending(['audit', id, '--verify'])).toEqual([]);
    expect(await offending(['audit', id, '--checkpoint'])).toEqual([]);
    expect(await offending(['db', 'status'])).toEqual([]);
    expect(await offending(['db', 'migrate'])).toEqual([]);
  });

  it('records and scoping', async () => {
    const logs = ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
    expect(await offending(['import', id, join(shop, 'orders.csv'), '--preset', 'tocsin-demo'])).toEqual([]);
    expect(await offending(['quarantine', id])).toEqual([]);
    expect(await offending(['detect', id, '--rules', join(shop, 'scope.yml'), '--logs', ...logs])).toEqual([]);
    expect(await offending(['scope', id, '--rules', join(shop, 'scope.yml'), '--logs', ...logs])).toEqual([]);
    expect(await offending(['scope', id, '--diff'])).toEqual([]);
    expect(await offending(['scope', id, '--runs'])).toEqual([]);
    expect(await offending(['affected', id])).toEqual([]);
    expect(await offending(['explain', id, email])).toEqual([]);
    expect(await offending(['unknown', id])).toEqual([]);
    expect(await offending(['evidence', id])).toEqual([]);
  });

  it('notices, delivery and compliance', async () => {
    const bounce = join(dir, 'reply.eml');
    writeFileSync(bounce, 'From: someone@example.org\r\nTo: notices@shop.example.com\r\nSubject: thanks\r\n\r\nthank you\r\n');
    expect(await offending(['templates', 'check', id])).toEqual([]);
    expect(await offending(['notices', 'build', id, '--shop-address', 'shop.example.com'])).toEqual([]);
    expect(await offending(['notices', 'preview', id])).toEqual([]);
    expect(await offending(['user', 'add', 'officer@privacy.example', '--role', 'privacy', '--password-stdin'], 'correct horse battery staple\n')).toEqual([]);
    expect(await offending(['notices', 'approve', id, '--as', 'officer@privacy.example', '--password-stdin'], 'correct horse battery staple\n')).toEqual([]);
    expect(await offending(['notices', 'approval', id])).toEqual([]);
    expect(await offending(['send', id, '--from', 'notices@shop.example.com', '--transport', `file:${join(dir, 'outbox')}`])).toEqual([]);
    expect(await offending(['delivery', id])).toEqual([]);
    expect(await offending(['delivery', id, '--unreached'])).toEqual([]);
    expect(await offending(['bounces', id, bounce])).toEqual([]);
    expect(await offending(['assess', id])).toEqual([]);
    expect(await offending(['report', id, '--jurisdiction', 'FR'])).toEqual([]);
    expect(await offending(['register'])).toEqual([]);
    const verify = await tocsinMain(['verify', 'XXXXX-XXXXX-XXXXX', '--email', email, '--json'], { database });
    expect(notSnakeCase(JSON.parse(verify.stdout))).toEqual([]);
    expect(await offending(['purge', id, '--unaffected', '--dry-run'])).toEqual([]);
    expect(await offending(['purge', id, '--unaffected'])).toEqual([]);
    expect(await offending(['demo-data', '--out', join(dir, 'shop'), '--orders', '300', '--log-lines', '2000'])).toEqual([]);
  });
});
