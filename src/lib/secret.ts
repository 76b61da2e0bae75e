import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWritableDirectory } from './directory.ts';
import type { Config } from '../config.ts';
import { invalidInput, reasonOf, TocsinError } from './errors.ts';

const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;

/** Where the configuration says the secret is: itself (TOCSIN_SECRET, checked by the config schema) or a file. */
export type SecretConfig = Partial<Pick<Config, 'secret' | 'secret_file'>>;

/**
 * The installation's secret: it keys the hashes verification codes are stored under and the
 * derivation of each notice's code. The configured secret (64 hex digits) when given — needed when
 * several machines share a PostgreSQL database — else the configured secret file, else
 * `secret.key` in the data directory, made on first use and readable by its owner only. Whoever
 * holds the database but not the key cannot recover a code.
 */
export function loadSecret(dataDir: string, configured: SecretConfig = {}): Uint8Array {
  if (configured.secret) return Buffer.from(configured.secret, 'hex');
  const read = configured.secret_file ?? join(dataDir, KEY_FILE);
  return keys.get(read) ?? keepKey(read, readSecret(dataDir, configured));
}

/**
 * Keys already read, by file: a server checks codes and tokens on every request, and the key
 * cannot change under a running installation (every stored hash depends on it).
 */
const keys = new Map<string, Uint8Array>();

function keepKey(file: string, key: Uint8Array): Uint8Array {
  keys.set(file, key);
  return key;
}

function readSecret(dataDir: string, configured: SecretConfig): Uint8Array {
  const file = configured.secret_file ?? join(ensureWritableDirectory(dataDir, 'the data directory', 'choose another with --data-dir or TOCSIN_DATA_DIR'), KEY_FILE);
  if (!configured.secret_file && !existsSync(file)) {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidInput('SECRET_UNREADABLE', `cannot read the secret file ${file} (${reasonOf(error)}); check secret_file (TOCSIN_SECRET_FILE)`);
  }
  const key = Buffer.from(text.trim(), 'hex');
  if (key.byteLength !== KEY_BYTES) throw new TocsinError('BAD_SECRET', `${file} does not hold a 32-byte hex key; restore it from backup (codes already sent depend on it)`, { kind: 'failed' });
  return key;
}
