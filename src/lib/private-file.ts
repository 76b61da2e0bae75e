import { closeSync, fchmodSync, fstatSync, openSync, statSync, writeFileSync } from 'node:fs';

/** Files Tocsin writes hold names, addresses and codes: readable and writable by their owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Writes `data` to `path`, created owner-only; a regular file that was already there and open
 * to others is made owner-only too (it is about to hold what this one holds). A device such as
 * /dev/stdout is written to and left as it is.
 */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w', PRIVATE_FILE_MODE);
  try {
    restrictOpenFile(fd);
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes an existing file owner-only when it is open to others; missing files are left to whoever creates them.
 * A file already owner-only is not opened: closing a descriptor drops every POSIX lock this
 * process holds on the file, and SQLite's connections to it (a second context on a database
 * this process has open) would lose theirs, letting another process delete the WAL under them.
 */
export function restrictToOwner(path: string): void {
  try {
    const stats = statSync(path);
    if (!stats.isFile() || (stats.mode & 0o077) === 0) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    restrictOpenFile(fd);
  } finally {
    closeSync(fd);
  }
}

function restrictOpenFile(fd: number): void {
  const stats = fstatSync(fd);
  if (stats.isFile() && (stats.mode & 0o077) !== 0) fchmodSync(fd, PRIVATE_FILE_MODE);
}
