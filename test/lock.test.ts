import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { withLock } from '../scripts/lock.ts';

// The lock that keeps two test worker processes from building the console, or the console tests' demo, at once.

const dir = mkdtempSync(join(tmpdir(), 'tocsin-lock-'));

describe('withLock', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one holder at a time, and leaves no file behind', async () => {
    const lock = join(dir, 'one-at-a-time.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withLock(lock, async () => {
        events.push(`${name} in`);
        await sleep(50);
        events.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([hold('a'), hold('b'), hold('c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i].replace(' in', ' out'));
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the work throws', async () => {
    const lock = join(dir, 'throws.lock');
    await expect(withLock(lock, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await withLock(lock, () => 'again')).toBe('again');
  });

  it('waits while the process that holds it runs, and takes over one left by a process that died', async () => {
    const lock = join(dir, 'held.lock');
    writeFileSync(lock, String(process.pid));
    let ran = false;
    const waiting = withLock(lock, () => {
      ran = true;
    });
    await sleep(600);
    expect(ran).toBe(false);
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(lock, String(gone));
    await waiting;
    expect(ran).toBe(true);
  });
});
