import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TocsinError, reasonOf } from './errors.ts';

/**
 * Creates `dir` and its missing parents, and checks that we can write into it.
 * Parents are made one at a time because Node's `mkdirSync(…, { recursive: true })` spins
 * forever under pseudo file systems such as /proc, where mkdir answers ENOENT.
 * `what` names the directory in the error ("the data directory"), `remedy` says what to do.
 */
export function ensureWritableDirectory(dir: string, what: string, remedy: string): string {
  const absolute = resolve(dir);
  try {
    makeDirectory(absolute);
    accessSync(absolute, constants.W_OK);
  } catch (error) {
    throw new TocsinError('DIRECTORY_UNWRITABLE', `cannot write to ${what} ${absolute} (${reasonOf(error)}); ${remedy}`, {
      cause: error,
    });
  }
  return absolute;
}

function makeDirectory(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeDirectory(parent);
  mkdirSync(dir);
}
