import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';

/**
 * The directories whose files API callers may name (`--import-dir`): each resolved to its real
 * path once, when the server starts, so that a file's real path can be checked against them.
 */
export function importDirectories(dirs: readonly string[]): string[] {
  return dirs.map((dir) => {
    try {
      const real = realpathSync(dir);
      if (!statSync(real).isDirectory()) throw new Error('not a directory');
      return real;
    } catch (error) {
      throw invalidInput('BAD_IMPORT_DIR', `import_dirs: ${dir} is not a directory Tocsin can read (${reasonOf(error)})`);
    }
  });
}

/**
 * The real path of a file an API caller names, which must be inside one of the import
 * directories: a relative name is looked up in each in turn; `..`, a symbolic link or a mount
 * that leads out of them is refused, as is anything but a regular file. The job reads the real
 * path returned, not the name.
 */
export function importFile(dirs: readonly string[], name: string, field: string): string {
  if (dirs.length === 0) throw invalidInput('NO_IMPORT_DIR', `${field}: this server takes no files by path; upload the file, or start the server with import_dirs (--import-dir DIR) to name files under DIR`);
  if (name.includes('\0')) throw invalidInput('BAD_PATH', `${field}: a path has no NUL byte`);
  for (const dir of dirs) {
    const candidate = isAbsolute(name) ? name : join(dir, name);
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    if (!dirs.some((allowed) => real.startsWith(allowed + sep))) continue;
    if (!statSync(real).isFile()) throw invalidInput('NOT_A_FILE', `${field}: ${name} is not a regular file`);
    return real;
  }
  throw invalidInput('FILE_NOT_IMPORTABLE', `${field}: ${name} is no file under the import directories (${dirs.join(', ')}); put it there, or give its path relative to one`);
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A file a job may read: an upload by its id (POST …/uploads), else a path under the import directories (importFile). */
export function jobFile(dirs: readonly string[], uploadsDir: string, name: string, field: string): string {
  if (!UPLOAD_ID.test(name)) return importFile(dirs, name, field);
  const path = join(uploadsDir, name);
  try {
    if (statSync(path).isFile()) return path;
  } catch {
    // told below
  }
  throw new TocsinError('UPLOAD_NOT_FOUND', `${field}: no upload ${name}; upload the file first (POST /api/incidents/ID/uploads)`, { kind: 'not_found' });
}
