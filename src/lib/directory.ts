import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { TocsinError, reasonOf } from './errors.ts';

/** Tocsin holds breached personal data: what it creates is its owner's alone (the CLI's umask says so too). */
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Creates `dir` and its missing parents, owner-only, and checks that we can write into it.
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
      kind: 'unavailable',
      cause: error,
    });
  }
  return absolute;
}

/**
 * A warning when `dir` exists and others than its owner may enter or read it (a data directory
 * made under umask 022, or by hand), with the command that fixes it; null when it is private
 * or not there yet. Tocsin does not change an existing directory's mode itself: it may be shared
 * on purpose, and the person who chose that should undo it.
 */
export function exposedDirectoryWarning(dir: string, what: string): string | null {
  const absolute = resolve(dir);
  let mode: number;
  try {
    mode = statSync(absolute).mode;
  } catch {
    return null;
  }
  if ((mode & 0o077) === 0) return null;
  const octal = (mode & 0o777).toString(8);
  return `warning: ${what} ${absolute} is open to other users (mode ${octal}) and holds breached personal data; run: chmod 700 '${absolute.replaceAll("'", "'\\''")}'`;
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
  mkdirSync(dir, { mode: PRIVATE_DIRECTORY_MODE });
}

/** Whether the absolute PATH lies below the absolute directory DIR (DIR itself is not inside it). */
export function isInside(path: string, dir: string): boolean {
  return path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}
