import { z } from 'zod';
import { renderPreviews } from '../../delivery/index.ts';
import { approveNotices, checkIncidentTemplates, initTemplates, listTemplateFiles, noticeApproval, readTemplateFile, revertTemplateFile, TEMPLATE_FILE_MAX_BYTES, writeTemplateFile } from '../../notices/index.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { DOCUMENT_CSP } from '../csp.ts';
import { endpoint, optionalBody } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const checkTemplates = endpoint({
  summary: "Check the templates an incident would use: syntax, variables, phrases, every locale, each variant's rules (tocsin templates check)",
  params: incidentParams,
  handle: async ({ ctx, params }) => checkIncidentTemplates(ctx, params.id),
});

export const preview = endpoint({
  summary: "Notices as they would be sent, one per variant and locale or one person's: the message, its Subject line, its plain text and HTML parts (tocsin notices preview)",
  params: incidentParams,
  querystring: z.strictObject({
    email: z.string().min(1).max(320).optional(),
    locale: z.string().min(2).max(35).optional(),
    from: z.string().min(1).max(998).optional().describe('the sender, as sending takes it (default: sender.from in the configuration, else the incident\'s contact email)'),
  }),
  handle: async ({ ctx, params, query }) => ({
    items: (await renderPreviews(ctx, params.id, query)).map(({ raw, ...preview }) => ({ ...preview, message: raw.toString('utf8') })),
  }),
});

export const previewHtml = endpoint({
  summary: "One variant and locale's notice as the HTML its reader gets, for the console's sandboxed frame (tocsin notices preview --locale)",
  params: incidentParams,
  querystring: z.strictObject({ variant: z.string().min(1).max(20), locale: z.string().min(2).max(35) }),
  handle: async ({ ctx, params, query, reply }) => {
    const preview = (await renderPreviews(ctx, params.id, { locale: query.locale })).find((item) => item.variant === query.variant);
    if (!preview) throw new TocsinError('NO_NOTICE', `no notice of incident ${params.id} is in variant ${query.variant} and locale ${query.locale}`, { kind: 'not_found' });
    return reply.type('text/html; charset=utf-8').header('content-security-policy', DOCUMENT_CSP).header('x-frame-options', 'SAMEORIGIN').header('cache-control', 'no-store').send(preview.html);
  },
});

export const initTemplateFiles = endpoint({
  summary: "Copy the built-in templates into the incident's template directory, to edit there (edited files are never overwritten) (tocsin templates init)",
  params: incidentParams,
  handle: async ({ ctx, params }) => initTemplates(ctx, params.id),
});

export const approval = endpoint({
  summary: 'Who built the notices as they are, when, who approved them, and whether sending waits for that approval (tocsin notices approval)',
  params: incidentParams,
  handle: async ({ ctx, params }) => noticeApproval(ctx, params.id),
});

export const approve = endpoint({
  summary:
    'Approve the notices as built, as a privacy officer signed in who did not build them (the four-eyes rule); with built_at, only the build reviewed: 409 once rebuilt (tocsin notices approve)',
  params: incidentParams,
  body: optionalBody(z.strictObject({ built_at: z.string().min(1).max(40).optional().describe('the built_at of the notice set reviewed, as GET …/notices/approval gave it') })),
  handle: async ({ ctx, params, body, principal }) => {
    // As SIGN_IN_AS_PERSON: what a person does in their own name is not a token's to do (400, as a request the token cannot make).
    if (principal?.via !== 'session') throw invalidInput('APPROVE_AS_PERSON', 'notices are approved by a person signed in with their own account, not with an API token');
    return approveNotices(ctx, params.id, principal, body.built_at);
  },
});

const templateFileParams = incidentParams.extend({
  name: z.string().min(1).max(300).describe("the file's name in the set, its / encoded as %2F: fr%2Fnotice.txt.liquid (GET …/templates/files lists them)"),
});

export const templateFiles = endpoint({
  summary: "The template files an incident's notices and reports use: whether the incident has its own copy, and each file's SHA-256; notices_stale when notices not yet sent were built from other templates (tocsin templates list)",
  params: incidentParams,
  handle: async ({ ctx, params }) => listTemplateFiles(ctx, params.id),
});

export const templateFile = endpoint({
  summary: "One template file's text: the incident's copy, else the built-in one (tocsin templates show)",
  params: templateFileParams,
  handle: async ({ ctx, params }) => readTemplateFile(ctx, params.id, params.name),
});

export const writeTemplate = endpoint({
  summary:
    "Write the incident's own copy of a template file, whole, in the audit trail; the answer has what `templates check` then finds. With dry_run, nothing is written: the check of the templates as they would be (tocsin templates write)",
  params: templateFileParams,
  body: z.strictObject({
    text: z.string().describe(`the file's text, at most ${TEMPLATE_FILE_MAX_BYTES} bytes of UTF-8`),
    dry_run: z.boolean().default(false),
  }),
  handle: async ({ ctx, params, body }) => writeTemplateFile(ctx, params.id, params.name, body.text, { dryRun: body.dry_run }),
});

export const revertTemplate = endpoint({
  summary: "Delete the incident's copy of a template file, so its notices use the built-in one again, in the audit trail (tocsin templates revert)",
  params: templateFileParams,
  handle: async ({ ctx, params }) => revertTemplateFile(ctx, params.id, params.name),
});
