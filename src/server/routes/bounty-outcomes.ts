import { z } from 'zod';
import {
  awardReport,
  markAwardPaid,
  programmeMetrics,
  publishDisclosure,
  publishedDisclosure,
  publishedDisclosures,
  requestDisclosure,
  writeDisclosureText,
} from '../../bounty/index.ts';
import { parseInstant } from '../../lib/time.ts';
import { renderDisclosure, renderDisclosures, renderResponseTimes } from '../../portal/index.ts';
import { endpoint } from '../endpoint.ts';
import { researcherOf, seeOther } from './bounty-researchers.ts';
import { formTokenField, languageQuery, localeOf, requireFormToken, sendHtml, wantsHtml } from './portal.ts';

// The bug bounty's promises kept in the open: response times against the targets, rewards, coordinated disclosure.

const reportParams = z.strictObject({ reference: z.string().max(64) });

export const metrics = endpoint({
  summary: "The programme's response times: per target (first_response, triage, bounty, resolution) the median and 90th percentile in hours, the share within target and the overdue count (tocsin bounty sla)",
  querystring: z.strictObject({ since: z.string().min(1).max(64).optional().describe('only reports submitted from this instant on; the last 365 days by default') }),
  handle: async ({ ctx, query }) => programmeMetrics(ctx, { since: query.since === undefined ? undefined : new Date(parseInstant(query.since, 'since')) }),
});

export const responseTimesPage = endpoint({
  summary: "The programme's measured response times against its targets, over the last 12 months (HTML, in the visitor's language)",
  querystring: languageQuery,
  handle: async ({ ctx, request, reply }) => sendHtml(reply, renderResponseTimes(localeOf(request), ctx.config, await programmeMetrics(ctx))),
});

export const responseTimes = endpoint({
  summary: "The programme's measured response times over the last 12 months, as JSON (GET /api/bounty/metrics on the staff listener takes any period)",
  handle: async ({ ctx }) => programmeMetrics(ctx),
});

export const award = endpoint({
  summary: 'Award a triaged or resolved report: {amount, bonus?, currency?} in whole units (changed until paid); audited, and the researcher is mailed (tocsin bounty award)',
  params: reportParams,
  body: z.strictObject({ amount: z.number(), bonus: z.number().optional(), currency: z.string().max(16).optional() }),
  handle: async ({ ctx, params, body }) => ({ award: await awardReport(ctx, params.reference, body) }),
});

export const awardPaid = endpoint({
  summary: "Record a report's award as paid (the payment itself happens outside Tocsin); audited, and the researcher is told (tocsin bounty award --paid)",
  params: reportParams,
  handle: async ({ ctx, params }) => ({ award: await markAwardPaid(ctx, params.reference) }),
});

export const teamDisclosure = endpoint({
  summary: "The team asks for a resolved or informative report to be disclosed, or agrees to the researcher's request; the first request sets the deadline (tocsin bounty disclose --request)",
  params: reportParams,
  handle: async ({ ctx, params }) => ({ disclosure: await requestDisclosure(ctx, params.reference, { kind: 'team' }) }),
});

export const disclosureText = endpoint({
  summary: "The team's redacted title and Markdown text: all the public listener shows of the report (tocsin bounty disclose --title --text-file)",
  params: reportParams,
  body: z.strictObject({ title: z.string().max(1000), text: z.string().max(60_000) }),
  handle: async ({ ctx, params, body }) => ({ disclosure: await writeDisclosureText(ctx, params.reference, body) }),
});

export const publish = endpoint({
  summary: 'Publish a disclosure: once both sides agreed or the deadline passed, and the redacted text is written; the researcher is mailed (tocsin bounty disclose --publish)',
  params: reportParams,
  handle: async ({ ctx, params }) => ({ disclosure: await publishDisclosure(ctx, params.reference) }),
});

export const researcherDisclosure = endpoint({
  summary: "The researcher asks for their resolved or informative report to be disclosed, or agrees to the team's request; another researcher's report is not found",
  params: reportParams,
  querystring: languageQuery,
  body: z.strictObject({ ...formTokenField }).nullable(),
  handle: async ({ ctx, params, body, request, reply, researcher }) => {
    requireFormToken(ctx, request, body?.form_token);
    const disclosure = await requestDisclosure(ctx, params.reference, { kind: 'researcher', researcher_id: researcherOf(researcher).researcher_id });
    if (wantsHtml(request)) return seeOther(reply, `/bounty/reports/${params.reference}`, localeOf(request));
    return { disclosure };
  },
});

export const disclosuresPage = endpoint({
  summary: 'The disclosed reports, the latest first (HTML): their redacted titles, assets, severities and dates',
  querystring: languageQuery,
  handle: async ({ ctx, request, reply }) => sendHtml(reply, renderDisclosures(localeOf(request), ctx.config, await publishedDisclosures(ctx))),
});

export const disclosures = endpoint({
  summary: "The disclosed reports as JSON, with the team's redacted Markdown text; a report not published is never listed",
  handle: async ({ ctx }) => ({ disclosures: await publishedDisclosures(ctx) }),
});

export const disclosurePage = endpoint({
  summary: "One disclosed report (HTML): its facts and the team's redacted text; any other reference is not found",
  params: reportParams,
  querystring: languageQuery,
  handle: async ({ ctx, params, request, reply }) => sendHtml(reply, renderDisclosure(localeOf(request), ctx.config, await publishedDisclosure(ctx, params.reference))),
});
