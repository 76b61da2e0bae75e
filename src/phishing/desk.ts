/**
 * The phishing desk's shell: messages in (files, mbox, directories, the portal's stored
 * reports), each analysed by analyzeMessage with the installation's DNS, clock, shop domains,
 * notices and bait hashes, and the analysis kept beside the report. Nothing here logs a
 * message's content or an address.
 */
import { Resolver as DnsResolver } from 'node:dns/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.ts';
import type { Category } from '../domain/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { loadSecret } from '../lib/secret.ts';
import { splitMessages } from '../mail/index.ts';
import { verifyNotice } from '../notices/index.ts';
import { keepReport } from '../portal/index.ts';
import { analyzeMessage, type Analysis, type DeskDependencies, type Resolver } from './analyze.ts';
import { BAIT_FIELDS, baitHash, type BaitField, recordTokens } from './bait.ts';
import { assignCampaign, campaignKeys } from './campaigns.ts';
import { lookalikeIndex, type LookalikeIndex, type LookalikeKind } from './lookalike.ts';
import type { TriageState } from './triage.ts';

/** Record categories a phish may quote, as the bait fields they become. */
const BAIT_OF_CATEGORY: Partial<Record<Category, BaitField>> = { name: 'name', phone: 'phone', postal_address: 'postal_address', device_id: 'imei', order_history: 'order_number' };
const LOOKUP_CHUNK = 500;
const INSERT_CHUNK = 500;

/** The resolver of phishing.dns_servers, or the system's. */
export function deskResolver(servers: readonly string[]): Resolver {
  const resolver = new DnsResolver({ timeout: 3_000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return (name, rrtype) => resolver.resolve(name, rrtype as 'TXT');
}

/** Countries to read phone numbers as, at most: each costs a pass over every message. */
const MAX_PHONE_COUNTRIES = 30;

/**
 * (Re)builds the bait hashes of every incident whose records changed since its last build (a
 * newer import, a purge): what the analyses look leaked data up in. Staleness is read from the
 * imports and purges, a few rows per incident, never from the records themselves.
 */
export async function refreshBait(ctx: Context): Promise<{ incident: string; tokens: number }[]> {
  const imports = await ctx.db.selectFrom('imports').select((eb) => ['incident_id', eb.fn.max('id').as('last_import')]).groupBy('incident_id').execute();
  const purges = new Map((await ctx.db.selectFrom('purges').select((eb) => ['incident_id', eb.fn.max('purge').as('last_purge')]).groupBy('incident_id').execute()).map((row) => [row.incident_id, Number(row.last_purge)]));
  const builds = new Map((await ctx.db.selectFrom('phishing_bait_builds').select(['incident_id', 'last_import', 'last_purge']).execute()).map((row) => [row.incident_id, row]));
  const hashKey = loadSecret(ctx.dataDir, ctx.config);
  const rebuilt: { incident: string; tokens: number }[] = [];
  for (const row of imports) {
    const lastImport = Number(row.last_import);
    const lastPurge = purges.get(row.incident_id) ?? 0;
    const built = builds.get(row.incident_id);
    if (built && Number(built.last_import) === lastImport && Number(built.last_purge) === lastPurge) continue;
    const records = await ctx.db.selectFrom('records').select(['key', 'country', 'fields']).where('incident_id', '=', row.incident_id).execute();
    const tokens = new Map<string, BaitField>();
    const countries = new Map<string, number>();
    const add = (field: BaitField, value: unknown, country: string | null) => {
      if (typeof value !== 'string' || value === '') return;
      for (const token of recordTokens(field, value, country)) tokens.set(`${baitHash(hashKey, token)}\0${field}`, field);
    };
    for (const record of records) {
      const fields = JSON.parse(record.fields) as Record<string, unknown>;
      for (const [category, field] of Object.entries(BAIT_OF_CATEGORY)) add(field, fields[category], record.country);
      add('order_number', record.key, null);
      if (record.country) countries.set(record.country, (countries.get(record.country) ?? 0) + 1);
    }
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('phishing_bait_tokens').where('incident_id', '=', row.incident_id).execute();
      const values = [...tokens].map(([key, field]) => ({ hash: key.slice(0, key.indexOf('\0')), incident_id: row.incident_id, field }));
      // Two workers may rebuild the same incident at once: the second's rows are the same rows.
      for (let i = 0; i < values.length; i += INSERT_CHUNK) await trx.insertInto('phishing_bait_tokens').values(values.slice(i, i + INSERT_CHUNK)).onConflict((conflict) => conflict.doNothing()).execute();
      const mostFirst = [...countries].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([country]) => country);
      const build = { built_at: ctx.now().toISOString(), last_import: lastImport, last_purge: lastPurge, records: records.length, countries: JSON.stringify(mostFirst.slice(0, MAX_PHONE_COUNTRIES)) };
      await trx.insertInto('phishing_bait_builds').values({ incident_id: row.incident_id, ...build }).onConflict((conflict) => conflict.column('incident_id').doUpdateSet(build)).execute();
    });
    ctx.logger.info({ incident: row.incident_id, tokens: tokens.size }, 'phishing bait hashes built');
    rebuilt.push({ incident: row.incident_id, tokens: tokens.size });
  }
  return rebuilt;
}

/** The look-alike index of each configuration's shop domains, built once: it holds every permutation of each shop name. */
const lookalikeIndexes = new WeakMap<readonly string[], LookalikeIndex>();

function shopLookalikes(domains: readonly string[]): LookalikeIndex {
  const kept = lookalikeIndexes.get(domains) ?? lookalikeIndex(domains);
  lookalikeIndexes.set(domains, kept);
  return kept;
}

/** What analyzeMessage needs, from this installation. */
export async function deskDependencies(ctx: Context, resolver: Resolver = deskResolver(ctx.config.phishing.dns_servers)): Promise<DeskDependencies> {
  await refreshBait(ctx);
  const hashKey = loadSecret(ctx.dataDir, ctx.config);
  const builds = await ctx.db.selectFrom('phishing_bait_builds').select('countries').orderBy('incident_id').execute();
  const countries = [...new Set(builds.flatMap((build) => JSON.parse(build.countries) as string[]))].slice(0, MAX_PHONE_COUNTRIES);
  return {
    resolver,
    now: ctx.now,
    shopDomains: ctx.config.shop.domains,
    lookalikes: shopLookalikes(ctx.config.shop.domains),
    trustedAuthservIds: ctx.config.phishing.trusted_authserv_ids,
    isNoticeCode: async (code, address) => (await verifyNotice(ctx, code, address)).genuine,
    findLeaked: async (tokens) => {
      const hashes = [...tokens].map((token) => baitHash(hashKey, token));
      const found = new Map<string, Set<BaitField>>();
      for (let i = 0; i < hashes.length; i += LOOKUP_CHUNK) {
        const rows = await ctx.db.selectFrom('phishing_bait_tokens').select(['incident_id', 'field']).where('hash', 'in', hashes.slice(i, i + LOOKUP_CHUNK)).execute();
        for (const row of rows) {
          if (!found.has(row.incident_id)) found.set(row.incident_id, new Set());
          found.get(row.incident_id)?.add(row.field as BaitField);
        }
      }
      return [...found].sort(([a], [b]) => a.localeCompare(b)).map(([incident, fields]) => ({ incident, fields: BAIT_FIELDS.filter((field) => fields.has(field)) }));
    },
    phoneCountries: countries,
  };
}

/** A report and its analysis on the wire: what `tocsin phishing import --json` prints for each message. */
export interface ReportView {
  id: string;
  received_at: string;
  received_as: string;
  size: number;
  sha256: string;
  verdict: Analysis['verdict'] | null;
  score: number | null;
  reasons: Analysis['reasons'];
  auth: Analysis['auth'];
  lookalikes: Analysis['lookalikes'];
  leaked: Analysis['leaked'];
  forward: Analysis['forward'] | null;
  subject: string | null;
  preview: string | null;
  link_domains: string[];
  analyzed_at: string | null;
  /** The campaign the report was clustered into (phishing and suspicious reports), or null. */
  campaign: string | null;
  /** Staff's triage: new until someone sets it. */
  triage: TriageState;
}

interface ReportRow {
  reference: string;
  received_at: string;
  received_as: string;
  size: number;
  sha256: string;
  campaign_id: string | null;
  triage: string;
}

function reportView(row: ReportRow, analysis: Analysis | null): ReportView {
  return {
    id: row.reference,
    received_at: row.received_at,
    received_as: row.received_as,
    size: Number(row.size),
    sha256: row.sha256,
    verdict: analysis?.verdict ?? null,
    score: analysis?.score ?? null,
    reasons: analysis?.reasons ?? [],
    auth: analysis?.auth ?? null,
    lookalikes: analysis?.lookalikes ?? [],
    leaked: analysis?.leaked ?? [],
    forward: analysis?.forward ?? null,
    subject: analysis?.subject ?? null,
    preview: analysis?.preview ?? null,
    link_domains: analysis?.link_domains ?? [],
    analyzed_at: analysis?.analyzed_at ?? null,
    campaign: row.campaign_id,
    triage: row.triage as TriageState,
  };
}

/** Keeps a report's analysis and puts the report in its campaign, in one transaction. */
async function saveAnalysis(ctx: Context, reference: string, analysis: Analysis): Promise<void> {
  const keys = campaignKeys(analysis, ctx.config.shop.domains, ctx.config.phishing.shared_domains);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('phishing_analyses').where('reference', '=', reference).execute();
    await trx.insertInto('phishing_analyses').values({ reference, analyzed_at: analysis.analyzed_at, verdict: analysis.verdict, score: analysis.score, analysis: JSON.stringify(analysis) }).execute();
    const report = await trx.selectFrom('phishing_reports').select(['reference', 'received_at']).where('reference', '=', reference).executeTakeFirstOrThrow();
    await assignCampaign(trx, ctx.dialect, report, analysis, keys);
  });
}

/** The .eml and mbox files a list of paths names: files as given, directories' files (not their subdirectories'). */
function messageFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      throw invalidInput('PHISHING_FILE_UNREADABLE', `cannot read ${path} (${reasonOf(error)}); give .eml or mbox files, or a directory of them`);
    }
    if (!isDirectory) files.push(path);
    else for (const entry of readdirSync(path, { withFileTypes: true }).filter((entry) => entry.isFile()).sort((a, b) => a.name.localeCompare(b.name))) files.push(join(path, entry.name));
  }
  return files;
}

/**
 * Imports messages (`.eml` files, mbox files, directories of them), each kept as a report and
 * analysed. `onReport` gets each as it is done, so a long import prints as it goes.
 */
export async function importMessages(ctx: Context, paths: readonly string[], onReport: (view: ReportView) => void, deps?: DeskDependencies): Promise<number> {
  if (paths.length === 0) throw invalidInput('PHISHING_NO_FILES', 'give .eml or mbox files, or directories of them: tocsin phishing import FILE…');
  const files = messageFiles(paths);
  const desk = deps ?? (await deskDependencies(ctx));
  let count = 0;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw invalidInput('PHISHING_FILE_UNREADABLE', `cannot read ${file} (${reasonOf(error)})`);
    }
    count += await importFile(ctx, bytes, desk, onReport);
  }
  ctx.logger.info({ files: files.length, messages: count }, 'phishing messages imported');
  return count;
}

/** Imports the messages of one file's bytes (an .eml, an mbox): each kept as a report, analysed and handed to `onReport`. */
export async function importFile(ctx: Context, file: Buffer, desk: DeskDependencies, onReport: (view: ReportView) => void): Promise<number> {
  let count = 0;
  for (const message of splitMessages(file)) {
    if (message.byteLength === 0) continue;
    const { reference } = await keepReport(ctx, message, 'imported', null);
    const analysis = await analyzeMessage(message, desk);
    await saveAnalysis(ctx, reference, analysis);
    const [view] = await listReports(ctx, { reference });
    onReport(view);
    count++;
  }
  return count;
}

/** Analyses one stored report (again, if it was): what the portal's `phishing_analysis` job does with each report it receives. */
export async function analyzeReport(ctx: Context, reference: string, deps?: DeskDependencies): Promise<Analysis> {
  const row = await ctx.db.selectFrom('phishing_reports').select('message').where('reference', '=', reference).executeTakeFirst();
  if (!row) throw reportNotFound(reference);
  const analysis = await analyzeMessage(row.message, deps ?? (await deskDependencies(ctx)));
  await saveAnalysis(ctx, reference, analysis);
  return analysis;
}

/** Analyses the reports that have no analysis yet (the portal's, as they come), oldest first; returns how many. */
export async function analyzePendingReports(ctx: Context, deps?: DeskDependencies): Promise<number> {
  const pending = await ctx.db
    .selectFrom('phishing_reports')
    .leftJoin('phishing_analyses', 'phishing_analyses.reference', 'phishing_reports.reference')
    .select('phishing_reports.reference')
    .where('phishing_analyses.reference', 'is', null)
    .orderBy('phishing_reports.received_at')
    .execute();
  if (pending.length === 0) return 0;
  const desk = deps ?? (await deskDependencies(ctx));
  for (const { reference } of pending) await analyzeReport(ctx, reference, desk);
  ctx.logger.info({ reports: pending.length }, 'phishing reports analysed');
  return pending.length;
}

/** The reports with their analyses, newest first. */
export async function listReports(ctx: Context, options: { verdict?: string; triage?: TriageState; limit?: number; reference?: string } = {}): Promise<ReportView[]> {
  let query = ctx.db
    .selectFrom('phishing_reports')
    .leftJoin('phishing_analyses', 'phishing_analyses.reference', 'phishing_reports.reference')
    .leftJoin('phishing_campaign_reports', 'phishing_campaign_reports.reference', 'phishing_reports.reference')
    .select(['phishing_reports.reference', 'phishing_reports.received_at', 'phishing_reports.received_as', 'phishing_reports.size', 'phishing_reports.sha256', 'phishing_reports.triage', 'phishing_campaign_reports.campaign_id', 'phishing_analyses.analysis'])
    .orderBy('phishing_reports.received_at', 'desc')
    .orderBy('phishing_reports.reference')
    .limit(options.limit ?? 1000);
  if (options.reference !== undefined) query = query.where('phishing_reports.reference', '=', options.reference);
  if (options.verdict !== undefined) query = query.where('phishing_analyses.verdict', '=', options.verdict);
  if (options.triage !== undefined) query = query.where('phishing_reports.triage', '=', options.triage);
  const rows = await query.execute();
  return rows.map((row) => reportView(row, row.analysis ? (JSON.parse(row.analysis) as Analysis) : null));
}

export function reportNotFound(reference: string): TocsinError {
  return new TocsinError('REPORT_NOT_FOUND', `no phishing report ${reference}`, { kind: 'not_found', next: { action: 'list_phishing_reports' } });
}

/** One report with its analysis. */
export async function getReport(ctx: Context, reference: string): Promise<ReportView> {
  const [view] = await listReports(ctx, { reference: reference.trim().toUpperCase() });
  if (!view) throw reportNotFound(reference);
  return view;
}

/** A look-alike of the shop's domains as the reports show it: what it imitates and how, where in the messages, how often and when. */
export interface LookalikeSeen {
  domain: string;
  imitates: string;
  kinds: LookalikeKind[];
  /** Where in the messages it was seen: from, reply-to, return-path, received, link. */
  seen_in: string[];
  report_count: number;
  first_seen: string;
  last_seen: string;
  /** The campaigns of the reports that show it. */
  campaigns: string[];
}

/** Every look-alike domain the analysed reports show, the latest seen first. */
export async function listLookalikes(ctx: Context): Promise<LookalikeSeen[]> {
  const rows = await ctx.db
    .selectFrom('phishing_analyses')
    .innerJoin('phishing_reports', 'phishing_reports.reference', 'phishing_analyses.reference')
    .leftJoin('phishing_campaign_reports', 'phishing_campaign_reports.reference', 'phishing_analyses.reference')
    .select(['phishing_reports.received_at', 'phishing_campaign_reports.campaign_id', 'phishing_analyses.analysis'])
    .execute();
  const seen = new Map<string, { domain: string; imitates: string; kinds: Set<LookalikeKind>; seen_in: Set<string>; report_count: number; first_seen: string; last_seen: string; campaigns: Set<string> }>();
  for (const row of rows) {
    const { lookalikes } = JSON.parse(row.analysis) as Analysis;
    for (const found of lookalikes) {
      const key = `${found.domain}\0${found.imitates}`;
      const entry = seen.get(key) ?? { domain: found.domain, imitates: found.imitates, kinds: new Set(), seen_in: new Set(), report_count: 0, first_seen: row.received_at, last_seen: row.received_at, campaigns: new Set() };
      for (const kind of found.kinds) entry.kinds.add(kind);
      for (const where of found.seen_in) entry.seen_in.add(where);
      entry.report_count++;
      if (row.received_at < entry.first_seen) entry.first_seen = row.received_at;
      if (row.received_at > entry.last_seen) entry.last_seen = row.received_at;
      if (row.campaign_id) entry.campaigns.add(row.campaign_id);
      seen.set(key, entry);
    }
  }
  return [...seen.values()]
    .map((entry) => ({ ...entry, kinds: [...entry.kinds].sort(), seen_in: [...entry.seen_in].sort(), campaigns: [...entry.campaigns].sort() }))
    .sort((a, b) => b.last_seen.localeCompare(a.last_seen) || a.domain.localeCompare(b.domain) || a.imitates.localeCompare(b.imitates));
}
