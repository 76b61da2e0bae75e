import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { withLock } from '../../scripts/lock.ts';
import { startTocsin } from './cli.ts';

/** The demo's environment: the user's own settings (a data directory in DIR, no database URL), which it must not use, and ENV. */
export function demoEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, CI: '1', TOCSIN_DATA_DIR: join(dir, 'own-data'), DATABASE_URL: '', TOCSIN_DATABASE_URL: '', ...env };
}

/**
 * The workspace of `tocsin demo` (300 orders, 3,000 log lines) that every console test file of
 * the run serves a copy of, and json-casing works on a copy of: made once, by the first file that
 * asks, while the others wait.
 */
export async function demoTemplate(): Promise<string> {
  const runDir = inject('runDir');
  const template = join(runDir, 'console-demo');
  const made = `${template}.made`;
  await withLock(`${template}.lock`, async () => {
    if (existsSync(made)) return;
    // Not tocsin()'s spawnSync: on a busy machine the demo outlasts its 150 s, and the worker would stop answering vitest meanwhile.
    const demo = await startTocsin(['demo', '--dir', template, '--orders', '300', '--log-lines', '3000'], {
      env: demoEnv(runDir, {}),
      ready: (stderr) => (/^The demo is in /m.test(stderr) ? true : undefined),
    });
    expect(await demo.exited, demo.stderr()).toBe(0);
    writeFileSync(made, '');
  });
  return template;
}
