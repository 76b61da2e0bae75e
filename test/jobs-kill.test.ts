import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import { openContext, type OpenContext } from '../src/context.ts';
import type { DatabaseConfig } from '../src/db/connect.ts';
import { recipientAddress } from '../src/mail/index.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { enqueueJob, watchJob, type JobView } from '../src/jobs/index.ts';
import { buildNotices } from '../src/notices/build.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile } from '../src/scoping/scope-run.ts';
import { createSchema, POSTGRES_SKIPPED, POSTGRES_URL } from './helpers/databases.ts';
import { approveAsPrivacyOfficer, spawnTocsin, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const describePostgres = POSTGRES_URL ? describe : describe.skip;

type Worker = ReturnType<typeof spawnTocsin>;

/**
 * `tocsin worker` processes sharing a PostgreSQL database: the one holding a job is killed
 * (SIGKILL: no clean-up of any kind) in the middle of it, and the other takes it over.
 */
describePostgres(`tocsin workers killed mid-job [postgres]${POSTGRES_URL ? '' : ` (${POSTGRES_SKIPPED})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-jobs-kill-'));
  const shop = join(dir, 'shop');
  let dropSchema: () => Promise<void>;
  let config: DatabaseConfig;
  let ctx: OpenContext;
  let incident: string;
  let server: TestSmtpServer;
  const workers: Worker[] = [];

  beforeAll(async () => {
    const schema = await createSchema(POSTGRES_URL!);
    dropSchema = schema.drop;
    config = { dataDir: join(dir, 'data'), databaseUrl: schema.url };
    ctx = await openContext({ config: configWith({ data_dir: config.dataDir, database_url: config.databaseUrl, import_dirs: [shop] }), actor: 'test' });
    // A million log lines: a scan that takes seconds, long enough to be killed in the middle of.
    await generateDemoShop({ outDir: shop, orders: 3000, logLines: 1_000_000, seed: 5 });
    ({ id: incident } = await createDemoIncident(ctx));
    await importRecords(ctx, incident, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(join(shop, 'scope.yml'))).scope) });
    server = await startSmtpServer();
    for (let i = 0; i < 2; i++) workers.push(startWorker());
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await server?.close();
    await ctx?.close();
    await dropSchema?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A short lease, so that a worker on another machine would be taken over soon too; one on this one is as soon as it is gone. */
  const startWorker = () => spawnTocsin(['worker', '--lease', '5'], config, { TOCSIN_IMPORT_DIRS: shop });

  const watch = async (id: string, until: (job: JobView) => boolean): Promise<JobView> => {
    for await (const job of watchJob(ctx, id, AbortSignal.timeout(150_000), { intervalMs: 10 })) if (until(job)) return job;
    throw new Error(`job ${id} ended before it was seen in the state awaited`);
  };
  const ended = (job: JobView) => job.state !== 'queued' && job.state !== 'running';

  /** Kills the worker holding the job, and starts another in its place for the next test. */
  async function killHolder(job: JobView): Promise<void> {
    const pid = Number(job.worker!.split('/')[1]);
    const holder = workers.find((worker) => worker.pid === pid);
    expect(holder, `the job's worker ${job.worker} is none of the test's`).toBeDefined();
    holder!.kill('SIGKILL');
    expect((await holder!.exited).signal).toBe('SIGKILL');
    workers.splice(workers.indexOf(holder!), 1, startWorker());
  }

  it('a scope run killed mid-scan is taken over and completes once, with the right affected count', async () => {
    const truth = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8')) as { affected: unknown[] };
    const logs = ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
    const job = await enqueueJob(ctx, { kind: 'scope', incident_id: incident, params: { rules: readFileSync(join(shop, 'scope.yml'), 'utf8'), logs } });
    const scanning = await watch(job.id, (view) => ended(view) || (view.state === 'running' && (view.progress?.done ?? 0) > 0));
    expect(scanning.state, 'the scan ended before it could be killed').toBe('running');
    expect(scanning.progress!.done).toBeLessThan(scanning.progress!.total!);
    await killHolder(scanning);

    const end = await watch(job.id, ended);
    expect(end, JSON.stringify(end.error)).toMatchObject({ state: 'succeeded', attempts: 2, result: { run: 1, affected: truth.affected.length } });
    const runs = await ctx.db.selectFrom('scope_runs').select(['run', 'affected']).where('incident_id', '=', incident).execute();
    expect(runs).toEqual([{ run: 1, affected: truth.affected.length }]);
    const audited = await ctx.db.selectFrom('audit_log').select('details').where('incident_id', '=', incident).where('action', '=', 'scope.run').execute();
    expect(audited).toHaveLength(1);
  });

  it('a campaign killed mid-send is taken over: everyone received, at most one duplicate per notice in flight', async () => {
    await buildNotices(ctx, incident, { shopAddress: 'shop.example.com' });
    await approveAsPrivacyOfficer(ctx, incident);
    const notices = await ctx.db.selectFrom('notices').select('email').where('incident_id', '=', incident).execute();
    expect(notices.length).toBeGreaterThan(100);
    const job = await enqueueJob(ctx, {
      kind: 'campaign',
      incident_id: incident,
      params: { from: 'notices@shop.example.com', transport: `smtp://127.0.0.1:${server.port}`, rate: 100, per_domain: 0 },
    });
    const sending = await watch(job.id, (view) => ended(view) || (view.state === 'running' && server.received.length >= 40));
    expect(sending.state, 'the campaign ended before it could be killed').toBe('running');
    await killHolder(sending);

    const end = await watch(job.id, ended);
    expect(end, JSON.stringify(end.error)).toMatchObject({ state: 'succeeded', attempts: 2, result: { completed: true } });
    const received = new Map<string, number>();
    for (const message of server.received) received.set(message.to, (received.get(message.to) ?? 0) + 1);
    expect(notices.filter((notice) => !received.has(recipientAddress(notice.email)!))).toEqual([]);
    // The in-flight bound: each notice the dead sender held in `sending` may have reached the server already, and is sent again once.
    const takeOvers = await ctx.db.selectFrom('audit_log').select('details').where('incident_id', '=', incident).where('action', '=', 'delivery.taken_over').execute();
    const inFlight = takeOvers.reduce((sum, entry) => sum + JSON.parse(entry.details).notices, 0);
    expect(inFlight).toBeGreaterThan(0);
    expect(server.received.length - received.size).toBeLessThanOrEqual(inFlight);
    expect([...received.values()].every((count) => count <= 2)).toBe(true);
    const unsent = await ctx.db.selectFrom('notices').select('state').where('incident_id', '=', incident).where('state', '!=', 'sent').execute();
    expect(unsent).toEqual([]);
  });

  it('a worker told SIGTERM stops and exits 0', async () => {
    for (const worker of workers) worker.kill('SIGTERM');
    for (const worker of workers) {
      const { code, stderr } = await worker.exited;
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('worker stopped');
    }
  });
});
