import { z } from 'zod';
import { deskDependencies, getReport, importFile, listReports, VERDICTS, type ReportView } from '../../phishing/index.ts';
import { invalidInput } from '../../lib/errors.ts';
import { endpoint } from '../endpoint.ts';

/** An mbox of reported mail can be large; it is analysed from memory, so it is held to this much. */
const MAX_IMPORT_BYTES = 100 * 1024 ** 2;

export const importMessages = endpoint({
  summary: 'Analyse suspicious messages: the body is one message (message/rfc822) or an mbox (application/mbox); each is kept as a report (tocsin phishing import --json)',
  consumes: ['message/rfc822', 'application/mbox'],
  bodyLimit: (config) => Math.min(config.upload_limit, MAX_IMPORT_BYTES),
  status: 201,
  handle: async ({ ctx, request }) => {
    if (!Buffer.isBuffer(request.body) || request.body.byteLength === 0) throw invalidInput('NO_MESSAGE', 'send the message itself as message/rfc822, or an mbox as application/mbox');
    const items: ReportView[] = [];
    await importFile(ctx, request.body, await deskDependencies(ctx), (view) => items.push(view));
    return { items };
  },
});

export const reports = endpoint({
  summary: "The reports with their verdicts, newest first; a portal report its job has not analysed yet has none (tocsin phishing reports)",
  querystring: z.strictObject({ verdict: z.enum(VERDICTS).optional() }),
  handle: async ({ ctx, query }) => {
    return { items: await listReports(ctx, { verdict: query.verdict }) };
  },
});

export const report = endpoint({
  summary: 'One report with its analysis',
  params: z.strictObject({ reference: z.string().min(1).max(40) }),
  handle: async ({ ctx, params }) => {
    return getReport(ctx, params.reference);
  },
});
