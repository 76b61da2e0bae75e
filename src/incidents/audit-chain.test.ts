import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointLine, deriveAuditKey, entryHash, findChainBreak, findCheckpoints, GENESIS_HASH, makeCheckpoint, nextEntry, type AuditHead } from './audit-chain.ts';

const secret = randomBytes(32);
const key = deriveAuditKey(secret);
const event = { at: '2019-11-14T16:00:00.000Z', actor: 'ana', action: 'incident.updated', details: '{}' };

function trail(length: number) {
  let head: AuditHead = { incident_id: 'abc123', seq: 0, hash: GENESIS_HASH, keyed_from: 1 };
  let mac = '';
  const entries = [];
  for (let i = 0; i < length; i++) {
    const next = nextEntry(key, head, event);
    entries.push(next.entry);
    ({ head, mac } = next);
  }
  return { entries, head: { ...head, mac } };
}

describe('the audit key', () => {
  it('is its own key, not the installation secret the verification codes use', () => {
    const fields = { incident_id: 'abc123', seq: 1, ...event, prev_hash: GENESIS_HASH };
    const underSecret = createHmac('sha256', secret).update(`${GENESIS_HASH}\n${JSON.stringify(['abc123', 1, event.at, event.actor, event.action, event.details])}`).digest('hex');
    expect(entryHash(fields, secret)).toBe(underSecret);
    expect(entryHash(fields, key)).not.toBe(underSecret);
    expect(deriveAuditKey(secret)).toEqual(key);
  });
});

describe('findChainBreak', () => {
  it('passes a whole trail and its head, and nothing keyed with another key', () => {
    const { entries, head } = trail(3);
    expect(findChainBreak(entries, head, key)).toBeNull();
    expect(findChainBreak(entries, head, deriveAuditKey(randomBytes(32)))).toEqual({ kind: 'altered', seq: 1 });
  });

  it('names the first entry a checkpoint saw differently, and a trail shorter than a checkpoint', () => {
    const { entries, head } = trail(3);
    expect(findChainBreak(entries, head, key, [{ seq: 2, hash: 'f'.repeat(64) }])).toEqual({ kind: 'rewritten', seq: 2 });
    expect(findChainBreak(entries, head, key, [{ seq: 5, hash: 'f'.repeat(64) }])).toEqual({ kind: 'removed', seq: 4 });
  });
});

describe('checkpoint lines', () => {
  it('are found wherever they were pasted, and cut ones are counted', () => {
    const line = checkpointLine(makeCheckpoint(key, { incident: 'abc123', seq: 7, hash: 'a'.repeat(64), at: '2019-11-15T00:00:00.000Z' }));
    const found = findCheckpoints(`<dd>${line}</dd>\n"auditCheckpoint": "${line}",\n> ${line.slice(0, 80)}`);
    expect(found.checkpoints).toHaveLength(2);
    expect(found.checkpoints[0]).toMatchObject({ incident: 'abc123', seq: 7, hash: 'a'.repeat(64), at: '2019-11-15T00:00:00.000Z' });
    expect(found.malformed).toBe(1);
  });
});
