import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JobKind } from '../domain/index.ts';
import type { Context } from '../context.ts';
import { isInside } from '../lib/directory.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { uploadedFile } from '../lib/uploads.ts';
import type { ImportParams, JobParams, ScopeParams } from './params.ts';

/**
 * The files a job reads, each checked against the import directories (`import_dirs`) and given
 * as its real path. Whoever queues a job names paths on the machine of the server and its
 * workers, whose user can read the data directory (the secret key, the database) and more: a job
 * reads nothing outside those directories, and with none configured it names no file at all. The
 * CLI's own commands read what the person running them names; only jobs are held to this.
 * It runs when a job is queued, to refuse a bad path then, and again when a worker runs it, with
 * that worker's directories: a symbolic link changed in between is caught. A file uploaded to
 * the server is named by its upload id and read from the uploads of the job's incident: another
 * incident's upload is not found.
 */
export function checkJobFiles<K extends JobKind>(kind: K, params: JobParams[K], ctx: Pick<Context, 'config' | 'dataDir'>, incidentId: string): JobParams[K] {
  const file = (name: string, field: string) => serverFile(ctx, incidentId, name, field);
  if (kind === 'import') {
    const checked = params as ImportParams;
    return { ...checked, file: file(checked.file, 'params.file') } as JobParams[K];
  }
  if (kind === 'scope' || kind === 'detect') {
    const checked = params as ScopeParams;
    return { ...checked, logs: checked.logs.map((log, i) => file(log, `params.logs[${i}]`)) } as JobParams[K];
  }
  return params;
}

/**
 * The real path of a file named through the API, held to what a job may read: an upload by its
 * id, else a file inside the import directories (jobFile). Routes that read a file at once (bounce
 * reports) check it with this too.
 */
export function serverFile(ctx: Pick<Context, 'config' | 'dataDir'>, incidentId: string, name: string, field: string): string {
  return uploadedFile(ctx.dataDir, incidentId, name, field) ?? jobFile(ctx.config.import_dirs, name, field);
}

/**
 * The real path of a file a job names: a relative name is looked up in each import directory in
 * turn, an absolute one must lie inside one. `..` that leads out is refused before the file
 * system is asked (so a job cannot probe which files exist elsewhere), as is a symbolic link
 * whose target lies outside every import directory, and anything but a regular file.
 */
export function jobFile(importDirs: readonly string[], name: string, field: string): string {
  if (importDirs.length === 0) {
    throw new TocsinError('JOB_FILES_NOT_ALLOWED', `${field}: no import directories are configured (import_dirs), so a job may name no file; list the directory that holds it in import_dirs`, { kind: 'forbidden' });
  }
  const dirs = importDirs.map((dir) => resolve(dir));
  let inside = false;
  for (const dir of dirs) {
    const candidate = resolve(dir, name);
    if (!isInside(candidate, dir)) continue;
    inside = true;
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw invalidInput('JOB_FILE_UNREADABLE', `${field}: cannot read ${name} (${reasonOf(error)})`);
    }
    if (!dirs.some((allowed) => isInside(real, realDirectory(allowed)))) throw outside(field, name, dirs);
    if (!statSync(real).isFile()) throw invalidInput('JOB_FILE_NOT_A_FILE', `${field}: ${name} is not a regular file`);
    return real;
  }
  if (!inside) throw outside(field, name, dirs);
  throw invalidInput('JOB_FILE_NOT_FOUND', `${field}: no file ${name} in the import directories (${dirs.join(', ')}); put it there, or give its path relative to one`);
}

function outside(field: string, name: string, dirs: readonly string[]): TocsinError {
  return new TocsinError('JOB_FILE_OUTSIDE_IMPORT_DIRS', `${field}: ${name} is outside the import directories (${dirs.join(', ')}); a job reads only files inside them`, { kind: 'forbidden' });
}

/** An import directory as the file system has it (itself a symbolic link, maybe); as given when it does not exist. */
function realDirectory(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}
