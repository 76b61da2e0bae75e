import { statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { TocsinError } from './errors.ts';

/** Where the server keeps uploaded files: owner-only, in the data directory. */
export function uploadsDirectory(dataDir: string): string {
  return join(dataDir, 'uploads');
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The file an upload names: its id (the server names uploads by a random UUID, never by what the
 * client called them), or the path this returned when the job was queued; null for any other
 * name. The server takes uploads and jobs read them, so both share this.
 */
export function uploadedFile(dataDir: string, name: string, field: string): string | null {
  const dir = uploadsDirectory(dataDir);
  const id = name.startsWith(`${dir}${sep}`) ? name.slice(dir.length + 1) : name;
  if (!UPLOAD_ID.test(id)) return null;
  const path = join(dir, id);
  try {
    if (statSync(path).isFile()) return path;
  } catch {
    // told below
  }
  throw new TocsinError('UPLOAD_NOT_FOUND', `${field}: no upload ${name} in this data directory; upload the file first (POST /api/incidents/ID/uploads)`, { kind: 'not_found' });
}
