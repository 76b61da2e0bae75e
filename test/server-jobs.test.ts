import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { auditTrail } from '../src/incidents/audit.ts';
import { startJobRunnerThread, type JobRunnerThread } from '../src/jobs/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-server-jobs-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
let truth: { affected: unknown[] };
beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 800, logLines: 8_000, seed: 3 });
  truth = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8'));
});

/** The job's views as its event stream sends them, until it ends. */
async function events(base: string, token: string, jobId: string): Promise<{ state: string; result: any; error: any }[]> {
  const response = await fetch(`${base}/api/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const text = await response.text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      expect(block.split('\n')[0]).toBe('event: job');
      return JSON.parse(block.split('\n')[1].replace(/^data: /, ''));
    });
}

describeEachDatabase('jobs over the API', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let runner: JobRunnerThread | undefined;
  let token: string;
  let responder: ReturnType<typeof asRole>;
  let privacy: ReturnType<typeof asRole>;
  let id: string;
  beforeAll(async () => {
    // The server and its job runner read files in the same import directories, as tocsin serve's do.
    ctx = await database().context();
    ctx.config = { ...ctx.config, import_dirs: [shop] };
    const staff = await addStaff(ctx);
    token = staff.tokens.responder;
    listeners = await startTestListeners(ctx);
    responder = asRole(listeners.staffUrl, staff, 'responder');
    privacy = asRole(listeners.staffUrl, staff, 'privacy');
    ({ id } = await createDemoIncident(ctx));
  });
  afterAll(async () => {
    await runner?.stop();
    await listeners?.close();
    await ctx?.close();
  });

  it('refuses files outside the import directories and options the job does not take, queuing nothing', async () => {
    const cases: [unknown, number, string][] = [
      [{ path: '../../etc/passwd', preset: 'tocsin-demo' }, 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [{ path: '/etc/passwd' }, 403, 'JOB_FILE_OUTSIDE_IMPORT_DIRS'],
      [{ path: 'orders.csv', preset: 'no-such-shop' }, 400, ''],
      [{ path: 'orders.csv', sql: 'drop table records' }, 400, ''],
    ];
    for (const [body, status, code] of cases) {
      const response = await responder(`/api/incidents/${id}/imports`, { method: 'POST', body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(status);
      if (code) expect((await json(response)).error.code).toBe(code);
    }
    const rules = readFileSync(join(shop, 'scope.yml'), 'utf8');
    const scope = await responder(`/api/incidents/${id}/scope-runs`, { method: 'POST', body: JSON.stringify({ rules, logs: ['access.log', '/proc/self/environ'] }) });
    expect(scope.status).toBe(403);
    expect((await json(scope)).error.message).toContain('logs[1]');
    expect((await json(responder(`/api/incidents/${id}/jobs`))).items).toEqual([]);
  });

  it('cancels a queued job, for someone who may start its kind', async () => {
    const queued = await json(privacy(`/api/incidents/${id}/notices/build`, { method: 'POST', body: JSON.stringify({ shop_address: 'shop.example.com' }) }));
    expect(queued).toMatchObject({ kind: 'notices_build', state: 'queued', actor: 'token:privacy script' });
    // A responder may not build notices, so may not cancel a build either.
    const refused = await responder(`/api/jobs/${queued.id}/cancel`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect((await json(privacy(`/api/jobs/${queued.id}/cancel`, { method: 'POST' }))).state).toBe('cancelled');
    expect((await responder('/api/jobs/not-a-uuid')).status).toBe(400);
    expect((await responder('/api/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('imports and scopes files under the import directory as jobs, with progress as Server-Sent Events', async () => {
    // As tocsin serve runs them on SQLite: in a thread with a connection of its own.
    runner = startJobRunnerThread(ctx, () => expect.fail('the job runner thread died'), { pollMs: 100 });
    const rules = readFileSync(join(shop, 'scope.yml'), 'utf8');
    const started = await responder(`/api/incidents/${id}/imports`, { method: 'POST', body: JSON.stringify({ path: 'orders.csv', preset: 'tocsin-demo', rules }) });
    expect(started.status).toBe(202);
    const importJob = await json(started);
    const importViews = await events(listeners.staffUrl, token, importJob.id);
    expect(importViews.at(-1), JSON.stringify(importViews.at(-1)?.error)).toMatchObject({ state: 'succeeded', result: expect.objectContaining({ imported: 800 }) });

    const scope = await json(responder(`/api/incidents/${id}/scope-runs`, { method: 'POST', body: JSON.stringify({ rules, logs: ['access.log.2.gz', join(shop, 'access.log.1'), 'access.log'] }) }));
    const scopeViews = await events(listeners.staffUrl, token, scope.id);
    expect(scopeViews.at(-1)).toMatchObject({ state: 'succeeded', result: expect.objectContaining({ run: 1, affected: truth.affected.length }) });
    expect((await json(responder(`/api/jobs/${scope.id}`))).state).toBe('succeeded');
    const trail = await auditTrail(ctx, id);
    expect(trail.filter((entry) => entry.actor === 'token:responder script').map((entry) => entry.action)).toEqual(expect.arrayContaining([expect.stringMatching(/import/), expect.stringMatching(/scope/)]));
  });

  it('takes uploads as a stream with their SHA-256, owner-only, and scopes them by upload id', async () => {
    const upload = (body: FormData | string, headers: Record<string, string> = {}) =>
      fetch(`${listeners.staffUrl}/api/incidents/${id}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body });
    const form = (...files: [string, Buffer][]) => {
      const data = new FormData();
      for (const [name, bytes] of files) data.append('file', new Blob([bytes]), name);
      return data;
    };
    const ids: string[] = [];
    for (const name of ['access.log.2.gz', 'access.log.1', 'access.log']) {
      const bytes = readFileSync(join(shop, name));
      const response = await upload(form([`../../${name}`, bytes]));
      expect(response.status).toBe(201);
      const stored = await json(response);
      expect(stored).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, name });
      const path = join(database().config.dataDir, 'uploads', id, stored.upload_id);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path).equals(bytes)).toBe(true);
      ids.push(stored.upload_id);
    }
    const kept = readdirSync(join(database().config.dataDir, 'uploads', id)).length;
    expect((await upload(JSON.stringify({ path: '/etc/passwd' }), { 'content-type': 'application/json' })).status).toBe(415);
    expect((await upload(form(['a.log', Buffer.from('a')], ['b.log', Buffer.from('b')]))).status).toBe(413);
    const small = await startTestListeners(ctx, { upload_limit: 1000 });
    try {
      const tooLarge = await fetch(`${small.staffUrl}/api/incidents/${id}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form(['big.log', Buffer.alloc(5000, 'x')]) });
      expect(tooLarge.status).toBe(413);
      expect((await json(tooLarge)).error.code).toBe('UPLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
    expect(readdirSync(join(database().config.dataDir, 'uploads', id)).length).toBe(kept);

    const rules = readFileSync(join(shop, 'scope.yml'), 'utf8');
    const scope = await json(responder(`/api/incidents/${id}/scope-runs`, { method: 'POST', body: JSON.stringify({ rules, logs: ids }) }));
    const views = await events(listeners.staffUrl, token, scope.id);
    expect(views.at(-1), JSON.stringify(views.at(-1)?.error)).toMatchObject({ state: 'succeeded', result: expect.objectContaining({ affected: truth.affected.length }) });
    const missing = await responder(`/api/incidents/${id}/scope-runs`, { method: 'POST', body: JSON.stringify({ rules, logs: ['00000000-0000-4000-8000-000000000000'] }) });
    expect((await json(missing)).error.code).toBe('UPLOAD_NOT_FOUND');
  });

  it('runs a job runner thread only while there are jobs: it ends once idle, and a queued job starts one again', async () => {
    await runner?.stop();
    runner = startJobRunnerThread(ctx, () => expect.fail('the job runner thread died'), { pollMs: 50, idleMs: 500, kinds: ['notices_build'] });
    await sleep(300);
    expect(runner.active).toBe(false);
    for (const round of [1, 2]) {
      const job = await json(privacy(`/api/incidents/${id}/notices/build`, { method: 'POST', body: JSON.stringify({ shop_address: 'shop.example.com' }) }));
      await expect.poll(async () => (await json(privacy(`/api/jobs/${job.id}`))).state, { message: `build ${round}` }).toBe('succeeded');
      await expect.poll(() => runner!.active, { message: `thread after build ${round}` }).toBe(false);
    }
  });
});
