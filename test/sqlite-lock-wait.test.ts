import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext, type OpenContext } from '../src/context.ts';
import { recordRun, verifyAudit } from '../src/incidents/audit.ts';
import { campaignOfDemoShop, spawnTocsin } from './helpers/delivery.ts';
import { configWith } from '../src/config.ts';

// SQLite's write lock is a file lock between processes; PostgreSQL has no such lock to wait for.
describe('a command that finds SQLite locked by another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-lock-wait-'));
  let ctx: OpenContext;
  let id: string;
  const file = join(dir, 'tocsin.db');

  beforeAll(async () => {
    ctx = await openContext({ config: configWith({ data_dir: dir }), actor: 'test' });
    id = await campaignOfDemoShop(ctx, join(dir, 'shop'), 1000);
  });
  afterAll(async () => {
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits, says once what it waits for, and goes on when the lock is released', async () => {
    // Another process in the middle of a long write, as a big import is.
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE; UPDATE incidents SET title = title');
    const outbox = join(dir, 'outbox');
    const child = spawnTocsin(['send', id, '--from', 'notices@shop.example.com', '--transport', `file:${outbox}`, '--json'], { dataDir: dir });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let exited = false;
    void child.exited.then(() => (exited = true));
    while (!stderr.includes('waiting') && !exited) await sleep(10);
    // Held well past the one-second patience, through several of the waiter's tries.
    await sleep(2500);
    expect(exited, stderr).toBe(false);
    other.exec('COMMIT');
    other.close();

    const { code } = await child.exited;
    expect(code, stderr).toBe(0);
    expect(stderr).toBe(`tocsin: waiting for another tocsin process (an import or a scope run?) to finish writing to ${file}; this goes on by itself once it has\n`);
    const notices = await ctx.db.selectFrom('notices').select(['state']).where('incident_id', '=', id).execute();
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.every((notice) => notice.state === 'sent')).toBe(true);
    expect(readdirSync(outbox)).toHaveLength(notices.length);
  });

  it('keeps the event loop turning while it waits: a server goes on answering the requests that need no database', async () => {
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE; UPDATE incidents SET title = title');
    try {
      const written = ctx.db.updateTable('incidents').set({ title: 'written after the lock' }).where('id', '=', id).execute();
      // Had SQLite slept on this thread (its busy timeout), the timer could not fire until the write was through.
      const started = performance.now();
      await sleep(50);
      expect(performance.now() - started).toBeLessThan(90);
      expect(other.prepare('SELECT title FROM incidents WHERE id = ?').get(id)).not.toMatchObject({ title: 'written after the lock' });
      other.exec('COMMIT');
      await written;
    } finally {
      if (other.isTransaction) other.exec('ROLLBACK');
      other.close();
    }
    const row = await ctx.db.selectFrom('incidents').select('title').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.title).toBe('written after the lock');
  });

  it('records a run in the audit trail behind another process that holds the write lock, and after its commit', async () => {
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE; UPDATE incidents SET title = title');
    const recorded = recordRun(ctx, id, { action: 'test.run', details: {} });
    await sleep(1500);
    other.exec("UPDATE incidents SET title = 'written by another process'; COMMIT");
    other.close();
    // Had it read the head before taking the lock, its snapshot would now be stale and its insert refused.
    await expect(recorded).resolves.toMatchObject({ action: 'test.run' });
    expect(await verifyAudit(ctx, id)).toMatchObject({ intact: true });
  });

  it('does not wait for a transaction that read before writing: another commit made its snapshot stale for good', async () => {
    const other = new DatabaseSync(file);
    try {
      const written = ctx.db.transaction().execute(async (trx) => {
        await trx.selectFrom('incidents').select('id').execute();
        other.exec("UPDATE incidents SET title = 'changed meanwhile'");
        await sql`UPDATE incidents SET title = 'stale'`.execute(trx);
      });
      await expect(written).rejects.toMatchObject({ errcode: 517 });
    } finally {
      other.close();
    }
  });
});
