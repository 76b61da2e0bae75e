import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Liquid, type Template } from 'liquidjs';
import type { Config } from '../config.ts';
import { BOUNTY_WORDS, PORTAL_WORDS, type Words } from './words.ts';

const PAGES_DIR = fileURLToPath(new URL('./pages/', import.meta.url));

/** The researchers' passkey script (pages/passkey.js), served as a file by the public listener. */
export const PASSKEY_SCRIPT = readFileSync(`${PAGES_DIR}passkey.js`, 'utf8');
/** The claim page's script (pages/claim.js): the link's token from its fragment into the form. */
export const CLAIM_SCRIPT = readFileSync(`${PAGES_DIR}claim.js`, 'utf8');

/** The portal's pages, each drawn in the one layout. */
export const PAGES = ['home', 'incident', 'verify', 'verify-result', 'lookup', 'lookup-done', 'report', 'report-done', 'error'] as const;
export type PageName = (typeof PAGES)[number];

/** The bug bounty's pages, in the same layout; their values come from the programme's configuration (bounty-pages.ts). */
export const BOUNTY_PAGES = [
  'bounty',
  'hall-of-fame',
  'researcher-sign-up',
  'researcher-verify',
  'researcher-sign-in',
  'researcher-notice',
  'researcher-reports',
  'researcher-new-report',
  'researcher-report',
  'researcher-totp',
  'researcher-reset',
  'researcher-new-password',
  'researcher-claim',
  'response-times',
  'disclosures',
  'disclosure',
] as const;
export type BountyPageName = (typeof BOUNTY_PAGES)[number];

/** Where each page is found by GET: what the language switcher links to, in each language. */
export const PAGE_PATHS: Readonly<Record<PageName | BountyPageName, string>> = {
  home: '/',
  incident: '/incidents/',
  verify: '/verify',
  'verify-result': '/verify',
  lookup: '/lookup',
  'lookup-done': '/lookup',
  report: '/report',
  'report-done': '/report',
  error: '/',
  bounty: '/bounty',
  'hall-of-fame': '/bounty/hall-of-fame',
  'researcher-sign-up': '/bounty/sign-up',
  'researcher-verify': '/bounty/verify',
  'researcher-sign-in': '/bounty/sign-in',
  'researcher-notice': '/bounty/reports',
  'researcher-reports': '/bounty/reports',
  'researcher-new-report': '/bounty/reports/new',
  'researcher-report': '/bounty/reports',
  'researcher-totp': '/bounty/reports',
  'researcher-reset': '/bounty/reset',
  'researcher-new-password': '/bounty/reset',
  'researcher-claim': '/bounty/claim',
  'response-times': '/bounty/response-times',
  disclosures: '/bounty/disclosures',
  disclosure: '/bounty/disclosures',
};

const sources = Object.fromEntries(
  readdirSync(PAGES_DIR)
    .filter((file) => file.endsWith('.liquid'))
    .map((file) => [file, readFileSync(`${PAGES_DIR}${file}`, 'utf8')]),
);

// The same engine settings as the notices: a misspelt variable fails (tests render every page in
// every locale), templates come from this folder only, and every `{{ value }}` is HTML-escaped.
const engine = new Liquid({ strictVariables: true, strictFilters: true, ownPropertyOnly: true, templates: sources, extname: '.liquid', outputEscape: 'escape' });
const parsed = new Map<PageName | BountyPageName, Template[]>([...PAGES, ...BOUNTY_PAGES].map((page) => [page, engine.parse(sources[`${page}.liquid`], `${page}.liquid`)]));

/** The shop's name as pages show it: its configured name, else its first domain, else "Customer help" in the page's language. */
export function shopName(config: Pick<Config, 'shop'>, words: Words): string {
  return config.shop.name ?? config.shop.domains[0] ?? (words.site as Record<string, string>).name_fallback;
}

/**
 * A page in `locale` (one the portal speaks), the portal's or the bounty's, with its own values;
 * the layout's come from the words (the portal's as `t`, the bounty's as `b`) and the
 * configuration. `path` is where the page is found, when not PAGE_PATHS' (an incident's page).
 */
export function renderPage(page: PageName | BountyPageName, locale: string, config: Pick<Config, 'shop'>, values: Record<string, unknown> = {}, path = PAGE_PATHS[page]): string {
  const words = PORTAL_WORDS.get(locale)!;
  const languages = [...PORTAL_WORDS].map(([tag, other]) => ({ tag, name: other.language_name, href: `${path}?lang=${tag}`, current: tag === locale }));
  return engine.renderSync(parsed.get(page)!, { ...values, t: words, b: BOUNTY_WORDS.get(locale)!, lang: locale, shop: shopName(config, words), logo: config.shop.logo !== undefined, languages });
}

/** A moment as the page's reader writes it, with its time zone: `3 December 2026 at 17:55 UTC`. */
export function formatInstant(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC';
}

/** What went wrong, as the error page tells it: the error's status and code, and its Retry-After. */
export interface PageError {
  status: number;
  code: string;
  retry_after?: number;
}

/** Error codes that have words of their own (`group.word` in portal.json); other errors are told by their status. */
const ERROR_WORDS: Readonly<Record<string, string>> = {
  NO_MESSAGE: 'error.no_message',
  TWO_MESSAGES: 'error.two_messages',
  BAD_REPLY_ADDRESS: 'error.bad_reply_address',
  CROSS_ORIGIN: 'error.cross_site',
  FORM_TOKEN_MISSING: 'form.invalid',
  FORM_TOKEN_INVALID: 'form.invalid',
  FORM_EXPIRED: 'form.expired',
};

/** The error page for a browser: the error in the visitor's words, never the API's English message or anything the request held. */
export function renderErrorPage(locale: string, config: Pick<Config, 'shop' | 'portal'>, error: PageError): string {
  // The bounty's forms' errors have their words by code, in bounty.json's errors.
  const bountyText = BOUNTY_WORDS.get(locale)?.errors?.[error.code.toLowerCase()];
  if (bountyText !== undefined) return renderPage('error', locale, config, { message: bountyText });
  const byStatus = error.status === 429 ? 'throttled' : error.status === 413 ? 'too_large' : error.status === 404 ? 'not_found' : error.status >= 500 ? 'failed' : 'invalid';
  const [group, word] = (ERROR_WORDS[error.code] ?? `error.${byStatus}`).split('.');
  const text = (PORTAL_WORDS.get(locale)![group] as Record<string, string>)[word];
  const minutes = String(Math.max(1, Math.ceil((error.retry_after ?? 60) / 60)));
  const size = new Intl.NumberFormat(locale, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(config.portal.report_limit / 2 ** 20);
  return renderPage('error', locale, config, { message: text.replace('{minutes}', minutes).replace('{size}', size) });
}
