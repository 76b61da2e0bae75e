import { getIncident, recordRun } from '../../incidents/index.ts';
import { endpoint } from '../endpoint.ts';
import { removeUpload, storeUpload, type StoredUpload } from '../uploads.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { incidentParams } from './incidents.ts';

export const create = endpoint({
  summary: 'Upload an export or a log (multipart/form-data, one file) to import or scope by its upload_id; stored as it arrives, with its SHA-256',
  params: incidentParams,
  consumes: ['multipart/form-data'],
  status: 201,
  handle: async ({ ctx, params, request }) => {
    const incident = await getIncident(ctx, params.id);
    let upload: (StoredUpload & { name: string }) | undefined;
    try {
      // Read to the end of the body: a second file or field is refused (and the first not kept).
      for await (const part of request.parts()) {
        if (part.type !== 'file') throw new TocsinError('ONE_FILE_PER_UPLOAD', 'send one file per upload, and no other fields', { kind: 'too_large' });
        upload = { ...(await storeUpload(ctx.dataDir, part.file, () => new request.server.multipartErrors.RequestFileTooLargeError())), name: part.filename };
      }
    } catch (error) {
      if (upload) removeUpload(ctx.dataDir, upload.upload_id);
      throw error;
    }
    if (!upload) throw invalidInput('NO_FILE', 'the upload has no file part');
    const { name: _name, ...stored } = upload;
    await recordRun(ctx, incident.id, { action: 'upload.received', details: stored });
    return upload;
  },
});
