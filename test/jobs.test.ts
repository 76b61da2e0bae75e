import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import type { ContextOptions, OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { cancelJob, enqueueJob, enqueuePortalAnswers, getJob, listJobs, startJobRunner, watchJob, type JobRunner, type JobView } from '../src/jobs/index.ts';
import { claimJobs, oldestQueued, type JobWorker } from '../src/jobs/leases.ts';

/** The one job a worker claims, as a runner with room for one does. */
const claimJob = async (ctx: Parameters<typeof claimJobs>[0], worker: JobWorker, settings: Parameters<typeof claimJobs>[2]) => (await claimJobs(ctx, worker, settings, 1))[0] ?? null;
import type { TocsinError } from '../src/lib/errors.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { approveAsPrivacyOfficer } from './helpers/delivery.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-jobs-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
const rulesText = () => readFileSync(join(shop, 'scope.yml'), 'utf8');
let affected: number;

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 600, logLines: 6000, seed: 3 });
  affected = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8')).affected.length;
});

/** Fast enough for tests, slow enough for a loaded machine. */
const RUNNER = { pollMs: 50, progressMs: 50, leaseMs: 3_000 };

/** Every view watchJob yields until the job ends. */
async function watchToEnd(ctx: OpenContext, id: string): Promise<JobView[]> {
  const views: JobView[] = [];
  for await (const view of watchJob(ctx, id, AbortSignal.timeout(150_000), { intervalMs: 20 })) views.push(view);
  return views;
}

/** Reads the job until `until` holds. */
async function waitFor(ctx: OpenContext, id: string, until: (job: JobView) => boolean): Promise<JobView> {
  for await (const view of watchJob(ctx, id, AbortSignal.timeout(150_000), { intervalMs: 20 })) if (until(view)) return view;
  throw new Error(`job ${id} ended before the awaited state: ${JSON.stringify(await getJob(ctx, id))}`);
}

const fails = async (promise: Promise<unknown>): Promise<TocsinError> => {
  try {
    await promise;
  } catch (error) {
    return error as TocsinError;
  }
  throw new Error('expected a failure');
};

/** A process id that no process has any more: a worker killed on this machine. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describeEachDatabase('jobs', (database) => {
  let ctx: OpenContext;
  let incident: string;
  let runner: JobRunner | null = null;
  /** Where campaigns go when a job names no transport: the configuration's default, file:<data dir>/outbox. */
  const outbox = () => join(database().config.dataDir, 'outbox');
  /** A context whose configuration lets jobs name the demo shop's files (import_dirs), as the server's and the workers' would. */
  const jobsContext = (options: Partial<ContextOptions> = {}) =>
    database().context({ config: configWith({ data_dir: database().config.dataDir, database_url: database().config.databaseUrl, import_dirs: [shop] }), ...options });

  beforeAll(async () => {
    ctx = await jobsContext();
    ({ id: incident } = await createDemoIncident(ctx));
  });
  afterAll(async () => {
    await runner?.stop();
    await ctx?.close();
  });

  async function run<T>(body: () => Promise<T>, options: Parameters<typeof startJobRunner>[1] = {}): Promise<T> {
    runner = startJobRunner(ctx, { ...RUNNER, ...options });
    try {
      return await body();
    } finally {
      await runner.stop();
      runner = null;
    }
  }

  it('refuses bad parameters when the job is queued, queuing nothing', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'import', incident_id: incident, params: { file: join(shop, 'orders.csv'), colour: 'red' } }, 'JOB_PARAMS_INVALID'],
      [{ kind: 'import', incident_id: incident, params: { file: 'orders.csv\n\u001b[2J' } }, 'JOB_PARAMS_INVALID'],
      [{ kind: 'scope', incident_id: incident, params: { rules: rulesText(), logs: ['-'] } }, 'JOB_PARAMS_INVALID'],
      [{ kind: 'scope', incident_id: incident, params: { rules: 'rules: [', logs: logs() } }, 'SCOPE_FILE_INVALID'],
      [{ kind: 'scope', incident_id: incident, params: { rules: rulesText(), logs: logs(), client_ip_from: 'x-forwarded-for' } }, 'TRUSTED_PROXIES_MISSING'],
      [{ kind: 'campaign', incident_id: incident, params: { from: 'n@shop.example', transport: 'smtp://u:secret@127.0.0.1:25' } }, 'JOB_TRANSPORT_PASSWORD'],
      [{ kind: 'campaign', incident_id: incident, params: { transport: `file:${shop}` } }, 'JOB_TRANSPORT_FILE'],
      [{ kind: 'campaign', incident_id: incident, params: { dkim: { domain: 'shop.example', selector: 's', key_file: '/etc/shadow' } } }, 'JOB_PARAMS_INVALID'],
      [{ kind: 'campaign', params: { from: 'n@shop.example' } }, 'JOB_INCIDENT_MISSING'],
      [{ kind: 'campaign', incident_id: 'nope', params: { from: 'n@shop.example' } }, 'INCIDENT_NOT_FOUND'],
      [{ kind: 'purge', incident_id: incident, params: {} }, 'JOB_KIND_INVALID'],
      // Queued by the portal's "Was I affected?" alone, never by staff.
      [{ kind: 'portal_answer', incident_id: incident, params: { email: 'ana@example.com', locale: 'fr' } }, 'JOB_KIND_PORTAL'],
    ];
    for (const [input, code] of cases) {
      const error = await fails(enqueueJob(ctx, input as Parameters<typeof enqueueJob>[1]));
      expect(error.code, error.message).toBe(code);
    }
    expect(await listJobs(ctx)).toEqual([]);
  });

  it('reads only files inside the import directories: no .. escape, no symbolic link out, none at all without them', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'tocsin-jobs-outside-'));
    try {
      writeFileSync(join(outside, 'secret.csv'), 'email\nanna@example.com\n');
      symlinkSync(join(outside, 'secret.csv'), join(shop, 'link-out.csv'));
      symlinkSync(outside, join(shop, 'dir-out'));
      const refused = async (file: string, context: OpenContext = ctx) => {
        const error = await fails(enqueueJob(context, { kind: 'import', incident_id: incident, params: { file } }));
        return { code: error.code, kind: error.kind };
      };
      const forbidden = { code: 'JOB_FILE_OUTSIDE_IMPORT_DIRS', kind: 'forbidden' };
      expect(await refused(join(outside, 'secret.csv'))).toEqual(forbidden);
      expect(await refused(join(shop, '..', outside.split('/').at(-1)!, 'secret.csv'))).toEqual(forbidden);
      expect(await refused('../../../../../../etc/passwd')).toEqual(forbidden);
      expect(await refused(join(shop, 'link-out.csv'))).toEqual(forbidden);
      expect(await refused('dir-out/secret.csv')).toEqual(forbidden);
      expect(await refused(join(shop, 'no-such.csv'))).toEqual({ code: 'JOB_FILE_NOT_FOUND', kind: 'invalid' });
      expect(await refused(shop)).toEqual(forbidden);
      const logs = await fails(enqueueJob(ctx, { kind: 'scope', incident_id: incident, params: { rules: rulesText(), logs: [join(shop, 'access.log'), '/etc/passwd'] } }));
      expect(logs).toMatchObject({ code: 'JOB_FILE_OUTSIDE_IMPORT_DIRS', kind: 'forbidden' });
      expect(logs.message).toContain('params.logs[1]');
      // Without import directories a job names no file, not even one a CLI command could read.
      const unconfigured = await database().context();
      try {
        expect(await refused(join(shop, 'orders.csv'), unconfigured)).toEqual({ code: 'JOB_FILES_NOT_ALLOWED', kind: 'forbidden' });
      } finally {
        await unconfigured.close();
      }
      expect(await listJobs(ctx)).toEqual([]);
    } finally {
      rmSync(join(shop, 'link-out.csv'));
      rmSync(join(shop, 'dir-out'));
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('runs an import job to its summary, its progress and states watched in order', async () => {
    // A name relative to the import directory is kept as the file's real path.
    const job = await enqueueJob(ctx, { kind: 'import', incident_id: incident, params: { file: 'orders.csv', preset: 'tocsin-demo', rules: rulesText() } });
    expect(job).toMatchObject({ kind: 'import', incident_id: incident, state: 'queued', progress: null, result: null, error: null, actor: 'test', started_at: null });
    const stored = await ctx.db.selectFrom('jobs').select('params').where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.params).file).toBe(realpathSync(join(shop, 'orders.csv')));
    const views = await run(() => watchToEnd(ctx, job.id));
    const end = views.at(-1)!;
    expect(end.state).toBe('succeeded');
    // What `tocsin import --json` prints: snake_case, through the records module's view.
    expect(end.result).toMatchObject({ import_id: 1, rows_read: 600, imported: 600, quarantined: 0 });
    expect(end.error).toBeNull();
    expect(end.finished_at! >= end.started_at!).toBe(true);
    const states = views.map((view) => view.state);
    expect(states.indexOf('running')).toBeGreaterThan(states.lastIndexOf('queued'));
    expect(states.filter((state) => state === 'succeeded')).toHaveLength(1);
    const done = views.flatMap((view) => (view.progress ? [view.progress.done] : []));
    expect(done.length).toBeGreaterThan(0);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The import was audited as whoever queued the job.
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor', 'details']).where('incident_id', '=', incident).where('action', 'in', ['job.queued', 'records.imported']).orderBy('seq').execute();
    expect(audit.map(({ action, actor }) => [action, actor])).toEqual([
      ['job.queued', 'test'],
      ['records.imported', 'test'],
    ]);
    expect(JSON.parse(audit[0].details)).toEqual({ job: job.id, kind: 'import' });
  });

  it('checks the files again when the job runs, failing it with the error as the CLI shows it, and the runner goes on', async () => {
    // Queued while the file was there, removed before it ran.
    writeFileSync(join(shop, 'gone.csv'), readFileSync(join(shop, 'orders.csv')));
    const missing = await enqueueJob(ctx, { kind: 'import', incident_id: incident, params: { file: join(shop, 'gone.csv') } });
    rmSync(join(shop, 'gone.csv'));
    // Queued while its folder was inside the import directory, run once a symbolic link out had taken the folder's place.
    const outside = mkdtempSync(join(tmpdir(), 'tocsin-jobs-outside-'));
    mkdirSync(join(shop, 'swapped'));
    copyFileSync(join(shop, 'orders.csv'), join(shop, 'swapped', 'orders.csv'));
    const swapped = await enqueueJob(ctx, { kind: 'import', incident_id: incident, params: { file: 'swapped/orders.csv' } });
    renameSync(join(shop, 'swapped', 'orders.csv'), join(outside, 'orders.csv'));
    rmSync(join(shop, 'swapped'), { recursive: true });
    symlinkSync(outside, join(shop, 'swapped'));
    const scope = await enqueueJob(ctx, { kind: 'scope', incident_id: incident, params: { rules: rulesText(), rules_name: 'scope.yml', logs: logs() } });
    const ended = (job: JobView) => job.state !== 'queued' && job.state !== 'running';
    try {
      const [failed, escaped, scoped] = await run(async () => [await waitFor(ctx, missing.id, ended), await waitFor(ctx, swapped.id, ended), await waitFor(ctx, scope.id, ended)]);
      expect(failed).toMatchObject({ state: 'failed', result: null, error: { code: 'JOB_FILE_NOT_FOUND', kind: 'invalid' } });
      expect(failed.error?.message).toContain('gone.csv');
      expect(escaped).toMatchObject({ state: 'failed', result: null, error: { code: 'JOB_FILE_OUTSIDE_IMPORT_DIRS', kind: 'forbidden' } });
      expect(scoped.error).toBeNull();
      // What `tocsin scope --json` prints, through the scoping module's view.
      expect(scoped.result).toMatchObject({ run: 1, affected, files: expect.arrayContaining([expect.objectContaining({ lines: expect.any(Number), first_time: expect.any(Number) })]) });
    } finally {
      rmSync(join(shop, 'swapped'));
      rmSync(outside, { recursive: true, force: true });
    }
    const runs = await ctx.db.selectFrom('scope_runs').select(['run', 'rules_path']).where('incident_id', '=', incident).execute();
    expect(runs).toEqual([{ run: 1, rules_path: `scope.yml (job ${scope.id})` }]);
  });

  it('runs detection and a notice build', async () => {
    const detect = await enqueueJob(ctx, { kind: 'detect', incident_id: incident, params: { rules: rulesText(), logs: logs(), top: 3 } });
    const build = await enqueueJob(ctx, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
    const [detected, built] = await run(async () => [await waitFor(ctx, detect.id, finished), await waitFor(ctx, build.id, finished)]);
    expect(detected.error).toBeNull();
    expect((detected.result as { suspects: unknown[] }).suspects).toHaveLength(3);
    expect(built.error).toBeNull();
    expect(built.result).toMatchObject({ run: 1, total: affected, added: affected });
  });

  it('cancels a queued job at once; the runner never starts it', async () => {
    const job = await enqueueJob(ctx, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
    const cancelling = await jobsContext({ actor: 'dpo' });
    try {
      expect(await cancelJob(cancelling, job.id)).toMatchObject({ state: 'cancelled', started_at: null });
      expect(await cancelJob(cancelling, job.id)).toMatchObject({ state: 'cancelled' });
    } finally {
      await cancelling.close();
    }
    const trail = await ctx.db.selectFrom('audit_log').select(['action', 'actor', 'details']).where('incident_id', '=', incident).where('action', 'like', 'job.%').execute();
    expect(trail.filter((entry) => JSON.parse(entry.details).job === job.id).map(({ action, actor }) => [action, actor])).toEqual([
      ['job.queued', 'test'],
      ['job.cancelled', 'dpo'],
    ]);
    await run(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await getJob(ctx, job.id)).toMatchObject({ state: 'cancelled', started_at: null, attempts: 0 });
    expect(await fails(cancelJob(ctx, 'no-such-job'))).toMatchObject({ code: 'JOB_NOT_FOUND', kind: 'not_found', next: { action: 'list_jobs' } });
  });

  it("erases a cancelled portal answer's address with it, as its end would", async () => {
    await enqueuePortalAnswers(ctx, [{ email: 'cancelled.lookup@example.com', locale: 'fr' }]);
    const queued = await ctx.db.selectFrom('jobs').select(['id', 'params']).where('kind', '=', 'portal_answer').where('state', '=', 'queued').where('params', 'like', '%cancelled.lookup%').executeTakeFirstOrThrow();
    expect(await cancelJob(ctx, queued.id)).toMatchObject({ state: 'cancelled' });
    expect(await ctx.db.selectFrom('jobs').select('params').where('id', '=', queued.id).executeTakeFirst()).toEqual({ params: '{}' });
  });

  it('cancels a running campaign at its next step, and a later one resumes it without sending anyone twice', async () => {
    // The notices the tests above built, approved by a second account as sending requires.
    await approveAsPrivacyOfficer(ctx, incident);
    // No transport: the workers' configuration's (here its default, file:<data dir>/outbox).
    const params = { from: 'notices@shop.example.com', rate: 5 };
    const first = await enqueueJob(ctx, { kind: 'campaign', incident_id: incident, params });
    const views = await run(async () => {
      await waitFor(ctx, first.id, (job) => (job.progress?.done ?? 0) >= 2);
      expect((await cancelJob(ctx, first.id)).state).toBe('running');
      return watchToEnd(ctx, first.id);
    });
    const end = views.at(-1)!;
    expect(end.state).toBe('cancelled');
    const sentThen = readdirSync(outbox()).length;
    expect(sentThen).toBeGreaterThanOrEqual(2);
    expect(sentThen).toBeLessThan(affected);
    expect(views.some((view) => view.state === 'running' && view.cancel_requested_at !== null)).toBe(true);
    const done = views.flatMap((view) => (view.progress ? [view.progress.done] : []));
    expect(done).toEqual([...done].sort((a, b) => a - b));

    const second = await enqueueJob(ctx, { kind: 'campaign', incident_id: incident, params: { ...params, rate: 0 } });
    const resumed = await run(() => waitFor(ctx, second.id, finished));
    expect(resumed.state, JSON.stringify(resumed.error)).toBe('succeeded');
    expect(resumed.result).toMatchObject({ completed: true, incident_id: incident, run: { sent: affected - sentThen, taken_over: 0 } });
    expect(readdirSync(outbox())).toHaveLength(affected);
    expect(await fails(cancelJob(ctx, second.id))).toMatchObject({ code: 'JOB_FINISHED', kind: 'conflict' });
    // The trail says who cancelled, once for all the requests it took.
    const cancels = await ctx.db.selectFrom('audit_log').select(['action', 'actor', 'details']).where('incident_id', '=', incident).where('action', 'like', 'job.cancel%').execute();
    expect(cancels.filter((entry) => JSON.parse(entry.details).job === first.id).map(({ action, actor }) => [action, actor])).toEqual([['job.cancel_requested', 'test']]);
  });

  // A heartbeat, which hears of a cancel, every 200 ms: a fast machine scans the test's log in about a second, and a cancel heard at the next 1 s heartbeat came too late.
  const CANCEL_HEARD_SOON = { leaseMs: 600 };

  it('cancels a running scope run in the middle of its scan, keeping nothing of it', async () => {
    // A log of about a million lines: a scan that takes far longer than a cancel needs to arrive, even on a loaded machine.
    const big = join(shop, 'big.log');
    const part = Buffer.concat([readFileSync(join(shop, 'access.log.1')), readFileSync(join(shop, 'access.log'))]);
    writeFileSync(big, Buffer.concat(Array.from({ length: 1000 }, () => part)));
    const runs = async () => (await ctx.db.selectFrom('scope_runs').select('run').where('incident_id', '=', incident).execute()).length;
    const before = await runs();
    const job = await enqueueJob(ctx, { kind: 'scope', incident_id: incident, params: { rules: rulesText(), logs: [big] } });
    // Watched and cancelled through a connection of its own, as the API would: on SQLite the job's transaction holds the runner's.
    const api = await jobsContext();
    try {
      const end = await run(async () => {
        await waitFor(api, job.id, (view) => view.state === 'running');
        expect((await cancelJob(api, job.id)).state).toBe('running');
        return waitFor(api, job.id, finished);
      }, CANCEL_HEARD_SOON);
      expect(end).toMatchObject({ state: 'cancelled', result: null, error: null });
    } finally {
      await api.close();
      rmSync(big);
    }
    expect(await runs()).toBe(before);
  });

  it('hands a running job back to the queue when its runner stops, for the next runner to finish', async () => {
    const build = await enqueueJob(ctx, { kind: 'scope', incident_id: incident, params: { rules: rulesText(), logs: logs() } });
    runner = startJobRunner(ctx, RUNNER);
    await waitFor(ctx, build.id, (job) => job.state === 'running');
    await runner.stop();
    runner = null;
    const back = (await getJob(ctx, build.id))!;
    // Stopped at its next step (queued again, not counted as an attempt), or finished first on a fast machine.
    expect(['queued', 'succeeded']).toContain(back.state);
    expect(back.attempts).toBe(back.state === 'queued' ? 0 : 1);
    expect(back.worker).toBeNull();
    const end = await run(() => waitFor(ctx, build.id, finished));
    expect(end).toMatchObject({ state: 'succeeded', result: { affected } });
  });

  it('claims the oldest queued jobs of the kinds asked for, across the kinds, however many others wait before them', async () => {
    const at = (minute: number) => jobsContext({ now: () => new Date(Date.UTC(2001, 0, 1, 0, minute)) });
    const queued: { id: string; kind: string; minute: number }[] = [];
    // A rush of answers (minutes 0–49) with notice builds among them (minutes 3, 20, 40).
    for (let minute = 0; minute < 50; minute++) {
      const then = await at(minute);
      try {
        if (minute === 3 || minute === 20 || minute === 40) {
          const job = await enqueueJob(then, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
          queued.push({ id: job.id, kind: 'notices_build', minute });
        } else {
          await enqueuePortalAnswers(then, [{ email: `rush${minute}@example.com`, locale: 'fr' }]);
          const row = await then.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').where('created_at', '=', then.now().toISOString()).executeTakeFirstOrThrow();
          queued.push({ id: row.id, kind: 'portal_answer', minute });
        }
      } finally {
        await then.close();
      }
    }
    const worker: JobWorker = { id: 'claims/1/x', host: hostname(), pid: process.pid };
    const settings = { leaseMs: 60_000, maxAttempts: 3 };
    const ids = (jobs: { id: string }[]) => jobs.map((job) => job.id);
    const ofKind = (kind: string) => queued.filter((job) => job.kind === kind).map((job) => job.id);
    try {
      if (database().dialect === 'sqlite') {
        // Each kind read down the queued jobs' index, never by a walk of every queued job (SQLite has no statistics to go by).
        const { sql: text, parameters } = oldestQueued(ctx, 4, ['notices_build', 'portal_answer']).compile(ctx.db);
        const plan = (await ctx.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${text}`, [...parameters]))).rows.map((row) => row.detail);
        expect(plan.filter((step) => /^(SEARCH|SCAN) jobs\b/.test(step))).toEqual([expect.stringMatching(/jobs_queued \(kind=\?\)/), expect.stringMatching(/jobs_queued \(kind=\?\)/)]);
      }
      // Both kinds: the oldest four, whatever their kind, in order.
      expect(ids(await claimJobs(ctx, worker, settings, 4, ['notices_build', 'portal_answer'], { takeOver: false }))).toEqual(ids(queued.slice(0, 4)));
      // One kind: the oldest of it still queued, past the answers queued before them.
      expect(ids(await claimJobs(ctx, worker, settings, 5, ['notices_build'], { takeOver: false }))).toEqual(ofKind('notices_build').slice(1));
      expect(ids(await claimJobs(ctx, worker, settings, 3, ['portal_answer'], { takeOver: false }))).toEqual(ofKind('portal_answer').slice(3, 6));
      // Any kind: the oldest still queued.
      expect(ids(await claimJobs(ctx, worker, settings, 2))).toEqual(ofKind('portal_answer').slice(6, 8));
    } finally {
      await ctx.db.deleteFrom('jobs').where('id', 'in', ids(queued)).execute();
    }
  });

  it('takes over a job whose worker died, and fails one that took down its workers too often', async () => {
    const job = await enqueueJob(ctx, { kind: 'detect', incident_id: incident, params: { rules: rulesText(), logs: logs() } });
    // A worker of this machine claimed it, and was killed.
    const dead: JobWorker = { id: `${hostname()}/killed`, host: hostname(), pid: deadPid() };
    const claimed = await claimJob(ctx, dead, { leaseMs: 600_000, maxAttempts: 3 });
    expect(claimed).toMatchObject({ id: job.id, state: 'running', worker: dead.id, attempts: 1 });
    const end = await run(() => waitFor(ctx, job.id, finished));
    expect(end).toMatchObject({ state: 'succeeded', attempts: 2, error: null });

    const doomed = await enqueueJob(ctx, { kind: 'detect', incident_id: incident, params: { rules: rulesText(), logs: logs() } });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const again = await claimJob(ctx, { ...dead, pid: deadPid() }, { leaseMs: 600_000, maxAttempts: 2 });
      expect(again).toMatchObject({ id: doomed.id, attempts: attempt });
    }
    const failed = await run(() => waitFor(ctx, doomed.id, finished), { maxAttempts: 2 });
    expect(failed).toMatchObject({ state: 'failed', attempts: 2, error: { code: 'JOB_WORKER_LOST' } });

    const orphan = await enqueueJob(ctx, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
    await claimJob(ctx, { ...dead, pid: deadPid() }, { leaseMs: 600_000, maxAttempts: 3 });
    expect(await cancelJob(ctx, orphan.id)).toMatchObject({ state: 'cancelled', worker: null });
  });

  it('tocsin jobs lists, shows and cancels jobs, their data made safe for the terminal', async () => {
    const hostile = await jobsContext({ actor: 'mallory\u001b]0;owned\u0007\u001b[2J' });
    let job: JobView;
    try {
      job = await enqueueJob(hostile, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
    } finally {
      await hostile.close();
    }
    const list = await tocsinMain(['jobs', 'list', '--incident', incident, '--state', 'queued', '--json'], { database: database().config });
    expect(list.status, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as JobView[]).map((listed) => listed.id)).toEqual([job.id]);
    const show = await tocsinMain(['jobs', 'show', job.id], { database: database().config });
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/state:\s+queued/);
    expect(show.stdout).not.toContain('\u001b');
    expect(show.stdout).not.toContain('\u0007');
    const cancel = await tocsinMain(['jobs', 'cancel', job.id, '--json'], { database: database().config });
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id: job.id, state: 'cancelled' });
    const missing = await tocsinMain(['jobs', 'show', 'no-such-job'], { database: database().config });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no job 'no-such-job'; the list of jobs shows their ids ('tocsin jobs list')");
    const missingJson = await tocsinMain(['jobs', 'cancel', 'no-such-job', '--json'], { database: database().config });
    expect(JSON.parse(missingJson.stdout)).toEqual({ error: { code: 'JOB_NOT_FOUND', kind: 'not_found', message: expect.any(String), next: { action: 'list_jobs' } } });
    const badKinds = await tocsinMain(['worker', '--kinds', 'portal_answer,nope'], { database: database().config });
    expect(badKinds.status).not.toBe(0);
    expect(badKinds.stderr).toContain("'nope' is no kind of job; the kinds are import, scope, detect, notices_build, campaign, portal_answer");
  });

  it('takes over the job of a worker elsewhere once its lease has run out (PostgreSQL; SQLite workers share one machine)', async () => {
    if (database().dialect === 'sqlite') {
      // On SQLite a live worker keeps its job however long it is silent: only its death frees it.
      const job = await enqueueJob(ctx, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
      const elsewhere: JobWorker = { id: 'elsewhere/1/x', host: `not-${hostname()}`, pid: 1 };
      await claimJob(ctx, elsewhere, { leaseMs: 1, maxAttempts: 3 });
      const later = await jobsContext({ now: () => new Date(Date.now() + 3_600_000) });
      try {
        expect(await claimJob(later, { id: 'here/2/y', host: hostname(), pid: process.pid }, { leaseMs: 1, maxAttempts: 3 })).toBeNull();
      } finally {
        await later.close();
      }
      expect(await cancelJob(ctx, job.id)).toMatchObject({ state: 'running', cancel_requested_at: expect.any(String) });
      return;
    }
    const job = await enqueueJob(ctx, { kind: 'notices_build', incident_id: incident, params: { shop_address: 'shop.example.com' } });
    const elsewhere: JobWorker = { id: 'elsewhere/1/x', host: `not-${hostname()}`, pid: 1 };
    expect(await claimJob(ctx, elsewhere, { leaseMs: 60_000, maxAttempts: 3 })).toMatchObject({ id: job.id });
    // Within its lease it stays that worker's…
    const before = await jobsContext({ now: () => new Date(Date.now() + 30_000) });
    try {
      expect(await claimJob(before, { id: 'here/2/y', host: hostname(), pid: process.pid }, { leaseMs: 60_000, maxAttempts: 3 })).toBeNull();
    } finally {
      await before.close();
    }
    // …and once it has run out (a clock 61 s on), a runner takes it over.
    const after = await jobsContext({ now: () => new Date(Date.now() + 61_000) });
    const runnerAfter = startJobRunner(after, RUNNER);
    try {
      expect(await waitFor(ctx, job.id, finished)).toMatchObject({ state: 'succeeded', attempts: 2 });
    } finally {
      await runnerAfter.stop();
      await after.close();
    }
  });
});

const finished = (job: JobView) => job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled';
