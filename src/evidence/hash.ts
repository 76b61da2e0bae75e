import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export type FileDigest = { sha256: string; bytes: number };

export type HashOptions = {
  /** Hears how many bytes have been hashed, after each read. */
  onBytes?: (bytes: number) => void;
  /** Read with blocking calls, saving a hop to the I/O thread pool per read: for worker threads only. */
  blocking?: boolean;
};

const READ_BYTES = 1 << 20;

/**
 * SHA-256 (lower-case hex) and size of a file as stored. Two buffers take turns: the next piece
 * is read while the last one is hashed (unless reads block).
 */
export async function hashFile(path: string, options: HashOptions = {}): Promise<FileDigest> {
  const hash = createHash('sha256');
  const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];
  const file = await open(path);
  const read = async (into: Buffer, position: number) =>
    options.blocking ? readSync(file.fd, into, 0, READ_BYTES, position) : (await file.read(into, 0, READ_BYTES, position)).bytesRead;
  let bytes = 0;
  let next = read(buffers[0], 0);
  try {
    for (let turn = 0; ; turn ^= 1) {
      const length = await next;
      if (length === 0) break;
      next = read(buffers[turn ^ 1], bytes + length);
      hash.update(buffers[turn].subarray(0, length));
      bytes += length;
      options.onBytes?.(bytes);
    }
  } finally {
    // A read still under way when a caller's onBytes threw must end before the file closes.
    await next.catch(() => 0);
    await file.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
