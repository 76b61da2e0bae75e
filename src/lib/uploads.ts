import { lstatSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { TocsinError } from './errors.ts';

/** Where the server keeps an incident's uploaded files: owner-only, in the data directory, one directory per incident. */
export function uploadsDirectory(dataDir: string, incidentId: string): string {
  return join(resolve(dataDir), 'uploads', incidentId);
}

/** The server names uploads by a random UUID, never by what the client called them. */
export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The file an upload names, looked up among the uploads of one incident only: its id, or the
 * path this returned when the job was queued (a job checks its files again when it runs). Null
 * for a name that is neither an upload id nor a path in the uploads directory: a file on the
 * server, which the import directories govern. Another incident's upload, named either way, is
 * not found. The server takes uploads and jobs read them, so both share this.
 */
export function uploadedFile(dataDir: string, incidentId: string, name: string, field: string): string | null {
  const root = join(resolve(dataDir), 'uploads');
  const dir = uploadsDirectory(dataDir, incidentId);
  const inUploads = name.startsWith(`${root}${sep}`);
  if (!inUploads && !UPLOAD_ID.test(name)) return null;
  const id = inUploads ? (name.startsWith(`${dir}${sep}`) ? name.slice(dir.length + 1) : '') : name;
  if (UPLOAD_ID.test(id)) {
    const path = join(dir, id);
    try {
      // Only what the server wrote there: a regular file, not a link planted in its place.
      if (lstatSync(path).isFile()) return path;
    } catch {
      // told below
    }
  }
  throw new TocsinError('UPLOAD_NOT_FOUND', `${field}: incident ${incidentId} has no upload ${name}; upload the file to this incident first (POST /api/incidents/${incidentId}/uploads)`, {
    kind: 'not_found',
  });
}
