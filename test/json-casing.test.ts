import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tocsin } from './helpers/cli.ts';
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
  function offending(args: string[], input?: string): string[] {
    const result = tocsin([...args, '--json'], { database, input });
    expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return notSnakeCase(JSON.parse(result.stdout));
  }

  // A copy of the run's demo (the console tests serve copies of it too): the full demo's --json report is checked in cli.test.ts, which runs it.
  beforeAll(async () => {
    const result = tocsin(['demo', '--from', await demoTemplate(), '--dir', workspace, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const copied = JSON.parse(result.stdout);
    expect(notSnakeCase(copied)).toEqual([]);
    id = copied.incident_id;
    email = JSON.parse(tocsin(['affected', id, '--json'], { database }).stdout).subjects[0].email;
  });

  it('knows a camelCase key when it sees one, in arrays and nested objects', () => {
    expect(notSnakeCase({ run: 1, subjects: [{ notExposed: [] }], locales: { 'fr-FR': { sentAt: 1 } } })).toEqual(['.subjects[].notExposed', '.locales.*.sentAt']);
  });

  it('incidents and their audit trail', () => {
    expect(offending(['incident', 'list'])).toEqual([]);
    expect(offending(['incident', 'show', id])).toEqual([]);
    expect(offending(['incident', 'update', id, '--contained-at', '2019-11-15T10:00:00Z'])).toEqual([]);
    expect(offending(['incident', 'create', '--title', 'Another', '--aware-at', '2019-11-14T16:00:00Z'])).toEqual([]);
    expect(offending(['audit', id])).toEqual([]);
    expect(offending(['audit', id, '--verify'])).toEqual([]);
    expect(offending(['audit', id, '--checkpoint'])).toEqual([]);
    expect(offending(['db', 'status'])).toEqual([]);
    expect(offending(['db', 'migrate'])).toEqual([]);
  });

  it('records and scoping', () => {
    const logs = ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
    expect(offending(['import', id, join(shop, 'orders.csv'), '--preset', 'tocsin-demo'])).toEqual([]);
    expect(offending(['quarantine', id])).toEqual([]);
    expect(offending(['detect', id, '--rules', join(shop, 'scope.yml'), '--logs', ...logs])).toEqual([]);
    expect(offending(['scope', id, '--rules', join(shop, 'scope.yml'), '--logs', ...logs])).toEqual([]);
    expect(offending(['scope', id, '--diff'])).toEqual([]);
    expect(offending(['scope', id, '--runs'])).toEqual([]);
    expect(offending(['affected', id])).toEqual([]);
    expect(offending(['explain', id, email])).toEqual([]);
    expect(offending(['unknown', id])).toEqual([]);
    expect(offending(['evidence', id])).toEqual([]);
  });

  it('notices, delivery and compliance', () => {
    const bounce = join(dir, 'reply.eml');
    writeFileSync(bounce, 'From: someone@example.org\r\nTo: notices@shop.example.com\r\nSubject: thanks\r\n\r\nthank you\r\n');
    expect(offending(['templates', 'check', id])).toEqual([]);
    expect(offending(['notices', 'build', id, '--shop-address', 'shop.example.com'])).toEqual([]);
    expect(offending(['notices', 'preview', id])).toEqual([]);
    expect(offending(['user', 'add', 'officer@privacy.example', '--role', 'privacy', '--password-stdin'], 'correct horse battery staple\n')).toEqual([]);
    expect(offending(['notices', 'approve', id, '--as', 'officer@privacy.example', '--password-stdin'], 'correct horse battery staple\n')).toEqual([]);
    expect(offending(['notices', 'approval', id])).toEqual([]);
    expect(offending(['send', id, '--from', 'notices@shop.example.com', '--transport', `file:${join(dir, 'outbox')}`])).toEqual([]);
    expect(offending(['delivery', id])).toEqual([]);
    expect(offending(['delivery', id, '--unreached'])).toEqual([]);
    expect(offending(['bounces', id, bounce])).toEqual([]);
    expect(offending(['assess', id])).toEqual([]);
    expect(offending(['report', id, '--jurisdiction', 'FR'])).toEqual([]);
    expect(offending(['register'])).toEqual([]);
    const verify = tocsin(['verify', 'XXXXX-XXXXX-XXXXX', '--email', email, '--json'], { database });
    expect(notSnakeCase(JSON.parse(verify.stdout))).toEqual([]);
    expect(offending(['purge', id, '--unaffected', '--dry-run'])).toEqual([]);
    expect(offending(['purge', id, '--unaffected'])).toEqual([]);
    expect(offending(['demo-data', '--out', join(dir, 'shop'), '--orders', '300', '--log-lines', '2000'])).toEqual([]);
  });
});
