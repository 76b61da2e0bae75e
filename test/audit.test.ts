import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { checkpointLine, deriveAuditKey, entryHash, GENESIS_HASH, makeCheckpoint, nextEntry } from '../src/incidents/audit-chain.ts';
import { auditCheckpoint, auditKey, recordRun, verifyAudit } from '../src/incidents/audit.ts';
import { createIncident, getIncident, updateIncident } from '../src/incidents/incidents.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Tampering is done the way an intruder with database access would: plain SQL, around the
 * service. Without the key, the intruder can still compute plain SHA-256 chains and copy
 * anything the database holds, including older heads and their MACs.
 */
describeEachDatabase('audit chain', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    ctx = await database().context();
  });
  afterAll(() => ctx?.close());

  beforeEach(async () => {
    ({ id } = await createIncident(ctx, { title: 'Chained', aware_at: '2019-11-14T16:00:00Z' }));
    await updateIncident(ctx, id, { controller: 'Shop Ltd' });
    await recordRun(ctx, id, { action: 'scope.run', details: { affected: 12 } });
    await updateIncident(ctx, id, { contained_at: '2019-11-15T00:00:00Z' });
  });

  const entries = () => ctx.db.selectFrom('audit_log').selectAll().where('incident_id', '=', id).orderBy('seq').execute();
  const setHead = (seq: number, hash: string) => ctx.db.updateTable('incidents').set({ audit_seq: seq, audit_hash: hash }).where('id', '=', id).execute();
  const against = (text: string) => ({ text, source: 'checkpoint.txt' });

  it('verifies an untouched trail', async () => {
    expect(await verifyAudit(ctx, id)).toMatchObject({ entries: 4, intact: true, break: null });
  });

  it('names an entry whose details were altered', async () => {
    await ctx.db.updateTable('audit_log').set({ details: '{"affected":3}' }).where('incident_id', '=', id).where('seq', '=', 3).execute();
    const result = await verifyAudit(ctx, id);
    expect(result).toMatchObject({ intact: false, break: { kind: 'altered', seq: 3 } });
    expect(result.message).toContain('#3 was altered');
  });

  it('names an entry re-hashed to hide a change, by its broken link to the next', async () => {
    await ctx.db.updateTable('audit_log').set({ actor: 'someone-else', hash: 'f'.repeat(64) }).where('incident_id', '=', id).where('seq', '=', 2).execute();
    expect((await verifyAudit(ctx, id)).break).toEqual({ kind: 'altered', seq: 2 });
  });

  it('names an entry removed from the middle', async () => {
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '=', 2).execute();
    expect(await verifyAudit(ctx, id)).toMatchObject({ entries: 3, intact: false, break: { kind: 'removed', seq: 2 } });
  });

  it('notices entries removed from the end', async () => {
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '>=', 3).execute();
    const result = await verifyAudit(ctx, id);
    expect(result.break).toEqual({ kind: 'removed', seq: 3 });
    expect(result.message).toContain('#3 was removed');
  });

  it('catches the last entry deleted and the head pointed at the one before', async () => {
    const [, , third] = await entries();
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '=', 4).execute();
    await setHead(3, third.hash);
    const result = await verifyAudit(ctx, id);
    expect(result).toMatchObject({ entries: 3, intact: false, break: { kind: 'head-forged', seq: 4 } });
    expect(result.message).toContain('entries from #4 on were removed');
  });

  it('catches every entry deleted and the head reset to an empty trail', async () => {
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).execute();
    await setHead(0, GENESIS_HASH);
    expect(await verifyAudit(ctx, id)).toMatchObject({ entries: 0, intact: false, break: { kind: 'head-forged', seq: 1 } });
  });

  it('catches an entry edited and the chain from it and the head recomputed with plain SHA-256', async () => {
    const [first, ...rest] = await entries();
    let prevHash = first.hash;
    for (const entry of rest) {
      const forged = { ...entry, prev_hash: prevHash, actor: entry.seq === 2 ? 'someone-else' : entry.actor };
      const hash = entryHash(forged, null);
      await ctx.db.updateTable('audit_log').set({ actor: forged.actor, prev_hash: prevHash, hash }).where('incident_id', '=', id).where('seq', '=', entry.seq).execute();
      prevHash = hash;
    }
    await setHead(4, prevHash);
    const result = await verifyAudit(ctx, id);
    expect(result).toMatchObject({ intact: false, break: { kind: 'altered', seq: 2 } });
    expect(result.message).toContain('#2 was altered');
  });

  it('does not extend a cut trail: a new entry would give it a valid head', async () => {
    const [, , third] = await entries();
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '=', 4).execute();
    await setHead(3, third.hash);
    await expect(recordRun(ctx, id, { action: 'scope.run', details: {} })).rejects.toMatchObject({ code: 'AUDIT_HEAD_INVALID' });
    expect(await entries()).toHaveLength(3);
  });

  it('is not extended by a machine with another secret, which would break it for everyone', async () => {
    const otherMachine = { ...ctx, config: { ...ctx.config, secret: randomBytes(32).toString('hex') } };
    await expect(recordRun(otherMachine, id, { action: 'scope.run', details: {} })).rejects.toMatchObject({
      code: 'AUDIT_HEAD_INVALID',
      kind: 'failed',
      message: expect.stringContaining('the same secret (TOCSIN_SECRET)'),
      next: { action: 'verify_audit', incident_id: id },
    });
    expect(await verifyAudit(ctx, id)).toMatchObject({ entries: 4, intact: true });
  });

  it('verifies against its own checkpoint, and refuses to checkpoint a broken trail', async () => {
    const checkpoint = await auditCheckpoint(ctx, id);
    expect(checkpoint).toMatchObject({ incident: id, seq: 4, hash: (await getIncident(ctx, id)).audit_hash });
    await recordRun(ctx, id, { action: 'scope.run', details: { affected: 13 } });
    expect(await verifyAudit(ctx, id, against(`kept in ticket 42:\n${checkpointLine(checkpoint)}\n`))).toMatchObject({ intact: true, checkpoints: 1 });

    await ctx.db.updateTable('audit_log').set({ action: 'nothing' }).where('incident_id', '=', id).where('seq', '=', 5).execute();
    await expect(auditCheckpoint(ctx, id)).rejects.toMatchObject({ code: 'AUDIT_BROKEN', message: expect.stringContaining('#5 was altered') });
  });

  it('catches a rollback to an older, validly MACed state relative to a checkpoint', async () => {
    const before = await getIncident(ctx, id);
    await recordRun(ctx, id, { action: 'notices.built', details: { notices: 12 } });
    const checkpoint = checkpointLine(await auditCheckpoint(ctx, id));
    // Restored from a backup, or copied while it was the head: everything in it is genuine.
    await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '=', 5).execute();
    await ctx.db.updateTable('incidents').set({ audit_seq: before.audit_seq, audit_hash: before.audit_hash, audit_mac: before.audit_mac }).where('id', '=', id).execute();

    expect(await verifyAudit(ctx, id)).toMatchObject({ intact: true }); // what no check inside the database can see
    const result = await verifyAudit(ctx, id, against(checkpoint));
    expect(result).toMatchObject({ intact: false, break: { kind: 'removed', seq: 5 } });
  });

  it('catches a trail rewritten by someone holding the key, relative to a checkpoint', async () => {
    const checkpoint = checkpointLine(await auditCheckpoint(ctx, id));
    const key = auditKey(ctx);
    let head = { incident_id: id, seq: 0, hash: GENESIS_HASH, keyed_from: 1 };
    let mac = '';
    for (const entry of await entries()) {
      const next = nextEntry(key, head, { ...entry, actor: entry.seq === 3 ? 'someone-else' : entry.actor });
      await ctx.db.updateTable('audit_log').set(next.entry).where('incident_id', '=', id).where('seq', '=', entry.seq).execute();
      ({ head, mac } = next);
    }
    await ctx.db.updateTable('incidents').set({ audit_seq: head.seq, audit_hash: head.hash, audit_mac: mac }).where('id', '=', id).execute();

    expect(await verifyAudit(ctx, id)).toMatchObject({ intact: true });
    const result = await verifyAudit(ctx, id, against(checkpoint));
    expect(result).toMatchObject({ intact: false, break: { kind: 'rewritten', seq: 4 } });
    expect(result.message).toContain('#4 is not the one the checkpoint of');
  });

  it('refuses a checkpoint altered after it was made, or made with another key', async () => {
    const line = checkpointLine(await auditCheckpoint(ctx, id));
    const [, , third] = await entries();
    const lowered = line.replace('seq=4', 'seq=3').replace(/hash=[0-9a-f]{64}/, `hash=${third.hash}`);
    await expect(verifyAudit(ctx, id, against(lowered))).rejects.toMatchObject({ code: 'CHECKPOINT_FORGED' });

    const incident = await getIncident(ctx, id);
    const foreign = makeCheckpoint(deriveAuditKey(randomBytes(32)), { incident: id, seq: incident.audit_seq, hash: incident.audit_hash, at: '2019-11-15T00:00:00.000Z' });
    await expect(verifyAudit(ctx, id, against(checkpointLine(foreign)))).rejects.toMatchObject({ code: 'AUDIT_KEY_MISMATCH' });
  });

  it('says so when a file holds no checkpoint of the incident, or a cut one', async () => {
    await expect(verifyAudit(ctx, id, against('no checkpoint here'))).rejects.toMatchObject({ code: 'NO_CHECKPOINT', kind: 'invalid' });
    const line = checkpointLine(await auditCheckpoint(ctx, id));
    await expect(verifyAudit(ctx, id, against(line.slice(0, 120)))).rejects.toMatchObject({ code: 'BAD_CHECKPOINT', kind: 'invalid' });
    const other = await createIncident(ctx, { title: 'Other', aware_at: '2019-11-14T16:00:00Z' });
    await expect(verifyAudit(ctx, other.id, against(line))).rejects.toMatchObject({ code: 'NO_CHECKPOINT', message: expect.stringContaining(`only of ${id}`) });
  });
});

describeEachDatabase('tocsin audit', (database) => {
  it('prints a checkpoint, verifies against it, and exits 1 naming the first bad entry once the trail is cut', async () => {
    const run = (...args: string[]) => tocsinMain(args, { database: database().config });
    // The incident and its changes made in this process: the test is about the audit command.
    const file = join(dir, `checkpoint-${database().dialect}.txt`);
    const ctx = await database().context();
    let id: string;
    try {
      ({ id } = await createIncident(ctx, { title: 'Audited', aware_at: '2019-11-14T16:00:00Z' }));
      await updateIncident(ctx, id, { controller: 'Shop Ltd' });
      const printed = await run('audit', id, '--checkpoint');
      expect(printed.status, printed.stderr).toBe(0);
      expect(printed.stdout).toMatch(new RegExp(`^tocsin-audit-checkpoint/1 incident=${id} seq=2 hash=[0-9a-f]{64} at=\\S+ alg=hmac-sha256 key=[0-9a-f]{16} mac=[0-9a-f]{64}\\n$`));
      writeFileSync(file, printed.stdout);
      await updateIncident(ctx, id, { contained_at: '2019-11-15T00:00:00Z' });

      const verified = await run('audit', id, '--verify', '--against', file);
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toContain('audit trail intact: 3 entries');

      await ctx.db.deleteFrom('audit_log').where('incident_id', '=', id).where('seq', '>=', 2).execute();
      const [first] = await ctx.db.selectFrom('audit_log').select('hash').where('incident_id', '=', id).execute();
      await ctx.db.updateTable('incidents').set({ audit_seq: 1, audit_hash: first.hash }).where('id', '=', id).execute();
    } finally {
      await ctx.close();
    }
    const cut = await run('audit', id, '--verify', '--against', file, '--json');
    expect(cut.status).toBe(1);
    expect(JSON.parse(cut.stdout)).toMatchObject({ intact: false, break: { kind: 'removed', seq: 2 } });
    expect(await run('audit', id, '--verify')).toMatchObject({ status: 1, stdout: expect.stringContaining('entries from #2 on were removed') });

    expect(await run('audit', id, '--verify', '--against', join(dir, 'missing.txt'))).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot read') });
    expect(await run('audit', id, '--against', file)).toMatchObject({ status: 2, stderr: expect.stringContaining('--against needs --verify') });
  });
});
