import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import { createIncident, listIncidents } from '../src/incidents/incidents.ts';
import { tocsin } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-connections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const incident = (ctx: OpenContext, title: string) => createIncident(ctx, { title, aware_at: '2019-11-14T16:00:00Z' });

/**
 * Opening a database must not open and close its files when there is nothing to fix: closing
 * a descriptor drops every POSIX lock the process holds on the file, its other SQLite
 * connections' included, and another process then took itself for the last one and removed
 * the WAL under them ("disk I/O error").
 */
it('keeps a SQLite connection working while the same process opens and closes others and other processes write', async () => {
  const first = await openContext({ config: configWith({ data_dir: dir }), actor: 'test' });
  try {
    await incident(first, 'first');
    const second = await openContext({ config: configWith({ data_dir: dir }), actor: 'test' });
    await incident(second, 'second');
    await second.close();
    for (const title of ['third', 'fourth']) {
      const cli = tocsin(['incident', 'create', '--title', title, '--aware-at', '2019-11-14T16:00:00Z'], { database: { dataDir: dir } });
      expect(cli.status, cli.stderr).toBe(0);
    }
    await incident(first, 'fifth');
    const third = await openContext({ config: configWith({ data_dir: dir }), actor: 'test' });
    try {
      expect((await listIncidents(third)).map((i) => i.title).sort()).toEqual(['fifth', 'first', 'fourth', 'second', 'third']);
      await incident(third, 'sixth');
    } finally {
      await third.close();
    }
    expect(await listIncidents(first)).toHaveLength(6);
  } finally {
    await first.close();
  }
});
