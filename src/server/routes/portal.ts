import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { TocsinError } from '../../lib/errors.ts';
import { checkNotice, formatInstant, pickLocale, renderErrorPage, renderPage, STYLESHEET, type PageName } from '../../portal/index.ts';
import { crossOriginReason } from '../auth.ts';
import { endpoint } from '../endpoint.ts';

/** `?lang=` is the language switcher's choice; it wins over Accept-Language. */
const languageQuery = z.object({ lang: z.string().max(64).optional() });

function localeOf(request: FastifyRequest): string {
  const lang = (request.query as { lang?: unknown } | undefined)?.lang;
  return pickLocale(typeof lang === 'string' ? lang : undefined, request.headers['accept-language']);
}

/** A browser loading a page or posting a form asks for HTML; API clients get JSON. */
function wantsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(request.headers.accept ?? '');
}

/**
 * A page: never cached (it can show what was typed), and with a referrer policy that still tells
 * this server where its forms were posted from (under `no-referrer` a browser sends `Origin: null`,
 * which refuseCrossSite cannot tell from another site's post); other sites learn nothing.
 */
function sendPage(reply: FastifyReply, page: PageName, config: Config, values: Record<string, string> = {}, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'same-origin')
    .send(renderPage(page, localeOf(reply.request), config, values));
}

/** A form posted from another site is refused (no cookie is involved: this keeps other sites from using a visitor's browser and address). */
function refuseCrossSite(request: FastifyRequest): void {
  const reason = crossOriginReason(request);
  if (reason) throw new TocsinError('CROSS_ORIGIN', `refused a cross-origin ${request.method}: ${reason}; post from this site's own pages`, { kind: 'forbidden' });
}

/** The public listener's errors as pages, for browsers. */
export function portalErrorPage(config: Config) {
  return (request: FastifyRequest, error: { status: number; code: string; retry_after?: number }): string | undefined =>
    wantsHtml(request) ? renderErrorPage(localeOf(request), config, error) : undefined;
}

/** A page anyone may load: HTML in the visitor's language. */
function page(name: PageName, summary: string) {
  return endpoint({ summary, querystring: languageQuery, handle: async ({ ctx, reply }) => sendPage(reply, name, ctx.config) });
}

export const home = page('home', "The portal's start page: check an email, report a suspicious message");
export const verifyPage = page('verify', 'The form that checks an email with its verification code');

export const stylesheet = endpoint({
  summary: "The portal's stylesheet",
  handle: async ({ reply }) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
});

export const verify = endpoint({
  summary: 'Is this email really from the shop? {email, code} → {genuine: true, sent_at, subject} or {genuine: false, typo}; throttled per client and per address (429 with Retry-After)',
  querystring: languageQuery,
  body: z.strictObject({ email: z.string().min(1).max(320), code: z.string().min(1).max(64) }),
  handle: async ({ ctx, body, request, reply }) => {
    refuseCrossSite(request);
    const result = await checkNotice(ctx, { ...body, client: request.ip });
    if (!wantsHtml(request)) return result;
    if (result.genuine) return sendPage(reply, 'verify-result', ctx.config, { result: 'genuine', sent_date: formatInstant(result.sent_at, localeOf(request)), subject: result.subject });
    return sendPage(reply, 'verify-result', ctx.config, { result: result.typo ? 'typo' : 'unknown' });
  },
});
