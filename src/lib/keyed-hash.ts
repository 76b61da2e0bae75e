import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { TocsinError } from './errors.ts';

const MIN_KEY_BYTES = 32;

/**
 * HMAC-SHA-256 of `parts` for one `purpose`, in hex: how Tocsin stores what must be
 * recognised but never read back (verification codes, purged values). Whoever holds the
 * database but not the key cannot test a guess against it.
 */
export function keyedHash(hashKey: Uint8Array, purpose: string, ...parts: string[]): string {
  if (hashKey.byteLength < MIN_KEY_BYTES) {
    throw new TocsinError('WEAK_HASH_KEY', `the hash key has ${hashKey.byteLength} bytes; use at least ${MIN_KEY_BYTES} random bytes`, { kind: 'failed' });
  }
  // The purpose separates one use's hashes from another's. Parts are joined by NUL, which only
  // the last part of a use may hold (a code, an address, a value read from a log): no two
  // different lists of parts hash alike.
  return createHmac('sha256', keyObjectOf(hashKey)).update([purpose, ...parts].join('\0')).digest('hex');
}

/** The key imported once: HMAC with a KeyObject measured 10× faster than with the raw bytes, which are imported on every call. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

function keyObjectOf(hashKey: Uint8Array): KeyObject {
  let key = keyObjects.get(hashKey);
  if (!key) {
    key = createSecretKey(hashKey);
    keyObjects.set(hashKey, key);
  }
  return key;
}
