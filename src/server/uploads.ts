import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../context.ts';
import { appendAudit, auditTrail, getIncident, recordRun } from '../incidents/index.ts';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { TocsinError } from '../lib/errors.ts';
import { PRIVATE_FILE_MODE } from '../lib/private-file.ts';
import { UPLOAD_ID, uploadsDirectory } from '../lib/uploads.ts';

export interface StoredUpload {
  /** What jobs name it by (in place of a path). */
  upload_id: string;
  sha256: string;
  bytes: number;
}

/** An upload as the listing shows it: its SHA-256 and time as the incident's audit trail recorded them when it was received. */
export interface UploadView {
  upload_id: string;
  bytes: number;
  /** Null for a file the trail has no record of (the server stopped between storing and recording it). */
  sha256: string | null;
  created_at: string;
}

/**
 * Writes an uploaded file as it arrives, hashing it on the way: memory stays bounded whatever
 * its size. The file is named by a new id, never by what the client called it, among the
 * incident's uploads. A stream that fails, or is cut short at the size limit (`tooLarge` says
 * so), leaves nothing behind. The caller records the receipt (`recordUpload`) once the request
 * has ended well.
 */
export async function storeUpload(dataDir: string, incidentId: string, stream: Readable & { truncated?: boolean }, tooLarge: () => Error): Promise<StoredUpload> {
  const dir = ensureWritableDirectory(uploadsDirectory(dataDir, incidentId), 'the uploads directory', 'check the data directory');
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

/**
 * Records an upload's receipt in the incident's audit trail: its id, size and SHA-256, never
 * what the client called it. The listing reads its SHA-256 and time from there; an upload that
 * cannot be recorded is not kept.
 */
export async function recordUpload(ctx: Context, incidentId: string, upload: StoredUpload): Promise<void> {
  try {
    await recordRun(ctx, incidentId, { action: 'upload.received', details: { upload_id: upload.upload_id, sha256: upload.sha256, bytes: upload.bytes } });
  } catch (error) {
    removeUpload(ctx.dataDir, incidentId, upload.upload_id);
    throw error;
  }
}

/** Removes an upload this request stored and did not record (the request failed after it). */
export function removeUpload(dataDir: string, incidentId: string, uploadId: string): void {
  rmSync(join(uploadsDirectory(dataDir, incidentId), uploadId), { force: true });
}

/** The incident's uploads, the newest first. */
export async function listUploads(ctx: Context, incidentId: string): Promise<UploadView[]> {
  const incident = await getIncident(ctx, incidentId);
  let names: string[];
  try {
    names = readdirSync(uploadsDirectory(ctx.dataDir, incident.id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const received = await receipts(ctx, incident.id);
  const uploads = names.map((name) => uploadView(ctx.dataDir, incident.id, name, received)).filter((upload): upload is UploadView => upload !== null);
  return uploads.sort((a, b) => b.created_at.localeCompare(a.created_at) || a.upload_id.localeCompare(b.upload_id));
}

/** One upload as listed: null for a name that is not an upload the server wrote (a regular file named by an upload id). */
function uploadView(dataDir: string, incidentId: string, name: string, received: Map<string, { sha256: string; at: string }>): UploadView | null {
  if (!UPLOAD_ID.test(name)) return null;
  const stat = lstatSync(join(uploadsDirectory(dataDir, incidentId), name), { throwIfNoEntry: false });
  if (!stat?.isFile()) return null;
  const receipt = received.get(name);
  return { upload_id: name, bytes: stat.size, sha256: receipt?.sha256 ?? null, created_at: receipt?.at ?? stat.mtime.toISOString() };
}

/**
 * Deletes one of the incident's uploads (it holds personal data: an export, a log). The
 * incident's audit trail records who deleted which upload, with its size and SHA-256, in the
 * transaction that removes the file: a file that cannot be removed is not recorded as removed.
 * A job that already reads it reads on; one queued fails with UPLOAD_NOT_FOUND when it starts.
 */
export async function deleteUpload(ctx: Context, incidentId: string, uploadId: string): Promise<void> {
  const incident = await getIncident(ctx, incidentId);
  const upload = uploadView(ctx.dataDir, incident.id, uploadId, await receipts(ctx, incident.id));
  if (!upload) throw notFound(incident.id, uploadId);
  await ctx.db.transaction().execute(async (trx) => {
    await appendAudit(trx, ctx, incident.id, { action: 'upload.deleted', details: { upload_id: upload.upload_id, bytes: upload.bytes, sha256: upload.sha256 } });
    try {
      rmSync(join(uploadsDirectory(ctx.dataDir, incident.id), upload.upload_id));
    } catch (error) {
      // Deleted by another request meanwhile: that one recorded it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(incident.id, uploadId);
      throw error;
    }
  });
}

function notFound(incidentId: string, uploadId: string): TocsinError {
  return new TocsinError('UPLOAD_NOT_FOUND', `incident ${incidentId} has no upload ${uploadId}; its uploads are listed at GET /api/incidents/${incidentId}/uploads`, { kind: 'not_found' });
}

/** What the trail recorded of each upload it received: its SHA-256 and when. */
async function receipts(ctx: Context, incidentId: string): Promise<Map<string, { sha256: string; at: string }>> {
  const received = new Map<string, { sha256: string; at: string }>();
  for (const entry of await auditTrail(ctx, incidentId)) {
    if (entry.action !== 'upload.received') continue;
    const details = JSON.parse(entry.details) as Partial<StoredUpload>;
    if (typeof details.upload_id === 'string' && typeof details.sha256 === 'string') received.set(details.upload_id, { sha256: details.sha256, at: entry.at });
  }
  return received;
}
