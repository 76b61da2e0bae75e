import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processExists } from '../src/lib/process.ts';

/**
 * Runs `work` while holding the lock file PATH, waiting while another process holds it: the test
 * files run in separate worker processes, and two of them must not build the console (or the
 * console tests' demo) at once. The lock holds its owner's process id, so one left by a process
 * that died is taken over.
 */
export async function withLock<T>(path: string, work: () => T | Promise<T>): Promise<T> {
  // Written aside, then linked into place: the lock never exists without its owner's id.
  const mine = `${path}.${randomBytes(6).toString('hex')}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(mine, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (ownerDied(path)) rmSync(path, { force: true });
      else await sleep(200);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return await work();
  } finally {
    unlinkSync(path);
  }
}

/** Whether the lock was left by a process that no longer runs (false when it is gone meanwhile). */
function ownerDied(path: string): boolean {
  let owner: string;
  try {
    owner = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return !processExists(Number(owner));
}
