import { z } from 'zod';
import { JOB_PERMISSION, JOB_STATES } from '../../domain/index.ts';
import { TocsinError } from '../../lib/errors.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cancelJob, enqueueJob, listJobs, requireJob, watchJob, type JobView } from '../../jobs/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

const jobParams = z.strictObject({ id: z.uuid({ message: 'not a job id' }) });

/** The file the job reads; the jobs module checks it (an upload, or a file inside import_dirs) and the job's other options (400 on a mistake). */
const withPath = z.looseObject({ path: z.string().min(1).max(4096).describe("an upload's id, or a file inside one of the server's import_dirs, absolute or relative to it") });
const withLogs = z.looseObject({
  rules: z.string().min(1).max(1_000_000).describe('the scope file (YAML) as text'),
  logs: z.array(z.string().min(1).max(4096)).min(1).max(10_000).describe("access logs: upload ids, or files inside the server's import_dirs"),
});

export const startImport = endpoint({
  summary: "Import an export of the shop's records from a file on the server; the job's options are tocsin import's (preset, map, key, subject…)",
  params: incidentParams,
  body: withPath,
  status: 202,
  handle: async ({ ctx, params, body }) => {
    const { path, ...options } = body;
    return enqueueJob(ctx, { kind: 'import', incident_id: params.id, params: { ...options, file: path } });
  },
});

/** Scope runs and detection read the same rules and logs. */
function logJob(kind: 'scope' | 'detect', summary: string) {
  return endpoint({
    summary,
    params: incidentParams,
    body: withLogs,
    status: 202,
    handle: async ({ ctx, params, body }) => enqueueJob(ctx, { kind, incident_id: params.id, params: body }),
  });
}

export const startScope = logJob('scope', 'Scope: rules × indicators × access logs on the server, as a numbered run (tocsin scope)');

export const startDetect = logJob('detect', 'Detect: rank clients by the records they reached and suggest indicators; takes top (tocsin detect)');

export const startNoticesBuild = endpoint({
  summary: 'Build or update the notices of the latest scope run (tocsin notices build)',
  params: incidentParams,
  body: z.looseObject({ shop_address: z.string().min(1).max(300) }),
  status: 202,
  handle: async ({ ctx, params, body }) => enqueueJob(ctx, { kind: 'notices_build', incident_id: params.id, params: body }),
});

export const incidentJobs = endpoint({
  summary: "The incident's jobs, newest first (tocsin jobs list --incident)",
  params: incidentParams,
  querystring: z.strictObject({ state: z.enum(JOB_STATES).optional() }),
  handle: async ({ ctx, params, query }) => ({ items: await listJobs(ctx, { incident_id: params.id, state: query.state }) }),
});

export const show = endpoint({
  summary: 'A job: its state, progress, result or error (tocsin jobs show)',
  params: jobParams,
  handle: async ({ ctx, params }) => requireJob(ctx, params.id),
});

export const cancel = endpoint({
  summary: 'Cancel a job: a queued one at once, a running one at its next step (tocsin jobs cancel)',
  params: jobParams,
  handle: async ({ ctx, params, can }) => {
    const job = await requireJob(ctx, params.id);
    const needed = JOB_PERMISSION[job.kind];
    if (!can(needed)) throw new TocsinError('FORBIDDEN', `cancelling a ${job.kind} job needs ${needed}`, { kind: 'forbidden' });
    return cancelJob(ctx, job.id);
  },
});

export const events = endpoint({
  summary: 'Server-Sent Events: the job now, then each change of its progress or state, until it ends',
  params: jobParams,
  handle: async ({ ctx, params, request, reply }) => {
    await requireJob(ctx, params.id);
    return streamJob(reply, watchJob(ctx, params.id, closedSignal(request)));
  },
});

/** Aborts when the client goes away, so a watch stops reading the job. */
function closedSignal(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return controller.signal;
}

/** Each view as one `event: job` with its JSON; the stream ends with the job. */
async function streamJob(reply: FastifyReply, views: AsyncIterable<JobView>): Promise<FastifyReply> {
  reply.hijack();
  const headers = { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' };
  reply.raw.writeHead(200, headers);
  try {
    for await (const view of views) reply.raw.write(`event: job\ndata: ${JSON.stringify(view)}\n\n`);
  } catch {
    // The database went away mid-stream: the stream ends, and the client asks again (GET /api/jobs/{id}).
  } finally {
    reply.raw.end();
  }
  return reply;
}
