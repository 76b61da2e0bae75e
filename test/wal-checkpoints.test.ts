import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import { leaveCheckpointsElsewhere, startWalCheckpoints } from '../src/db/index.ts';

// SQLite's write-ahead log: PostgreSQL checkpoints in processes of its own, never on a serving connection's.
describe("SQLite's checkpoints left to a thread (tocsin serve --processes: the first process's)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-wal-checkpoints-'));
  let ctx: OpenContext;

  beforeAll(async () => {
    ctx = await openContext({ config: configWith({ data_dir: dir }), actor: 'test' });
    await sql`CREATE TABLE written (bytes BLOB)`.execute(ctx.db);
  });
  afterAll(async () => {
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // More than SQLite's own checkpoint interval (1,000 pages of 16 KB), which a commit would copy into the file at once.
  const writeMegabytes = (megabytes: number) =>
    sql`WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ${megabytes}) INSERT INTO written SELECT randomblob(1048576) FROM n`.execute(ctx.db);
  const fileMegabytes = () => statSync(join(dir, 'tocsin.db')).size / 2 ** 20;

  it('a connection that leaves them commits without copying its log into the file; the thread copies it', async () => {
    const failures: string[] = [];
    const stop = await startWalCheckpoints(dir, (reason) => failures.push(reason));
    try {
      await leaveCheckpointsElsewhere(ctx);
      const before = fileMegabytes();
      await writeMegabytes(24);
      expect(fileMegabytes()).toBeLessThan(before + 1);
      for (let waited = 0; waited < 300 && fileMegabytes() < before + 24; waited++) await sleep(100);
      expect(fileMegabytes()).toBeGreaterThanOrEqual(before + 24);
      expect(failures).toEqual([]);
    } finally {
      await stop();
    }
  });
});
