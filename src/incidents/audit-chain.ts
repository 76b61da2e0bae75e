import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The hash an incident's first audit entry chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** How entries, heads and checkpoints are keyed; named in every checkpoint. */
export const AUDIT_ALGORITHM = 'hmac-sha256';

/**
 * The audit trail's own key, derived from the installation's secret with HKDF under a purpose
 * label of its own, so the trail's MACs and the verification codes never share a key.
 */
export function deriveAuditKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), 'tocsin/audit-chain/v1', 32));
}

/** Names a key without revealing it, so a checkpoint can say which key made it. */
export function auditKeyId(key: Uint8Array): string {
  return mac(key, ['tocsin/audit-key-id']).slice(0, 16);
}

export interface ChainedFields {
  incident_id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: string;
  prev_hash: string;
}

/**
 * HMAC-SHA-256 under the audit key over the previous hash and this entry's fields, in a fixed
 * order. `key` null gives the plain SHA-256 of trails made before they were keyed.
 */
export function entryHash(entry: ChainedFields, key: Uint8Array | null): string {
  const canonical = JSON.stringify([entry.incident_id, entry.seq, entry.at, entry.actor, entry.action, entry.details]);
  const digest = key ? createHmac('sha256', key) : createHash('sha256');
  return digest.update(entry.prev_hash).update('\n').update(canonical).digest('hex');
}

/** What the incident row records of its trail: the newest entry, and where keyed entries begin. */
export interface AuditHead {
  incident_id: string;
  seq: number;
  hash: string;
  /** Entries before this number were made before the trail was keyed: plain SHA-256. */
  keyed_from: number;
}

/**
 * The MAC of a head, stored beside it. An entry's own MAC does not commit to the trail's
 * length: without this, cutting the newest entries and pointing the head at an older one
 * (whose hash is right there in its row) would verify.
 */
export function headMac(key: Uint8Array, head: AuditHead): string {
  return mac(key, ['tocsin/audit-head', head.incident_id, head.seq, head.hash, head.keyed_from]);
}

/** The entry that extends a trail, and the head and head MAC the incident row gets with it. */
export function nextEntry(
  key: Uint8Array,
  head: AuditHead,
  event: { at: string; actor: string; action: string; details: string },
): { entry: ChainedFields & { hash: string }; head: AuditHead; mac: string } {
  const fields = { incident_id: head.incident_id, seq: head.seq + 1, ...event, prev_hash: head.hash };
  const entry = { ...fields, hash: entryHash(fields, key) };
  const next = { ...head, seq: entry.seq, hash: entry.hash };
  return { entry, head: next, mac: headMac(key, next) };
}

/** A head kept outside the database: in a ticket, an email, a report. */
export interface AuditCheckpoint {
  incident: string;
  seq: number;
  hash: string;
  /** When the checkpoint was made. */
  at: string;
  /** Which key made it (auditKeyId). */
  key: string;
  mac: string;
}

const CHECKPOINT_TAG = 'tocsin-audit-checkpoint/1';

export function makeCheckpoint(key: Uint8Array, head: { incident: string; seq: number; hash: string; at: string }): AuditCheckpoint {
  return { ...head, key: auditKeyId(key), mac: checkpointMac(key, head) };
}

export function checkpointIsGenuine(key: Uint8Array, checkpoint: AuditCheckpoint): boolean {
  return sameMac(checkpointMac(key, checkpoint), checkpoint.mac);
}

function checkpointMac(key: Uint8Array, head: { incident: string; seq: number; hash: string; at: string }): string {
  return mac(key, [CHECKPOINT_TAG, head.incident, head.seq, head.hash, head.at]);
}

/**
 * One line of plain words, digits and `=`: it survives email, tickets, Markdown and HTML
 * unchanged, so `--against` can find it in any of them.
 */
export function checkpointLine(checkpoint: AuditCheckpoint): string {
  const { incident, seq, hash, at, key, mac: checkpointMacValue } = checkpoint;
  return `${CHECKPOINT_TAG} incident=${incident} seq=${seq} hash=${hash} at=${at} alg=${AUDIT_ALGORITHM} key=${key} mac=${checkpointMacValue}`;
}

const CHECKPOINT_LINE = new RegExp(
  `${CHECKPOINT_TAG.replace('/', '\\/')} incident=([a-z0-9]+) seq=(\\d+) hash=([0-9a-f]{64}) at=(\\S+) alg=${AUDIT_ALGORITHM} key=([0-9a-f]{16}) mac=([0-9a-f]{64})`,
  'g',
);

/**
 * Every checkpoint line in a text. `malformed` counts tags not followed by a whole checkpoint
 * (cut by an email client, edited), so the caller can say so instead of passing over them.
 */
export function findCheckpoints(text: string): { checkpoints: AuditCheckpoint[]; malformed: number } {
  const checkpoints = [...text.matchAll(CHECKPOINT_LINE)].map(([, incident, seq, hash, at, key, mac]) => ({ incident, seq: Number(seq), hash, at, key, mac }));
  return { checkpoints, malformed: text.split(CHECKPOINT_TAG).length - 1 - checkpoints.length };
}

export type ChainBreak =
  | { kind: 'altered'; seq: number }
  | { kind: 'removed'; seq: number }
  | { kind: 'head-mismatch'; seq: number }
  | { kind: 'head-forged'; seq: number }
  | { kind: 'rewritten'; seq: number };

/**
 * Walks entries in order and returns the first break: a gap in the numbering (removed), an
 * entry whose content or link does not hash right under the key (altered), an entry other than
 * the one a checkpoint saw at its number (rewritten by someone holding the key, or a rollback),
 * a trail that ends before a checkpoint or the head (removed), a trail that does not end at the
 * head (head-mismatch), or a head without a valid MAC (the end was cut or the trail replaced).
 */
export function findChainBreak(
  entries: readonly (ChainedFields & { hash: string })[],
  head: AuditHead & { mac: string },
  key: Uint8Array,
  checkpoints: readonly Pick<AuditCheckpoint, 'seq' | 'hash'>[] = [],
): ChainBreak | null {
  const seen = new Map(checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint.hash]));
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { kind: 'removed', seq: expectedSeq };
    const hash = entryHash(entry, entry.seq < head.keyed_from ? null : key);
    if (entry.prev_hash !== prevHash || !sameMac(hash, entry.hash)) return { kind: 'altered', seq: entry.seq };
    if (seen.has(entry.seq) && seen.get(entry.seq) !== entry.hash) return { kind: 'rewritten', seq: entry.seq };
    prevHash = entry.hash;
    expectedSeq += 1;
  }
  const last = expectedSeq - 1;
  if (last < Math.max(head.seq, ...seen.keys())) return { kind: 'removed', seq: expectedSeq };
  if (last !== head.seq || prevHash !== head.hash) return { kind: 'head-mismatch', seq: last };
  if (!sameMac(headMac(key, head), head.mac)) return { kind: 'head-forged', seq: last + 1 };
  return null;
}

function mac(key: Uint8Array, parts: readonly unknown[]): string {
  return createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex');
}

function sameMac(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
