import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { PRIVATE_FILE_MODE } from '../lib/private-file.ts';
import { uploadsDirectory } from '../lib/uploads.ts';

export interface StoredUpload {
  /** What jobs name it by (in place of a path). */
  upload_id: string;
  sha256: string;
  bytes: number;
}

/**
 * Writes an uploaded file as it arrives, hashing it on the way: memory stays bounded whatever
 * its size. The file is named by a new id, never by what the client called it. A stream that
 * fails, or is cut short at the size limit (`tooLarge` says so), leaves nothing behind.
 */
export async function storeUpload(dataDir: string, stream: Readable & { truncated?: boolean }, tooLarge: () => Error): Promise<StoredUpload> {
  const dir = ensureWritableDirectory(uploadsDirectory(dataDir), 'the uploads directory', 'check the data directory');
  const uploadId = randomUUID();
  const path = join(dir, uploadId);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, tap, createWriteStream(path, { flags: 'wx', mode: PRIVATE_FILE_MODE }));
    if (stream.truncated) throw tooLarge();
  } catch (error) {
    rmSync(path, { force: true });
    throw error;
  }
  return { upload_id: uploadId, sha256: hash.digest('hex'), bytes };
}

export function removeUpload(dataDir: string, uploadId: string): void {
  rmSync(join(uploadsDirectory(dataDir), uploadId), { force: true });
}
