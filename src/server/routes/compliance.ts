import { z } from 'zod';
import {
  assessIncident,
  assessmentView,
  authorityReport,
  prepareAuthorityReport,
  breachRegister,
  clearReportSection,
  renderRegister,
  renderReport,
  type ReportFormat,
  reportLanguage,
  reportLanguageFor,
  REPORT_LANGUAGES,
  reportSectionsStatus,
  reportSubmitted,
  sectionText,
  setReportSection,
  WRITABLE_SECTIONS,
} from '../../compliance/index.ts';
import { invalidInput } from '../../lib/errors.ts';
import type { FastifyReply } from 'fastify';
import { DOCUMENT_CSP } from '../csp.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

const format = z.enum(['md', 'html', 'json']).default('json');
const asOf = z.string().min(1).max(64).optional().describe('read every clock, and date the report, as of this instant instead of now');

const MEDIA_TYPES: Readonly<Record<ReportFormat, string>> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** A rendered document in its own media type; HTML under a policy that lets it run nothing, and lets the console preview it in a frame. */
function sendDocument(reply: FastifyReply, text: string, as: ReportFormat) {
  if (as === 'html') void reply.header('content-security-policy', DOCUMENT_CSP);
  return reply.type(MEDIA_TYPES[as]).send(text);
}

export const assessment = endpoint({
  summary: 'Who must be told, by when, per jurisdiction (the same JSON as tocsin assess --json)',
  params: incidentParams,
  querystring: z.strictObject({
    in_force_from: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('CODE=DATE, a commencement you have confirmed (IN=2026-11-13); repeatable'),
    as_of: asOf,
  }),
  handle: async ({ ctx, params, query }) => assessmentView(await assessIncident(ctx, params.id, { inForceFrom: [query.in_force_from ?? []].flat(), asOf: query.as_of })),
});

export const report = endpoint({
  summary: "The report to one jurisdiction's authority, as Markdown, HTML or JSON (tocsin report)",
  params: incidentParams.extend({ jurisdiction: z.string().min(2).max(16) }),
  querystring: z.strictObject({
    phase: z.enum(['initial', 'complementary']).default('initial'),
    format,
    locale: z.string().min(2).max(35).optional().describe("the report's language over the authority's own"),
    as_of: asOf,
    preview: z.enum(['true', 'false']).default('false').describe('true: only to look at it, so neither its facts nor the audit trail record it (tocsin report --preview)'),
  }),
  handle: async ({ ctx, params, query, reply }) => {
    const options = { locale: query.locale, asOf: query.as_of };
    const report = query.preview === 'true' ? (await prepareAuthorityReport(ctx, params.id, params.jurisdiction, query.phase, options)).report : await authorityReport(ctx, params.id, params.jurisdiction, query.phase, options);
    return sendDocument(reply, renderReport(report, query.format), query.format);
  },
});

export const submitted = endpoint({
  summary: 'Record that the report to a jurisdiction was submitted; notices built afterwards say so (tocsin report --submitted-at)',
  params: incidentParams.extend({ jurisdiction: z.string().min(2).max(16) }),
  body: z.strictObject({ submitted_at: z.string().min(1).max(64) }),
  status: 201,
  handle: async ({ ctx, params, body }) => reportSubmitted(ctx, params.id, params.jurisdiction, body.submitted_at),
});

export const register = endpoint({
  summary: 'The breach register (GDPR Art. 33(5)): every incident with its facts, effects and remedial action (tocsin register)',
  querystring: z.strictObject({ format }),
  handle: async ({ ctx, query, reply }) => sendDocument(reply, renderRegister(await breachRegister(ctx), query.format), query.format),
});

const sectionParams = incidentParams.extend({ section: z.enum(WRITABLE_SECTIONS).describe('a section a person writes') });
const language = z.string().min(2).max(35).describe(`the language the text is in: ${REPORT_LANGUAGES.join(', ')}`);

export const sections = endpoint({
  summary: "The sections of the reports a person writes, in one language: their text, when and by whom written, and what a jurisdiction's report still lacks (tocsin report sections)",
  params: incidentParams,
  querystring: z.strictObject({
    locale: language.optional(),
    jurisdiction: z.string().min(2).max(16).optional().describe("an authority's jurisdiction: its report's language (unless locale), and what its report lacks"),
    phase: z.enum(['initial', 'complementary']).default('initial'),
    as_of: asOf,
  }),
  handle: async ({ ctx, params, query }) => {
    if (query.locale === undefined && query.jurisdiction === undefined) {
      throw invalidInput('NO_REPORT_LOCALE', `say which language the sections are in: locale (${REPORT_LANGUAGES.join(', ')}), or jurisdiction for its authority's`);
    }
    const locale = query.locale === undefined ? reportLanguageFor(query.jurisdiction!.trim().toUpperCase()) : reportLanguage(query.locale);
    return reportSectionsStatus(ctx, params.id, locale, { jurisdiction: query.jurisdiction, phase: query.phase, asOf: query.as_of });
  },
});

export const setSection = endpoint({
  summary: "Write or replace a section of the reports in one language, as plain text (paragraphs separated by blank lines); the audit trail keeps its hash (tocsin report sections --set)",
  params: sectionParams,
  body: z.strictObject({ locale: language, text: z.string().min(1).max(64 * 1024) }),
  handle: async ({ ctx, params, body }) => {
    const locale = reportLanguage(body.locale);
    const { replaced } = await setReportSection(ctx, params.id, params.section, locale, sectionText(Buffer.from(body.text, 'utf8'), 'text'));
    return { section: params.section, locale, replaced };
  },
});

export const clearSection = endpoint({
  summary: "Remove a section's text in one language, so reports ask for it again (tocsin report sections --clear)",
  params: sectionParams,
  querystring: z.strictObject({ locale: language }),
  handle: async ({ ctx, params, query, reply }) => {
    await clearReportSection(ctx, params.id, params.section, reportLanguage(query.locale));
    return reply.code(204).send();
  },
});
