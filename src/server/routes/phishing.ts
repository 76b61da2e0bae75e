import { z } from 'zod';
import {
  deskDependencies,
  getCampaign,
  getReport,
  importFile,
  listCampaigns,
  listLookalikes,
  listReports,
  takedownPack,
  TRIAGE_STATES,
  triageReport,
  VERDICTS,
  watchList as watchListText,
  WATCH_LIST_FORMATS,
  watchShop,
  type ReportView,
} from '../../phishing/index.ts';
import { invalidInput } from '../../lib/errors.ts';
import { endpoint } from '../endpoint.ts';

const reportParams = z.strictObject({ reference: z.string().min(1).max(40) });

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
  querystring: z.strictObject({ verdict: z.enum(VERDICTS).optional(), triage: z.enum(TRIAGE_STATES).optional() }),
  handle: async ({ ctx, query }) => {
    return { items: await listReports(ctx, { verdict: query.verdict, triage: query.triage }) };
  },
});

export const report = endpoint({
  summary: 'One report with its analysis',
  params: reportParams,
  handle: async ({ ctx, params }) => {
    return getReport(ctx, params.reference);
  },
});

const campaignParams = z.strictObject({ id: z.string().min(1).max(40) });

export const triage = endpoint({
  summary: "Set a report's triage state; recorded in the security log (tocsin phishing triage)",
  params: reportParams,
  body: z.strictObject({ state: z.enum(TRIAGE_STATES) }),
  handle: async ({ ctx, params, body }) => triageReport(ctx, params.reference, body.state),
});

export const campaigns = endpoint({
  summary: 'The campaigns the reports were clustered into, the latest active first (tocsin phishing campaigns)',
  querystring: z.strictObject({ verdict: z.enum(['phishing', 'suspicious']).optional() }),
  handle: async ({ ctx, query }) => ({ items: await listCampaigns(ctx, { verdict: query.verdict }) }),
});

export const campaign = endpoint({
  summary: 'One campaign with its reports; the id of a campaign merged into another leads to that one',
  params: campaignParams,
  handle: async ({ ctx, params }) => getCampaign(ctx, params.id),
});

export const takedown = endpoint({
  summary: "A campaign's takedown pack: per domain, the evidence and a plain-text abuse report (tocsin phishing takedown --json)",
  params: campaignParams,
  handle: async ({ ctx, params }) => takedownPack(ctx, params.id),
});

export const lookalikes = endpoint({
  summary: "The look-alike domains of the shop's the analysed reports show: what each imitates and how, where in the messages, in how many reports and campaigns, the latest seen first",
  handle: async ({ ctx }) => ({ items: await listLookalikes(ctx) }),
});

export const watchList = endpoint({
  summary: "Every campaign's domains and URLs: CSV, or a STIX 2.1 bundle (tocsin phishing campaigns --export)",
  querystring: z.strictObject({ format: z.enum(WATCH_LIST_FORMATS).default('csv') }),
  handle: async ({ ctx, query, reply }) => {
    const { media_type, text } = await watchListText(ctx, query.format);
    return reply.type(media_type).header('content-disposition', `attachment; filename="watch-list.${query.format === 'stix' ? 'json' : 'csv'}"`).send(text);
  },
});

export const watch = endpoint({
  summary: "Resolve the typo-squatting permutations of shop.domains and list those that exist (tocsin phishing watch)",
  handle: async ({ ctx }) => watchShop(ctx),
});
