import { createWriteStream } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../lib/private-file.ts';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** An output file written in large pieces, gzipped on libuv's threads when asked. */
export interface Output {
  /** Resolves once the bytes are written (or compressed), so that their buffer can be reused. */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function openOutput(path: string, { gzip }: { gzip: boolean }): Output {
  const file = createWriteStream(path, { mode: PRIVATE_FILE_MODE });
  // Level 1: a log compresses about 10:1 even so, and faster levels keep up with the generators.
  const compressor = gzip ? createGzip({ level: 1 }) : null;
  const input: Writable = compressor ?? file;
  const done = compressor ? pipeline(compressor, file) : finished(file);
  // Failures surface from write() or close(); until then the promise must not count as unhandled.
  done.catch(() => {});
  return {
    write: (bytes) => new Promise((resolve, reject) => input.write(bytes, (error) => (error ? reject(error) : resolve()))),
    async close() {
      input.end();
      await done;
    },
  };
}
