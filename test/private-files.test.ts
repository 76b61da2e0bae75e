import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/connect.ts';
import { runDemo } from '../src/demo/run-demo.ts';
import { writePrivateFile } from '../src/lib/private-file.ts';
import { tocsin } from './helpers/cli.ts';

const parent = mkdtempSync(join(tmpdir(), 'tocsin-private-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every directory and file under `root`, with its permission bits, as `path mode` lines. */
function modesUnder(root: string): { dirs: string[]; files: string[] } {
  const dirs = [`${root} ${modeOf(root).toString(8)}`];
  const files: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    (entry.isDirectory() ? dirs : files).push(`${path} ${modeOf(path).toString(8)}`);
  }
  return { dirs, files };
}

function expectPrivate(root: string): { dirs: string[]; files: string[] } {
  const found = modesUnder(root);
  expect(found.dirs.filter((line) => !line.endsWith(' 700'))).toEqual([]);
  expect(found.files.filter((line) => !line.endsWith(' 600'))).toEqual([]);
  return found;
}

describe('what Tocsin writes, when the shell says umask 022', () => {
  it('the CLI: the demo pipeline and every --out file are owner-only, in owner-only directories', () => {
    const dir = join(parent, 'cli-demo');
    const demo = tocsin(['demo', '--dir', dir, '--orders', '300', '--log-lines', '3000', '--json'], { umask: '022' });
    expect(demo.status).toBe(0);
    const { incident_id: incidentId } = JSON.parse(demo.stdout);
    const database = { dataDir: join(dir, 'data') };
    for (const args of [
      ['affected', incidentId, '--out', join(dir, 'affected.csv')],
      ['delivery', incidentId, '--out', join(dir, 'delivery.txt')],
      ['report', incidentId, '--jurisdiction', 'FR', '--out', join(dir, 'report.md')],
      ['notices', 'preview', incidentId, '--out', join(dir, 'preview')],
    ]) {
      const result = tocsin(args, { database, umask: '022' });
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    const { files } = expectPrivate(dir);
    // Not vacuous: the database, the outbox, the previews and each --out file are among them.
    for (const name of ['tocsin.db', 'secret.key', 'dkim-ed25519.pem', 'orders.csv', 'affected.csv', 'delivery.txt', 'report.md', '.eml 600', '.html 600']) {
      expect(files.some((line) => line.includes(name)), name).toBe(true);
    }
    expect(files.filter((line) => line.includes(`${join(dir, 'data', 'outbox')}/`)).length).toBeGreaterThan(10);
  });

  describe('the services, for callers that set no umask of their own (the server, tests)', () => {
    let before: number;
    beforeEach(() => {
      before = process.umask(0o022);
    });
    afterEach(() => {
      process.umask(before);
    });

    it('the whole demo pipeline, run in-process', async () => {
      const dir = join(parent, 'library-demo');
      await runDemo({ dir, orders: 300, logLines: 3000, seed: 3 });
      const { files } = expectPrivate(dir);
      expect(files.filter((line) => line.endsWith('.eml 600')).length).toBeGreaterThan(10);
    });

    it('SQLite: the database, its -wal and its -shm, while they are open', async () => {
      const dataDir = join(parent, 'library-db');
      const database = await openDatabase({ dataDir });
      try {
        await database.db.schema.createTable('probe').addColumn('x', 'integer').execute();
        const names = readdirSync(dataDir).sort();
        expect(names).toEqual(['tocsin.db', 'tocsin.db-shm', 'tocsin.db-wal']);
        expectPrivate(dataDir);
      } finally {
        await database.close();
      }
    });

    it('a file an --out overwrites that was open to others becomes owner-only', () => {
      const file = join(parent, 'old-affected.csv');
      writeFileSync(file, 'old\n', { mode: 0o644 });
      expect(modeOf(file)).toBe(0o644);
      writePrivateFile(file, 'email\n');
      expect(modeOf(file)).toBe(0o600);
    });
  });
});

describe('a data directory made before Tocsin kept it private', () => {
  it('warns with the chmod to run, and closes the database files to others', () => {
    const dataDir = join(parent, 'old-data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const before = process.umask(0o022);
    // An older Tocsin's files: 644, the -wal and -shm kept by a connection still open.
    const old = new DatabaseSync(join(dataDir, 'tocsin.db'));
    try {
      old.exec('PRAGMA journal_mode = WAL; CREATE TABLE probe (x integer); INSERT INTO probe VALUES (1);');
      for (const name of ['tocsin.db', 'tocsin.db-wal', 'tocsin.db-shm']) expect(modeOf(join(dataDir, name)), name).toBe(0o644);
      const result = tocsin(['incident', 'list'], { database: { dataDir }, umask: '022' });
      expect(result.status).toBe(0);
      expect(result.stderr).toContain(`warning: the data directory ${dataDir} is open to other users (mode 755) and holds breached personal data; run: chmod 700 '${dataDir}'`);
      for (const name of ['tocsin.db', 'tocsin.db-wal', 'tocsin.db-shm']) expect(modeOf(join(dataDir, name)), name).toBe(0o600);
    } finally {
      old.close();
      process.umask(before);
    }
    // Once fixed, no warning.
    chmodSync(dataDir, 0o700);
    expect(tocsin(['incident', 'list'], { database: { dataDir } }).stderr).not.toContain('warning');
  });
});
