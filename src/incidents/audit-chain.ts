import { createHash } from 'node:crypto';

/** The hash an incident's first audit entry chains to. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  incident_id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: string;
  prev_hash: string;
}

/** SHA-256 over the previous hash and this entry's fields, in a fixed order. */
export function entryHash(entry: ChainedFields): string {
  const canonical = JSON.stringify([entry.incident_id, entry.seq, entry.at, entry.actor, entry.action, entry.details]);
  return createHash('sha256').update(entry.prev_hash).update('\n').update(canonical).digest('hex');
}

export type ChainBreak =
  | { kind: 'altered'; seq: number }
  | { kind: 'removed'; seq: number }
  | { kind: 'head-mismatch'; seq: number };

/**
 * Walks entries in order and returns the first break: an entry whose content or link no longer
 * hashes right (altered), a gap in the numbering (removed), or a trail that ends before the
 * head recorded on the incident (entries removed from the end).
 */
export function findChainBreak(entries: (ChainedFields & { hash: string })[], head: { seq: number; hash: string }): ChainBreak | null {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { kind: 'removed', seq: expectedSeq };
    if (entry.prev_hash !== prevHash || entryHash(entry) !== entry.hash) return { kind: 'altered', seq: entry.seq };
    prevHash = entry.hash;
    expectedSeq += 1;
  }
  if (expectedSeq - 1 !== head.seq || prevHash !== head.hash) {
    return expectedSeq - 1 < head.seq ? { kind: 'removed', seq: expectedSeq } : { kind: 'head-mismatch', seq: expectedSeq - 1 };
  }
  return null;
}
