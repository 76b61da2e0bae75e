import { z } from 'zod';
import { bounceImportView, deliveryProgress, deliveryProgressView, importBounces, noticeDeliveries, noticeDeliveryView, unreachedSubjects, unreachedView } from '../../delivery/index.ts';
import { getIncident } from '../../incidents/index.ts';
import { serverFile } from '../../jobs/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const progress = endpoint({
  summary: 'How far sending is: notices by state, first and last sent, senders at work with their per-domain throttles as of their last heartbeat, an audit checkpoint (tocsin delivery)',
  params: incidentParams,
  handle: async ({ ctx, params }) => deliveryProgressView(await deliveryProgress(ctx, params.id)),
});

export const notices = endpoint({
  summary: 'The proof of who was told and when: per notice its state, attempts, last SMTP reply and sent-at (tocsin delivery --json)',
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: (await noticeDeliveries(ctx, params.id)).map(noticeDeliveryView) }),
});

export const unreached = endpoint({
  summary: 'The people not reached (bounced or failed), with their postal address when imported: for a letter campaign (tocsin delivery --unreached)',
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: unreachedView(await unreachedSubjects(ctx, params.id)) }),
});

export const bounces = endpoint({
  summary: 'Read bounce reports that came back later (RFC 3464 .eml files or mbox) and mark those notices bounced, with the reason (tocsin bounces --json)',
  params: incidentParams,
  body: z.strictObject({
    files: z
      .array(z.string().min(1).max(4096).regex(/^[^\p{Cc}]*$/u, { message: 'a file name has no control characters' }))
      .min(1)
      .max(1000)
      .describe("upload ids, or files inside the server's import_dirs, checked as a job's files are"),
  }),
  handle: async ({ ctx, params, body }) => {
    const incident = await getIncident(ctx, params.id);
    const files = body.files.map((name, i) => serverFile(ctx, incident.id, name, `files[${i}]`));
    return bounceImportView(await importBounces(ctx, incident.id, files));
  },
});
