import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { gatherFacts } from '../compliance/index.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { appendAudit, getIncident, narrativeFor, narrativeMissing, narrativesOf } from '../incidents/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { formatDate } from '../notices/index.ts';
import { parseFaq } from './faq.ts';
import { type PageContent, pagePath, renderIncidentPage } from './incident-page.ts';
import { PORTAL_WORDS, STATEMENTS } from './words.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Sets the FAQ an incident page shows in `locale` (Markdown, one heading per question), checked first; it shows once the page is published again. */
export async function setFaq(ctx: Context, incidentId: string, locale: string, source: string, file = `faq ${locale}`): Promise<{ incident_id: string; locale: string }> {
  const offered = portalLocale(locale);
  parseFaq(source, file);
  return ctx.db.transaction().execute(async (trx) => {
    const incident = await getIncident({ db: trx }, incidentId);
    const row = { incident_id: incident.id, locale: offered, source, updated_at: ctx.now().toISOString() };
    await trx
      .insertInto('portal_faqs')
      .values(row)
      .onConflict((conflict) => conflict.columns(['incident_id', 'locale']).doUpdateSet(row))
      .execute();
    await appendAudit(trx, ctx, incident.id, { action: 'portal.faq_set', details: { locale: offered } });
    return { incident_id: incident.id, locale: offered };
  });
}

/** `fr=faq.md` as the CLI takes it: a portal locale and a Markdown file, read and checked. */
export function readFaqFile(assignment: string): { locale: string; source: string; file: string } {
  const at = assignment.indexOf('=');
  if (at <= 0) throw invalidInput('BAD_FAQ', `--faq '${assignment}': write LOCALE=FILE, e.g. fr=faq.md`);
  const locale = portalLocale(assignment.slice(0, at).trim());
  const file = assignment.slice(at + 1);
  return { locale, source: readFaq(file), file };
}

/** An FAQ file's Markdown, read and checked. */
export function readFaq(file: string): string {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidInput('FAQ_UNREADABLE', `cannot read the FAQ file ${file} (${reasonOf(error)})`);
  }
  parseFaq(source, file);
  return source;
}

function portalLocale(tag: string): string {
  if (!PORTAL_WORDS.has(tag)) throw invalidInput('BAD_LOCALE', `'${tag}' is not a locale of the portal; it speaks ${[...PORTAL_WORDS.keys()].join(', ')}`);
  return tag;
}

export interface Publication {
  incident_id: string;
  slug: string;
  published_at: string;
  /** The page's path on the public listener. */
  path: string;
}

/**
 * Publishes the incident's page on the portal (again: what it says is taken anew), in every
 * portal locale: refuses a locale without a narrative saying what happened (NARRATIVE_MISSING,
 * naming the command), an incident whose scope found nobody (NOTHING_TO_PUBLISH), and a narrative
 * or FAQ that says a report was made when none is recorded as submitted. The page keeps its
 * address unless `slug` gives a new one.
 */
export async function publishPage(ctx: Context, incidentId: string, options: { slug?: string } = {}): Promise<Publication> {
  const incident = await getIncident(ctx, incidentId);
  if (options.slug !== undefined && !SLUG.test(options.slug)) {
    throw invalidInput('BAD_SLUG', `slug '${options.slug.slice(0, 80)}': use 1 to 64 small letters, digits and dashes, e.g. security-incident-2019`);
  }
  const narratives = await narrativesOf(ctx, incident.id);
  const faqs = new Map((await ctx.db.selectFrom('portal_faqs').select(['locale', 'source']).where('incident_id', '=', incident.id).execute()).map((row) => [row.locale, row.source]));
  const locales: PageContent['locales'] = {};
  for (const locale of PORTAL_WORDS.keys()) {
    const narrative = narrativeFor(narratives, locale);
    if (!narrative?.what_happened?.length) throw narrativeMissing(incident.id, locale);
    locales[locale] = { narrative, faq: faqs.get(locale) ?? null };
  }
  const facts = await gatherFacts(ctx, incident.id);
  if (facts.categories.exposed.length === 0) {
    throw new TocsinError('NOTHING_TO_PUBLISH', `incident ${incident.id}'s latest scope run found nobody affected, so its page would have nothing to say; scope it first`, {
      kind: 'conflict',
      next: { action: 'scope', incident_id: incident.id },
    });
  }
  const reportedTo = (facts.submitted_reports ?? []).map((report) => report.authority);
  if (reportedTo.length === 0) {
    for (const [locale, { narrative, faq }] of Object.entries(locales)) requireNoReportClaim(incident.id, locale, [...Object.values(narrative).flat(), faq ?? '']);
  }
  const existing = await ctx.db.selectFrom('portal_pages').select('slug').where('incident_id', '=', incident.id).executeTakeFirst();
  const slug = options.slug ?? existing?.slug ?? incident.id;
  const taken = await ctx.db.selectFrom('portal_pages').select('incident_id').where('slug', '=', slug).where('incident_id', '!=', incident.id).executeTakeFirst();
  if (taken) throw new TocsinError('SLUG_TAKEN', `another incident's page is published at /incidents/${slug}; choose another slug`, { kind: 'conflict' });
  const content: PageContent = {
    slug,
    published_at: ctx.now().toISOString(),
    occurred_from: incident.occurred_from,
    occurred_to: incident.occurred_to,
    discovered_at: incident.discovered_at ?? incident.aware_at,
    contact_email: incident.contact_email,
    contact_phone: incident.contact_phone,
    exposed: [...facts.categories.exposed],
    not_exposed: [...facts.categories.not_exposed],
    reported_to: reportedTo,
    locales,
  };
  // Rendered once here so that a page that cannot be shown is refused now, not on a customer's request.
  for (const locale of Object.keys(locales)) renderIncidentPage(content, locale, ctx.config);
  const row = { incident_id: incident.id, slug, published_at: content.published_at, content: JSON.stringify(content) };
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('portal_pages')
      .values(row)
      .onConflict((conflict) => conflict.column('incident_id').doUpdateSet(row))
      .execute();
    await appendAudit(trx, ctx, incident.id, { action: 'portal.published', details: { slug, locales: Object.keys(locales) } });
  });
  publishedOn(ctx.db).forget();
  return { incident_id: incident.id, slug, published_at: content.published_at, path: pagePath(slug) };
}

/** Where customers find a published page: under public_url when it is set, else its path on the public listener. */
export function publicationUrl(config: Pick<Config, 'public_url'>, publication: Pick<Publication, 'path'>): string {
  return config.public_url ? new URL(publication.path, config.public_url).toString() : publication.path;
}

/**
 * The incident's page as staff see it: where it is published (null when it is not) and, for every
 * portal locale, the FAQ set for it (null when none) and when; an FAQ set after the page was
 * published shows only once it is published again.
 */
export async function portalPageStatus(ctx: Pick<Context, 'db' | 'config'>, incidentId: string) {
  const incident = await getIncident(ctx, incidentId);
  const row = await ctx.db.selectFrom('portal_pages').select(['slug', 'published_at']).where('incident_id', '=', incident.id).executeTakeFirst();
  const faqs = await ctx.db.selectFrom('portal_faqs').select(['locale', 'source', 'updated_at']).where('incident_id', '=', incident.id).execute();
  const page = row ? { slug: row.slug, published_at: row.published_at, path: pagePath(row.slug) } : null;
  return {
    incident_id: incident.id,
    page: page ? { ...page, url: publicationUrl(ctx.config, page) } : null,
    faqs: [...PORTAL_WORDS.keys()].map((locale) => {
      const faq = faqs.find((candidate) => candidate.locale === locale);
      return { locale, faq: faq?.source ?? null, updated_at: faq?.updated_at ?? null };
    }),
  };
}

/** Takes the incident's page off the portal; true when it was published. */
export async function unpublishPage(ctx: Context, incidentId: string): Promise<{ incident_id: string; unpublished: boolean }> {
  const unpublished = await ctx.db.transaction().execute(async (trx) => {
    const incident = await getIncident({ db: trx }, incidentId);
    const result = await trx.deleteFrom('portal_pages').where('incident_id', '=', incident.id).executeTakeFirst();
    const removed = Number(result.numDeletedRows) > 0;
    if (removed) await appendAudit(trx, ctx, incident.id, { action: 'portal.unpublished', details: {} });
    return { incident_id: incident.id, unpublished: removed };
  });
  publishedOn(ctx.db).forget();
  return unpublished;
}

/** A page may not say the incident was reported before a report is recorded as submitted (the locale's statements.json, as for notices). */
function requireNoReportClaim(incidentId: string, locale: string, texts: string[]): void {
  const text = texts.join('\n').toLowerCase();
  const phrase = STATEMENTS.get(locale)?.reported_to?.find((candidate) => text.includes(candidate.toLowerCase()));
  if (phrase === undefined) return;
  throw new TocsinError(
    'UNRECORDED_STATEMENT',
    `the page in '${locale}' says '${phrase}', but no report of incident ${incidentId} is recorded as submitted; record it first, or take the sentence out of the narrative or FAQ`,
    { kind: 'conflict', next: { action: 'assess', incident_id: incidentId } },
  );
}

/**
 * The published pages as a server process holds them: read again at most once a second, so that
 * a page published or taken off by another process (the CLI, another server) shows within a
 * second, while a rush of visitors costs the database one query a second. Each page is rendered
 * once per publication, language and server configuration.
 */
class PublishedPages {
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<Map<string, PageContent>> | undefined;
  private bySlug = new Map<string, PageContent>();
  /** Each publication's renderings by language, for each server configuration. */
  private rendered = new WeakMap<Config, WeakMap<PageContent, Map<string, string>>>();
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  /** Read again on the next request: this process published or took off a page. */
  forget(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
    this.loading = undefined;
  }

  /** Every published page, newest first. */
  async pages(): Promise<Map<string, PageContent>> {
    // The machine's monotonic clock, not the context's (which tests and the demo may stop).
    if (performance.now() - this.loadedAt < RECHECK_MS) return this.bySlug;
    const loading = (this.loading ??= this.load());
    const loaded = await loading;
    if (this.loading === loading) {
      this.loading = undefined;
      this.bySlug = loaded;
      this.loadedAt = performance.now();
    }
    return loaded;
  }

  async page(slug: string, locale: string, config: Config): Promise<string | undefined> {
    const content = (await this.pages()).get(slug);
    if (!content) return undefined;
    let byContent = this.rendered.get(config);
    if (!byContent) this.rendered.set(config, (byContent = new WeakMap()));
    let byLocale = byContent.get(content);
    if (!byLocale) byContent.set(content, (byLocale = new Map()));
    let html = byLocale.get(locale);
    if (html === undefined) byLocale.set(locale, (html = renderIncidentPage(content, locale, config)));
    return html;
  }

  /** The pages as stored; one unchanged since the last read stays the same object, and so keeps its renderings. */
  private async load(): Promise<Map<string, PageContent>> {
    const rows = await this.db.selectFrom('portal_pages').select('content').orderBy('published_at', 'desc').execute();
    const previous = new Map([...this.bySlug.values()].map((content) => [stored.get(content), content]));
    return new Map(
      rows.map((row) => {
        const content = previous.get(row.content) ?? (JSON.parse(row.content) as PageContent);
        stored.set(content, row.content);
        return [content.slug, content];
      }),
    );
  }
}

/** Each page's content as the database holds it, to tell an unchanged page from one published anew. */
const stored = new WeakMap<PageContent, string>();
const RECHECK_MS = 1000;
const published = new WeakMap<Kysely<Tables>, PublishedPages>();

function publishedOn(db: Kysely<Tables>): PublishedPages {
  let pages = published.get(db);
  if (!pages) published.set(db, (pages = new PublishedPages(db)));
  return pages;
}

/** The published pages as the home page links to them, newest first: where each is and when it was published, in `locale`'s words. */
export async function incidentLinks(ctx: Pick<Context, 'db'>, locale: string): Promise<{ href: string; published: string }[]> {
  const words = PORTAL_WORDS.get(locale)!.incident as Record<string, string>;
  return [...(await publishedOn(ctx.db).pages()).values()].map((page) => ({
    href: pagePath(page.slug),
    published: words.published.replace('{date}', formatDate(page.published_at, locale, 'published')),
  }));
}

/** The published page at `slug` in `locale` (a portal locale), as HTML; undefined when none is published there. */
export function publishedPage(ctx: Pick<Context, 'db' | 'config'>, slug: string, locale: string): Promise<string | undefined> {
  return publishedOn(ctx.db).page(slug, locale, ctx.config);
}
