import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import { type Database, sqliteFile } from './connect.ts';
import { LOCKED_CODES } from './sqlite-dialect.ts';
import type { Tables } from './schema.ts';

/** How often the thread copies the WAL's new pages into the database file. */
const CHECKPOINT_EVERY_MS = 1000;

/**
 * The thread's code, plain JavaScript: a TypeScript file would load Node's type stripper into it
 * as well. It checkpoints passively, which waits for no writer and no reader; one that another
 * connection's checkpoint holds up (the dialect's LOCKED_CODES) is tried at the next turn.
 */
const THREAD = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const locked = new Set(workerData.lockedCodes);
const database = new DatabaseSync(workerData.file, { timeout: 0 });
const timer = setInterval(() => {
  try {
    database.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (!locked.has(error.errcode)) parentPort.postMessage({ type: 'failed', reason: error.message });
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
parentPort.postMessage({ type: 'started' });
`;

/**
 * Checkpoints the SQLite file of `dataDir` (the WAL's pages copied into it, then the disk waited for)
 * every CHECKPOINT_EVERY_MS in a thread of its own, for connections elsewhere that leave it to
 * this one (leaveCheckpointsElsewhere). `onFailed` hears why one failed (a full disk), and the
 * next is tried all the same, or that the thread stopped unasked. Resolves once the thread runs, to what stops it. The thread holds
 * about 18 MB.
 */
export async function startWalCheckpoints(dataDir: string, onFailed: (reason: string) => void): Promise<() => Promise<void>> {
  const thread = new Worker(THREAD, { eval: true, workerData: { file: sqliteFile(dataDir), everyMs: CHECKPOINT_EVERY_MS, lockedCodes: [...LOCKED_CODES] } });
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    thread.on('message', (message: { type: 'started' } | { type: 'failed'; reason: string }) => {
      if (message.type === 'started') resolve();
      else onFailed(message.reason);
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the WAL checkpoint thread exited (${code}) before it started`)));
  });
  let stopping = false;
  void exited.then(() => stopping || onFailed('the checkpoint thread stopped'));
  return async () => {
    stopping = true;
    thread.postMessage('stop');
    await exited;
  };
}

/**
 * SQLite: this connection's commits no longer checkpoint; a thread that startWalCheckpoints
 * started does. SQLite checkpoints on the committing thread, every 1,000 pages of WAL, and a
 * checkpoint copies them and waits for the disk: a serving process answered nothing meanwhile, up
 * to a second at a time in bench:portal's lookups on SQLite.
 */
export async function leaveCheckpointsElsewhere(database: { db: Kysely<Tables>; dialect: Database['dialect'] }): Promise<void> {
  if (database.dialect === 'sqlite') await sql`PRAGMA wal_autocheckpoint = 0`.execute(database.db);
}
