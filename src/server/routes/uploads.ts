import { z } from 'zod';
import { getIncident } from '../../incidents/index.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { UPLOAD_ID } from '../../lib/uploads.ts';
import { endpoint } from '../endpoint.ts';
import { deleteUpload, listUploads, recordUpload, removeUpload, storeUpload, type StoredUpload } from '../uploads.ts';
import { incidentParams } from './incidents.ts';

const uploadParams = incidentParams.extend({ upload_id: z.string().regex(UPLOAD_ID, { message: 'not an upload id' }).describe('upload id') });

export const create = endpoint({
  summary: "Upload an export or a log (multipart/form-data, one file) to import or scope by its upload_id within this incident; stored as it arrives, with its SHA-256",
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
        upload = { ...(await storeUpload(ctx.dataDir, incident.id, part.file, () => new request.server.multipartErrors.RequestFileTooLargeError())), name: part.filename };
      }
    } catch (error) {
      if (upload) removeUpload(ctx.dataDir, incident.id, upload.upload_id);
      throw error;
    }
    if (!upload) throw invalidInput('NO_FILE', 'the upload has no file part');
    await recordUpload(ctx, incident.id, upload);
    return upload;
  },
});

export const list = endpoint({
  summary: "The incident's uploads, the newest first: id, size, SHA-256 and when each was received",
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: await listUploads(ctx, params.id) }),
});

export const remove = endpoint({
  summary: "Delete one of the incident's uploads (it holds personal data); recorded in the incident's audit trail",
  params: uploadParams,
  handle: async ({ ctx, params, reply }) => {
    await deleteUpload(ctx, params.id, params.upload_id);
    return reply.code(204).send();
  },
});
