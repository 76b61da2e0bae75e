import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Context } from '../../context.ts';
import { loadSecret } from '../../lib/secret.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { enqueuePortalAnswers, portalAnswerParams } from '../../jobs/index.ts';
import {
  admitLookup,
  checkFormToken,
  checkNotice,
  FORM_TOKEN_FIELD,
  formatInstant,
  incidentLinks,
  lookupAddress,
  issueFormToken,
  pagePath,
  pickLocale,
  publishedPage,
  receiveReport,
  renderErrorPage,
  renderPage,
  reportTooLarge,
  portalStylesheet,
  shopLogo,
  type BountyPageName,
  type PageName,
  type ReportInput,
  settleCodeChecks,
  settleLookups,
} from '../../portal/index.ts';
import { crossOriginReason } from '../auth.ts';
import { endpoint } from '../endpoint.ts';
import { keepAndAnalyse } from '../report-intake.ts';

/** `?lang=` is the language switcher's choice; it wins over Accept-Language. */
export const languageQuery = z.object({ lang: z.string().max(64).optional() });

/** The visitor's language: `chosen` (an API client's `locale`), else the switcher's, else Accept-Language's. */
export function localeOf(request: FastifyRequest, chosen?: string): string {
  const lang = (request.query as { lang?: unknown } | undefined)?.lang;
  return pickLocale(chosen ?? (typeof lang === 'string' ? lang : undefined), request.headers['accept-language']);
}

/** A browser loading a page or posting a form asks for HTML; API clients get JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(request.headers.accept ?? '');
}

/**
 * A page: never cached (it can show what was typed), and with a referrer policy that still tells
 * this server where its forms were posted from (under `no-referrer` a browser sends `Origin: null`,
 * which refuseCrossSite cannot tell from another site's post); other sites learn nothing.
 */
export function sendPage(reply: FastifyReply, page: PageName | BountyPageName, ctx: Context, values: Record<string, unknown> = {}, status = 200): FastifyReply {
  // Every page gets a form token (the form-token include), for whichever form it holds.
  const form_token = issueFormToken(loadSecret(ctx.dataDir, ctx.config), reply.request.ip, ctx.now());
  return sendHtml(reply, renderPage(page, localeOf(reply.request), ctx.config, { ...values, form_token }), status);
}

/** A page's HTML, with the headers every page of the public listener has. */
export function sendHtml(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'same-origin').send(html);
}

/** The field a form's token comes in, for a form's body schema: optional there, as JSON clients send none. */
export const formTokenField = { [FORM_TOKEN_FIELD]: z.string().max(64).optional() };

/**
 * A form post (what another site's page can make a browser send) must carry the token of one of
 * this portal's pages, served to this client lately; JSON and message/rfc822 bodies need none, as
 * no form can send them. Every form handler calls this.
 */
export function requireFormToken(ctx: Context, request: FastifyRequest, token: unknown): void {
  if (!isFormPost(request)) return;
  checkFormToken(loadSecret(ctx.dataDir, ctx.config), token, request.ip, ctx.now());
}

/**
 * urlencoded, which only the pages' forms send (the API takes JSON), and multipart from a browser.
 * Multipart is also how a program uploads a file (`curl -F`): a browser's post says where it comes
 * from (Origin, Sec-Fetch-Site) or carries a cookie, a program's need not, and no page can make a
 * browser of these years leave all three out.
 */
function isFormPost(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  if (/^\s*application\/x-www-form-urlencoded\b/i.test(type)) return true;
  const fromBrowser = request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined || request.headers.cookie !== undefined;
  return fromBrowser && /^\s*multipart\/form-data\b/i.test(type);
}

/** A form posted from another site is refused (no cookie is involved: this keeps other sites from using a visitor's browser and address). */
export function refuseCrossSite(request: FastifyRequest): void {
  const reason = crossOriginReason(request);
  if (reason) throw new TocsinError('CROSS_ORIGIN', `refused a cross-origin ${request.method}: ${reason}; post from this site's own pages`, { kind: 'forbidden' });
}

/** Writes what the portal holds in memory for a moment (the code checks' failures, lookups gathered for one commit), once the listener stops taking requests. */
export async function settlePortal(ctx: Context): Promise<void> {
  await Promise.all([settleCodeChecks(ctx), settleLookups(ctx)]);
}

/** Reads the shop's logo and makes its stylesheet, refusing either if the configuration's is not fit to serve. */
export function checkBranding(config: Config): void {
  shopLogo(config);
  portalStylesheet(config);
}

/** The public listener's errors as pages, for browsers. */
export function portalErrorPage(config: Config) {
  return (request: FastifyRequest, error: { status: number; code: string; retry_after?: number }): string | undefined =>
    wantsHtml(request) ? renderErrorPage(localeOf(request), config, error) : undefined;
}

/** A page anyone may load: HTML in the visitor's language. */
function page(name: PageName, summary: string) {
  return endpoint({ summary, querystring: languageQuery, handle: async ({ ctx, reply }) => sendPage(reply, name, ctx) });
}

export const home = endpoint({
  summary: "The portal's start page: the published incident pages, check an email, report a suspicious message",
  querystring: languageQuery,
  handle: async ({ ctx, request, reply }) => {
    return sendPage(reply, 'home', ctx, { incidents: await incidentLinks(ctx, localeOf(request)) });
  },
});

/**
 * A published incident's page: the same for every visitor in a language, rendered once per
 * publication (see publishedPage), so it may be cached a minute by browsers and proxies.
 */
export const incidentPage = endpoint({
  summary: "A published incident's page: what happened, which data was and was not involved, what the shop did, what to do, its FAQ",
  params: z.strictObject({ slug: z.string().max(64) }),
  querystring: languageQuery,
  handle: async ({ ctx, params, request, reply }) => {
    const html = await publishedPage(ctx, params.slug, localeOf(request));
    if (html === undefined) throw new TocsinError('NOT_FOUND', `no incident page is published at ${pagePath(params.slug)}`, { kind: 'not_found' });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=60').header('vary', 'accept-language').send(html);
  },
});
export const verifyPage = page('verify', 'The form that checks an email with its verification code');
export const reportPage = page('report', 'The form that reports a suspicious message');
export const lookupPage = page('lookup', 'The form that asks "Was I affected?"; the answer goes to the address only');

export const stylesheet = endpoint({
  summary: "The portal's stylesheet, in the shop's colours (shop.colours)",
  handle: async ({ ctx, reply }) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(portalStylesheet(ctx.config)),
});

/** An SVG opened by itself is a document: this policy lets it draw, never run script, load anything or be framed. */
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

export const logo = endpoint({
  summary: "The shop's logo (shop.logo: PNG, JPEG or SVG), at this path whatever its file is called",
  handle: async ({ ctx, reply }) => {
    const image = shopLogo(ctx.config);
    if (!image) throw new TocsinError('NOT_FOUND', 'no logo is configured (shop.logo)', { kind: 'not_found' });
    return reply.type(image.type).header('cache-control', 'public, max-age=3600').header('content-security-policy', IMAGE_CSP).send(image.bytes);
  },
});

export const verify = endpoint({
  summary: 'Is this email really from the shop? {email, code} → {genuine: true, sent_at, subject} or {genuine: false, typo}; throttled per client and per address (429 with Retry-After)',
  querystring: languageQuery,
  body: z.strictObject({ email: z.string().min(1).max(320), code: z.string().min(1).max(64), ...formTokenField }),
  handle: async ({ ctx, body, request, reply, metrics }) => {
    refuseCrossSite(request);
    requireFormToken(ctx, request, body.form_token);
    let result;
    try {
      result = await checkNotice(ctx, { email: body.email, code: body.code, client: request.ip });
    } catch (error) {
      if (error instanceof TocsinError && error.kind === 'throttled') metrics.portalVerifications.inc({ result: 'throttled' });
      throw error;
    }
    metrics.portalVerifications.inc({ result: result.genuine ? 'genuine' : result.typo ? 'typo' : 'not_genuine' });
    if (!wantsHtml(request)) return result;
    if (result.genuine) return sendPage(reply, 'verify-result', ctx, { result: 'genuine', sent_date: formatInstant(result.sent_at, localeOf(request)), subject: result.subject });
    return sendPage(reply, 'verify-result', ctx, { result: result.typo ? 'typo' : 'unknown' });
  },
});

export const lookup = endpoint({
  summary:
    'Was I affected? {email, locale?} → 202 {status: "accepted"}, the same for every address; the answer goes to that mailbox only, at most once a day; throttled per client and in all (429 with Retry-After)',
  querystring: languageQuery,
  body: z.strictObject({ email: z.string().min(1).max(320), locale: z.string().max(64).optional(), ...formTokenField }),
  status: 202,
  handle: async ({ ctx, body, request, reply, metrics }) => {
    refuseCrossSite(request);
    requireFormToken(ctx, request, body.form_token);
    const answer = portalAnswerParams({ email: lookupAddress(body.email), locale: localeOf(request, body.locale) }, ctx.dataDir);
    try {
      // Counted and queued with the lookups that arrive meanwhile, in one commit; 202 only once it is committed.
      // Only queued: whether the address is affected, a customer's or a stranger's is found out in the job, never here.
      await admitLookup(ctx, answer, request.ip, enqueuePortalAnswers);
    } catch (error) {
      if (error instanceof TocsinError && error.kind === 'throttled') metrics.portalLookups.inc({ result: 'throttled' });
      throw error;
    }
    metrics.portalLookups.inc({ result: 'accepted' });
    if (!wantsHtml(request)) return { status: 'accepted' };
    return sendPage(reply, 'lookup-done', ctx, {}, 202);
  },
});

/** A report sent as a form's fields, urlencoded or JSON: the pasted source and the address for an answer. */
const pastedReport = z.strictObject({ source: z.string(), reply_to: z.string().max(320).optional(), ...formTokenField });

/**
 * The multipart form's parts: its token, the .eml file or the pasted source, and the address for
 * an answer. The token is checked before a file is read: it comes first, as in the form.
 */
async function multipartReport(ctx: Context, request: FastifyRequest, limit: number): Promise<ReportInput> {
  let file: Buffer | undefined;
  const fields: { source?: string; reply_to?: string; form_token?: string } = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: limit, fieldSize: limit, files: 1, fields: 3, parts: 4 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'message') throw invalidInput('UNKNOWN_FIELD', `${part.fieldname}: not a field of a report; send the file as message`);
        requireFormToken(ctx, request, fields.form_token);
        file = await part.toBuffer();
      } else {
        if (part.fieldname !== 'source' && part.fieldname !== 'reply_to' && part.fieldname !== FORM_TOKEN_FIELD) {
          throw invalidInput('UNKNOWN_FIELD', `${part.fieldname}: not a field of a report; its fields are form_token, message (a file), source and reply_to`);
        }
        if (part.valueTruncated) throw reportTooLarge(limit);
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw reportTooLarge(limit);
    throw error;
  }
  requireFormToken(ctx, request, fields.form_token);
  // A browser sends an empty file part when no file was chosen.
  const pasted = fields.source !== undefined && fields.source.trim() !== '';
  if (file !== undefined && file.byteLength > 0) {
    if (pasted) throw invalidInput('TWO_MESSAGES', 'send the message as a file or as pasted source, not both');
    return { message: file, received_as: 'file', reply_to: fields.reply_to };
  }
  return { message: Buffer.from(fields.source ?? '', 'utf8'), received_as: 'pasted', reply_to: fields.reply_to };
}

export const report = endpoint({
  summary:
    'Report a suspicious message: multipart/form-data (the .eml as message, or its source as source; reply_to optional), the message itself as message/rfc822, or {source, reply_to?} → 202 {reference}; at most portal.report_address reports per client address and window (429 with Retry-After)',
  querystring: languageQuery,
  consumes: ['multipart/form-data', 'message/rfc822', 'application/x-www-form-urlencoded', 'application/json'],
  status: 202,
  // Room for the form around the message; the message itself is held to report_limit.
  bodyLimit: (config) => config.portal.report_limit + 64 * 1024,
  handle: async ({ ctx, request, reply, metrics }) => {
    refuseCrossSite(request);
    const limit = ctx.config.portal.report_limit;
    let input: ReportInput;
    if (request.isMultipart()) input = await multipartReport(ctx, request, limit);
    else if (Buffer.isBuffer(request.body)) input = { message: request.body, received_as: 'message' };
    else {
      const fields = pastedReport.safeParse(request.body);
      if (!fields.success) throw invalidInput('INVALID_REQUEST', `body: ${fields.error.issues[0].path.join('.') || 'the body'}: ${fields.error.issues[0].message}; send source (the message's full source) and, if you like, reply_to`);
      requireFormToken(ctx, request, fields.data.form_token);
      input = { message: Buffer.from(fields.data.source, 'utf8'), received_as: 'pasted', reply_to: fields.data.reply_to };
    }
    // The reporter's answer, if they left an address, is in the language of the page they sent it from.
    const received = await keepAndAnalyse(ctx, (trx) => receiveReport(trx, { ...input, locale: localeOf(request) }), request.ip);
    metrics.portalReports.inc();
    if (!wantsHtml(request)) return received;
    return sendPage(reply, 'report-done', ctx, received, 202);
  },
});
