import { afterAll, beforeAll, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import type { OpenContext } from '../src/context.ts';
import { admitLookup, type LookupRequest, settleLookups } from '../src/portal/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';

/** A clock that stands still: every lookup falls in one window. */
const NOW = new Date('2026-03-02T09:00:00.000Z');

/** Once `condition` holds, polled every 5 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describeEachDatabase('lookups gathered for one commit (admitLookup, settleLookups)', (database) => {
  let ctx: OpenContext;
  /** What each commit queued, one list a commit. */
  const queued: LookupRequest[][] = [];
  const queue = async (_ctx: unknown, requests: readonly LookupRequest[]) => void queued.push([...requests]);
  const request = (n: number): LookupRequest => ({ email: `person${n}@example.org`, locale: 'en' });

  beforeAll(async () => {
    const config = configWith({ data_dir: database().config.dataDir, database_url: database().config.databaseUrl, portal: { lookup_address: { requests: 2, seconds: 3600 } } });
    ctx = await database().context({ config, now: () => NOW });
  });
  afterAll(() => ctx?.close());

  /** A lookup admitted, and what became of it so far. */
  function admit(n: number, client: string) {
    const state: { outcome: 'waiting' | 'admitted' | string } = { outcome: 'waiting' };
    admitLookup(ctx, request(n), client, queue).then(
      () => (state.outcome = 'admitted'),
      (error: { code: string }) => (state.outcome = error.code),
    );
    return state;
  }

  it('commits the waiting lookups at once when settled, and those that come during the commit too', async () => {
    queued.length = 0;
    const first = [admit(1, '198.51.100.1'), admit(2, '198.51.100.2')];
    const settling = settleLookups(ctx);
    // The commit is under way: this one waits for the next.
    const later = admit(3, '198.51.100.3');
    await settling;
    expect([...first, later].map((state) => state.outcome)).toEqual(['admitted', 'admitted', 'admitted']);
    expect(queued).toEqual([[request(1), request(2)], [request(3)]]);
    const counts = await ctx.db.selectFrom('portal_lookup_counts').select(['key', 'count']).orderBy('key').execute();
    // Each client's count (by its address's key) and everyone's.
    expect(counts.map((row) => [row.key === 'lookup:global' ? row.key : 'client', Number(row.count)])).toEqual([['client', 1], ['client', 1], ['client', 1], ['lookup:global', 3]]);
  });

  it('refuses within one commit what one client asks past its limit, queueing only what it admits', async () => {
    queued.length = 0;
    const states = [4, 5, 6].map((n) => admit(n, '203.0.113.9'));
    await settleLookups(ctx);
    expect(states.map((state) => state.outcome)).toEqual(['admitted', 'admitted', 'THROTTLED']);
    expect(queued).toEqual([[request(4), request(5)]]);
  });

  it('refuses within one commit past the global limit too, counting there only what the client limit let through, and in the client limit nothing it refused', async () => {
    let clock = new Date(NOW.getTime() + 3_600_000);
    const config = configWith({ ...ctx.config, portal: { ...ctx.config.portal, lookup_global: { requests: 3, seconds: 60 } } });
    const limited = await database().context({ config, now: () => clock });
    try {
      queued.length = 0;
      const outcomes: (number | 'admitted')[] = [];
      const lookups = ([[1, 'a'], [2, 'a'], [3, 'a'], [4, 'b'], [5, 'c']] as const).map(([n, client], k) =>
        admitLookup(limited, request(n), `192.0.2.${client.charCodeAt(0)}`, queue).then(
          () => (outcomes[k] = 'admitted'),
          (error: { retry_after: number }) => (outcomes[k] = error.retry_after),
        ),
      );
      await settleLookups(limited);
      await Promise.all(lookups);
      // The third of client a's is past its own limit (an hour's window) and so takes no place in everyone's; c's is past everyone's (a minute's).
      expect(outcomes).toEqual(['admitted', 'admitted', 3600, 'admitted', 60]);
      expect(queued).toEqual([[request(1), request(2), request(4)]]);
      // A minute on, the global window is new: c, refused only by it, still has both its lookups of the hour.
      clock = new Date(clock.getTime() + 60_000);
      queued.length = 0;
      const again = [6, 7].map((n) => admitLookup(limited, request(n), `192.0.2.${'c'.charCodeAt(0)}`, queue));
      await settleLookups(limited);
      await Promise.all(again);
      expect(queued).toEqual([[request(6), request(7)]]);
    } finally {
      await limited.close();
    }
  });

  it('commits two batches at once, each queued as its own commit goes, and gathers the next while both are under way', async () => {
    const calls: LookupRequest[][] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Each commit's queueing holds until released: the commits stay under way. The context's lookups before were queued by another function, which this one's batch does not use.
    const held = async (_ctx: unknown, requests: readonly LookupRequest[]) => {
      calls.push([...requests]);
      await released;
    };
    const admitted: number[] = [];
    const admitHeld = (n: number) => admitLookup(ctx, request(n), `198.51.100.${n}`, held).then(() => admitted.push(n));
    try {
      const first = admitHeld(11);
      await until(() => calls.length === 1);
      const second = admitHeld(12);
      await until(() => calls.length === 2);
      // Both commits are under way: these two wait, gathered for the next.
      const later = [admitHeld(13), admitHeld(14)];
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls).toEqual([[request(11)], [request(12)]]);
      expect(admitted).toEqual([]);
      release();
      await Promise.all([first, second, ...later]);
      expect(calls).toEqual([[request(11)], [request(12)], [request(13), request(14)]]);
      expect(admitted.sort()).toEqual([11, 12, 13, 14]);
    } finally {
      release();
      await settleLookups(ctx);
    }
  });

  it('counts in memory, writes the counts at the next sync, and learns there what other processes counted: a limit is overshot by at most what each lets through before it learns', async () => {
    const clock = new Date(NOW.getTime() + 2 * 3_600_000);
    const config = configWith({ ...ctx.config, portal: { ...ctx.config.portal, lookup_address: { requests: 2, seconds: 3600 } } });
    // Two serving processes: two contexts on the same database, each with its own counts.
    const [one, two] = await Promise.all([database().context({ config, now: () => clock }), database().context({ config, now: () => clock })]);
    const client = '198.51.100.77';
    const stored = async () => (await ctx.db.selectFrom('portal_lookup_counts').select(['key', 'count']).where('window_start', '=', clock.toISOString()).execute()).map((row) => Number(row.count));
    const outcome = (on: OpenContext, n: number) =>
      admitLookup(on, request(n), client, queue).then(
        () => 'admitted',
        (error: { code: string }) => error.code,
      );
    try {
      queued.length = 0;
      expect([await outcome(one, 21), await outcome(one, 22)]).toEqual(['admitted', 'admitted']);
      // Not written yet: the statement that queued the answers is the only one a batch makes.
      expect(await stored()).toEqual([]);
      await settleLookups(one);
      expect((await stored()).sort()).toEqual([2, 2]);
      // The other process has not learnt of them: it lets one through, and learns the total when it writes its own.
      expect(await outcome(two, 23)).toBe('admitted');
      await settleLookups(two);
      expect((await stored()).sort()).toEqual([3, 3]);
      expect(await outcome(two, 24)).toBe('THROTTLED');
      // Written on their own within a sync's interval, without a settle.
      for (const began = Date.now(); (await stored()).sort().join() !== '3,4' && Date.now() - began < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 20));
      // The refused lookup counts in its client's window (the limit was reached), not in everyone's.
      expect((await stored()).sort()).toEqual([3, 4]);
      expect(queued.flat()).toEqual([request(21), request(22), request(23)]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('settles at once when nothing waits', async () => {
    queued.length = 0;
    await settleLookups(ctx);
    expect(queued).toEqual([]);
  });
});
