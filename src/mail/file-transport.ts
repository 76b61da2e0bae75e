import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIRECTORY_MODE } from '../lib/directory.ts';
import { TocsinError, reasonOf } from '../lib/errors.ts';
import { PRIVATE_FILE_MODE } from '../lib/private-file.ts';
import type { Transport } from './transport.ts';

/**
 * Writes each notice as `<dir>/<incident>.<seq>.eml`, for a mail system Tocsin does not speak
 * to, or to look at before sending. The file appears whole (written aside, then renamed), and
 * a notice sent again overwrites its own file: a directory never holds a duplicate. Notices
 * carry names and verification codes: the outbox and its files are their owner's only. The
 * directory is made when the transport is verified or first writes (the portal's answers open a
 * transport for each and verify none); once made, a directory that vanishes is not made again.
 */
export function fileTransport(dir: string, description: string): Transport {
  let made: Promise<void> | null = null;
  const make = () =>
    (made ??= mkdir(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE }).then(
      () => undefined,
      (error: unknown) => {
        made = null;
        throw new TocsinError('OUTBOX_UNWRITABLE', `cannot create the outbox ${dir} (${reasonOf(error)}); choose another with --transport file:DIR`, { kind: 'unavailable' });
      },
    ));
  return {
    description,
    verify: make,
    async deliver(message) {
      const file = join(dir, `${message.name}.eml`);
      try {
        await make();
        await writeFile(`${file}.part`, message.raw, { mode: PRIVATE_FILE_MODE });
        await rename(`${file}.part`, file);
        return { kind: 'accepted', reply: `written to ${file}` };
      } catch (error) {
        // A full or vanished disk is not the recipient's fault: stop rather than bounce.
        return { kind: 'fatal', reply: `cannot write ${file} (${reasonOf(error)})` };
      }
    },
    async close() {},
  };
}
