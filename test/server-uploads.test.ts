import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { auditTrail } from '../src/incidents/index.ts';
import { startJobRunner } from '../src/jobs/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const RULES = 'rules:\n  - name: order-api\n    request: GET /api/orders/:order_id\n    exposes: [name]\nindicators:\n  ips: ["203.0.113.9"]\n';

/** A multipart body of one file per entry, as curl -F sends it. */
function form(...files: [name: string, bytes: Uint8Array][]): FormData {
  const data = new FormData();
  for (const [name, bytes] of files) data.append('file', new Blob([bytes]), name);
  return data;
}

describeEachDatabase('uploads, per incident', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let staff: Staff;
  let responder: ReturnType<typeof asRole>;
  let viewer: ReturnType<typeof asRole>;
  let mine: string;
  let theirs: string;
  const uploadsOf = (incident: string) => join(database().config.dataDir, 'uploads', incident);
  const upload = (incident: string, body: FormData, base = listeners.staffUrl) =>
    fetch(`${base}/api/incidents/${incident}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${staff.tokens.responder}` }, body });
  const actions = async (incident: string) => (await auditTrail(ctx, incident)).map((entry) => entry.action);

  beforeAll(async () => {
    ctx = await database().context();
    staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
    responder = asRole(listeners.staffUrl, staff, 'responder');
    viewer = asRole(listeners.staffUrl, staff, 'viewer');
    const create = async (title: string) => (await json(responder('/api/incidents', { method: 'POST', body: JSON.stringify({ title, aware_at: '2019-11-14T16:00:00Z' }) }))).id as string;
    mine = await create('Orders read through the IMEI lookup');
    theirs = await create('Another breach');
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('streams a multi-MB upload over a socket into the incident\'s own directory, owner-only, with its SHA-256 in the audit trail and not its name', async () => {
    const bytes = randomBytes(12 * 1024 * 1024 + 7);
    const hostileName = '../../secret.key\r\n<script>alert(1)</script>.log';
    const response = await upload(mine, form([hostileName, bytes]));
    expect(response.status).toBe(201);
    const stored = await json(response);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(stored).toMatchObject({ upload_id: expect.stringMatching(/^[0-9a-f-]{36}$/), sha256, bytes: bytes.length });
    const path = join(uploadsOf(mine), stored.upload_id);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(uploadsOf(mine)).mode & 0o777).toBe(0o700);
    // Nothing but the file, named by its id: the client's name reached neither the disk nor the trail.
    expect(readdirSync(uploadsOf(mine))).toEqual([stored.upload_id]);
    const [receipt] = (await auditTrail(ctx, mine)).filter((entry) => entry.action === 'upload.received');
    expect(receipt.actor).toBe('token:responder script');
    expect(JSON.parse(receipt.details)).toEqual({ upload_id: stored.upload_id, sha256, bytes: bytes.length });
    expect(receipt.details).not.toMatch(/secret|script|alert/);

    const listed = await json(viewer(`/api/incidents/${mine}/uploads`));
    expect(listed).toEqual({ items: [{ upload_id: stored.upload_id, bytes: bytes.length, sha256, created_at: receipt.at }] });
    expect(await json(viewer(`/api/incidents/${theirs}/uploads`))).toEqual({ items: [] });
  });

  it('refuses an upload over the limit with 413 and keeps nothing of it: no file, no receipt', async () => {
    const before = await actions(mine);
    const kept = readdirSync(uploadsOf(mine));
    const small = await startTestListeners(ctx, { upload_limit: 64 * 1024 });
    try {
      const response = await upload(mine, form(['big.log', randomBytes(3 * 1024 * 1024)]), small.staffUrl);
      expect(response.status).toBe(413);
      expect((await json(response)).error.code).toBe('UPLOAD_TOO_LARGE');
      // Exactly at the limit is still taken.
      const fits = await upload(theirs, form(['fits.log', randomBytes(64 * 1024)]), small.staffUrl);
      expect(fits.status).toBe(201);
    } finally {
      await small.close();
    }
    expect(readdirSync(uploadsOf(mine))).toEqual(kept);
    expect(await actions(mine)).toEqual(before);
  });

  it("resolves an upload only within the job's incident: another incident's, by id or by path, is not found (import and scope)", async () => {
    const ours = await json(upload(mine, form(['orders.csv', Buffer.from('order,email\n1,ana@example.com\n')])));
    const other = await json(upload(theirs, form(['access.log', Buffer.from('203.0.113.9 - - [01/Nov/2019:10:00:00 +0000] "GET /api/orders/1 HTTP/1.1" 200 10 "-" "x"\n')])));
    const jobsBefore = (await json(responder(`/api/incidents/${mine}/jobs`))).items.length;
    const refusals: [string, unknown][] = [
      ['imports', { path: other.upload_id, preset: 'tocsin-demo' }],
      ['imports', { path: join(uploadsOf(theirs), other.upload_id), preset: 'tocsin-demo' }],
      ['scope-runs', { rules: RULES, logs: [other.upload_id] }],
      ['scope-runs', { rules: RULES, logs: [ours.upload_id, join(uploadsOf(theirs), other.upload_id)] }],
      ['detect', { rules: RULES, logs: [other.upload_id] }],
      // Where uploads lay before they were kept per incident: such a file belongs to no incident.
      ['imports', { path: join(database().config.dataDir, 'uploads', other.upload_id) }],
      // Tricks: a way out of the incident's directory, into the other's.
      ['imports', { path: join(uploadsOf(mine), '..', theirs, other.upload_id) }],
      ['imports', { path: `${join(uploadsOf(mine), ours.upload_id)}/../../${theirs}/${other.upload_id}` }],
    ];
    for (const [route, body] of refusals) {
      const response = await responder(`/api/incidents/${mine}/${route}`, { method: 'POST', body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(404);
      expect((await json(response)).error.code, JSON.stringify(body)).toBe('UPLOAD_NOT_FOUND');
    }
    expect((await json(responder(`/api/incidents/${mine}/jobs`))).items.length).toBe(jobsBefore);

    // Its own upload, by id, is queued with the path the job reads.
    const queued = await responder(`/api/incidents/${theirs}/scope-runs`, { method: 'POST', body: JSON.stringify({ rules: RULES, logs: [other.upload_id] }) });
    expect(queued.status).toBe(202);
    const imported = await responder(`/api/incidents/${mine}/imports`, { method: 'POST', body: JSON.stringify({ path: ours.upload_id }) });
    expect(imported.status).toBe(202);
    for (const job of [await json(queued), await json(imported)]) await json(responder(`/api/jobs/${job.id}/cancel`, { method: 'POST' }));
  });

  it('a queued job whose upload was deleted fails when it runs, with UPLOAD_NOT_FOUND', async () => {
    const stored = await json(upload(mine, form(['orders.csv', Buffer.from('order,email\n1,ana@example.com\n')])));
    const job = await json(responder(`/api/incidents/${mine}/imports`, { method: 'POST', body: JSON.stringify({ path: stored.upload_id }) }));
    expect((await responder(`/api/incidents/${mine}/uploads/${stored.upload_id}`, { method: 'DELETE' })).status).toBe(204);
    const runner = startJobRunner(ctx, { pollMs: 50 });
    try {
      let view = await json(responder(`/api/jobs/${job.id}`));
      for (let waited = 0; !['succeeded', 'failed', 'cancelled'].includes(view.state) && waited < 600; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await json(responder(`/api/jobs/${job.id}`));
      }
      expect(view).toMatchObject({ state: 'failed', error: { code: 'UPLOAD_NOT_FOUND' } });
    } finally {
      await runner.stop();
    }
  });

  it('deletes an upload for records:write only, within its incident, recorded in the audit trail', async () => {
    const stored = await json(upload(mine, form(['orders.csv', Buffer.from('order,email\n2,bo@example.com\n')])));
    const path = join(uploadsOf(mine), stored.upload_id);
    const remove = (incident: string, id: string, as = responder) => as(`/api/incidents/${incident}/uploads/${id}`, { method: 'DELETE' });

    expect((await remove(mine, stored.upload_id, viewer)).status).toBe(403);
    const elsewhere = await remove(theirs, stored.upload_id);
    expect(elsewhere.status).toBe(404);
    expect((await json(elsewhere)).error.code).toBe('UPLOAD_NOT_FOUND');
    expect(existsSync(path)).toBe(true);

    const tricks = ['..%2F..%2Fsecret.key', '%2e%2e', stored.upload_id.toUpperCase(), `${stored.upload_id}%00`, `${stored.upload_id}.json`, 'x'.repeat(600)];
    for (const trick of tricks) {
      const response = await remove(mine, trick);
      expect(response.status, trick).toBeGreaterThanOrEqual(400);
      expect(response.status, trick).toBeLessThan(500);
      expect((await json(response)).error.code, trick).toMatch(/^(INVALID_REQUEST|NOT_FOUND|BAD_URL|URL_TOO_LONG)$/);
    }
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(database().config.dataDir, 'secret.key'))).toBe(true);

    const deleted = await remove(mine, stored.upload_id);
    expect(deleted.status).toBe(204);
    expect(existsSync(path)).toBe(false);
    expect((await json(viewer(`/api/incidents/${mine}/uploads`))).items.map((item: { upload_id: string }) => item.upload_id)).not.toContain(stored.upload_id);
    const [entry] = (await auditTrail(ctx, mine)).filter((candidate) => candidate.action === 'upload.deleted' && candidate.details.includes(stored.upload_id));
    expect(entry.actor).toBe('token:responder script');
    expect(JSON.parse(entry.details)).toEqual({ upload_id: stored.upload_id, bytes: stored.bytes, sha256: stored.sha256 });
    const again = await remove(mine, stored.upload_id);
    expect(again.status).toBe(404);
    expect((await json(again)).error.code).toBe('UPLOAD_NOT_FOUND');
    expect((await remove('nosuch', stored.upload_id)).status).toBe(404);
  });
});
