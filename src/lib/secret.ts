import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWritableDirectory } from './directory.ts';
import { TocsinError } from './errors.ts';

const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;

/**
 * The installation's secret: it keys the hashes verification codes are stored under and the
 * derivation of each notice's code. From TOCSIN_SECRET (64 hex digits) when set — needed when
 * several machines share a PostgreSQL database — else from `secret.key` in the data directory,
 * made on first use and readable by its owner only. Whoever holds the database but not the key
 * cannot recover a code.
 */
export function loadSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const fromEnv = env.TOCSIN_SECRET?.trim();
  if (fromEnv) {
    if (!/^[0-9a-f]{64}$/i.test(fromEnv)) {
      throw new TocsinError('BAD_SECRET', 'TOCSIN_SECRET must be 64 hex digits (32 random bytes), e.g. from `openssl rand -hex 32`', { exitCode: 2 });
    }
    return Buffer.from(fromEnv, 'hex');
  }
  const file = join(ensureWritableDirectory(dataDir, 'the data directory', 'choose another with --data-dir or TOCSIN_DATA_DIR'), KEY_FILE);
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.byteLength !== KEY_BYTES) throw new TocsinError('BAD_SECRET', `${file} does not hold a 32-byte hex key; restore it from backup (codes already sent depend on it)`);
  return key;
}
