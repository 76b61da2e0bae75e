/**
 * Campaigns: reports clustered as one attacker's wave. A report's keys are the attacker's
 * domains (look-alikes, sender and link domains that are neither the shop's, a free mail
 * provider's nor a shared platform's), the URLs on them, its attachments' SHA-256 and the LSH
 * band keys of its text (src/lib/minhash.ts). Each key belongs to one campaign: a new report looks its
 * keys up and joins the campaign they lead to, starts one when none does, and merges them into
 * the oldest when they lead to several. Nothing is ever re-clustered as a whole.
 */
import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { parse as parseDomain } from 'tldts';
import type { Context } from '../context.ts';
import type { Dialect, Tables } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { randomReference } from '../lib/reference.ts';
import type { Analysis, Verdict } from './analyze.ts';

/** The verdicts whose reports are clustered: a genuine notice, spam or an unreadable message is nobody's wave. */
const CLUSTERED: readonly Verdict[] = ['phishing', 'suspicious'];
const LOOKUP_CHUNK = 500;
const VIEW_URLS = 50;

export type CampaignKeyKind = 'domain' | 'url' | 'attachment' | 'text';

export interface CampaignKey {
  kind: CampaignKeyKind;
  value: string;
}

/** A domain's registrable part in ASCII (IDNs as punycode), or null for what is no domain under a public suffix. */
export function registrable(domain: string): string | null {
  const ascii = domainToASCII(domain);
  const found = ascii ? parseDomain(ascii, { allowPrivateDomains: true }).domain : null;
  return found && /^[a-z0-9.-]+$/.test(found) ? found : null;
}

const require = createRequire(import.meta.url);
let freeMail: ReadonlySet<string> | undefined;

/** Free mail providers' domains (never a campaign's key): read when first needed, as the list holds ~11 MB of heap. */
function freeMailDomains(): ReadonlySet<string> {
  freeMail ??= (require('free-email-domains-list/build/src/constants.js') as { DOMAINS: ReadonlySet<string> }).DOMAINS;
  return freeMail;
}

/** The keys a report is clustered by; domains in registrable form. */
export function campaignKeys(analysis: Analysis, shopDomains: readonly string[], sharedDomains: readonly string[]): CampaignKey[] {
  const shop = new Set(shopDomains.map(registrable));
  const shared = new Set(sharedDomains);
  const attackers = new Set<string>();
  for (const found of analysis.lookalikes) {
    const domain = registrable(found.domain);
    if (domain) attackers.add(domain);
  }
  for (const seen of [...(analysis.sender_domains ?? []), ...analysis.link_domains]) {
    const domain = registrable(seen);
    if (domain && !shop.has(domain) && !shared.has(domain) && !freeMailDomains().has(domain)) attackers.add(domain);
  }
  const keys: CampaignKey[] = [...attackers].sort().map((value) => ({ kind: 'domain', value }));
  for (const link of analysis.links ?? []) {
    const host = URL.canParse(link) ? new URL(link).hostname : null;
    const domain = host ? registrable(host) : null;
    if (domain && attackers.has(domain)) keys.push({ kind: 'url', value: link });
  }
  for (const hash of analysis.attachments ?? []) keys.push({ kind: 'attachment', value: hash });
  for (const band of analysis.text_bands ?? []) keys.push({ kind: 'text', value: band });
  return keys;
}

const keyOf = (key: CampaignKey) => `${key.kind}:${key.value}`;

interface CampaignRow {
  id: string;
  first_seen: string;
  last_seen: string;
  report_count: number;
  verdict: string;
  sample_reference: string | null;
  sample_score: number;
  merged_into: string | null;
}

/** phishing outranks suspicious. */
function worse(a: string, b: string): string {
  return a === 'phishing' || b === 'phishing' ? 'phishing' : a;
}

/**
 * Puts an analysed report in its campaign, inside the transaction that saved its analysis;
 * returns the campaign's id, or null for a report that is not clustered. A report analysed again
 * keeps its campaign and adds its keys to it. On PostgreSQL the assignments of concurrent workers
 * take turns (a transaction lock), so two reports of one wave cannot start two campaigns.
 */
export async function assignCampaign(trx: Kysely<Tables>, dialect: Dialect, report: { reference: string; received_at: string }, analysis: Analysis, keys: readonly CampaignKey[]): Promise<string | null> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('tocsin.phishing_campaigns'))`.execute(trx);
  const current = await trx.selectFrom('phishing_campaign_reports').select('campaign_id').where('reference', '=', report.reference).executeTakeFirst();
  if (!CLUSTERED.includes(analysis.verdict)) return current?.campaign_id ?? null;

  const ids = new Set<string>(current ? [current.campaign_id] : []);
  const names = [...new Set(keys.map(keyOf))];
  for (let i = 0; i < names.length; i += LOOKUP_CHUNK) {
    const rows = await trx.selectFrom('phishing_campaign_keys').select('campaign_id').distinct().where('key', 'in', names.slice(i, i + LOOKUP_CHUNK)).execute();
    for (const row of rows) ids.add(row.campaign_id);
  }
  const found = ids.size === 0 ? [] : ((await trx.selectFrom('phishing_campaigns').selectAll().where('id', 'in', [...ids]).execute()) as CampaignRow[]);
  found.sort((a, b) => a.first_seen.localeCompare(b.first_seen) || a.id.localeCompare(b.id));

  let campaign: CampaignRow;
  if (found.length === 0) {
    campaign = { id: randomReference('PC', 3), first_seen: report.received_at, last_seen: report.received_at, report_count: 0, verdict: analysis.verdict, sample_reference: report.reference, sample_score: analysis.score, merged_into: null };
    await trx.insertInto('phishing_campaigns').values(campaign).execute();
  } else {
    campaign = { ...found[0] };
    const merged = found.slice(1);
    if (merged.length > 0) {
      const others = merged.map((row) => row.id);
      await trx.updateTable('phishing_campaign_keys').set({ campaign_id: campaign.id }).where('campaign_id', 'in', others).execute();
      await trx.updateTable('phishing_campaign_reports').set({ campaign_id: campaign.id }).where('campaign_id', 'in', others).execute();
      // Pointers to a merged campaign lead on to the survivor in one step.
      await trx.updateTable('phishing_campaigns').set({ merged_into: campaign.id }).where((eb) => eb.or([eb('id', 'in', others), eb('merged_into', 'in', others)])).execute();
      for (const row of merged) {
        campaign.report_count += Number(row.report_count);
        if (row.last_seen > campaign.last_seen) campaign.last_seen = row.last_seen;
        campaign.verdict = worse(campaign.verdict, row.verdict);
        if (Number(row.sample_score) > Number(campaign.sample_score)) Object.assign(campaign, { sample_reference: row.sample_reference, sample_score: row.sample_score });
      }
    }
  }
  if (!current) {
    await trx.insertInto('phishing_campaign_reports').values({ reference: report.reference, campaign_id: campaign.id }).execute();
    campaign.report_count = Number(campaign.report_count) + 1;
    if (report.received_at < campaign.first_seen) campaign.first_seen = report.received_at;
    if (report.received_at > campaign.last_seen) campaign.last_seen = report.received_at;
  }
  campaign.verdict = worse(campaign.verdict, analysis.verdict);
  if (analysis.score > Number(campaign.sample_score)) Object.assign(campaign, { sample_reference: report.reference, sample_score: analysis.score });
  const { id, ...aggregates } = campaign;
  await trx.updateTable('phishing_campaigns').set({ ...aggregates, report_count: Number(aggregates.report_count), sample_score: Number(aggregates.sample_score) }).where('id', '=', id).execute();
  const values = [...new Map(keys.map((key) => [keyOf(key), { key: keyOf(key), kind: key.kind, campaign_id: id, first_seen: report.received_at }])).values()];
  for (let i = 0; i < values.length; i += LOOKUP_CHUNK) await trx.insertInto('phishing_campaign_keys').values(values.slice(i, i + LOOKUP_CHUNK)).onConflict((conflict) => conflict.column('key').doNothing()).execute();
  return id;
}

/** A campaign on the wire. */
export interface CampaignView {
  id: string;
  first_seen: string;
  last_seen: string;
  report_count: number;
  verdict: string;
  /** The attacker's registrable domains, in the order first seen. */
  domains: string[];
  /** The first URLs seen on them (url_count in all). */
  urls: string[];
  url_count: number;
  /** The report that shows the campaign best: its id, subject and plain-text preview. */
  sample: { id: string; subject: string; preview: string; score: number } | null;
}

function campaignNotFound(id: string): TocsinError {
  return new TocsinError('CAMPAIGN_NOT_FOUND', `no phishing campaign ${id}`, { kind: 'not_found', next: { action: 'list_phishing_campaigns' } });
}

async function campaignViews(ctx: Context, rows: CampaignRow[]): Promise<CampaignView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const keys = await ctx.db
    .selectFrom('phishing_campaign_keys')
    .select(['campaign_id', 'kind', 'key'])
    .where('campaign_id', 'in', ids)
    .where('kind', 'in', ['domain', 'url'])
    .orderBy('first_seen')
    .orderBy('key')
    .execute();
  const samples = rows.map((row) => row.sample_reference).filter((reference): reference is string => reference !== null);
  const analyses = samples.length === 0 ? [] : await ctx.db.selectFrom('phishing_analyses').select(['reference', 'analysis']).where('reference', 'in', samples).execute();
  const sampleOf = new Map(analyses.map((row) => [row.reference, JSON.parse(row.analysis) as Analysis]));
  return rows.map((row) => {
    const own = keys.filter((key) => key.campaign_id === row.id);
    const urls = own.filter((key) => key.kind === 'url').map((key) => key.key.slice('url:'.length));
    const sample = row.sample_reference ? sampleOf.get(row.sample_reference) : undefined;
    return {
      id: row.id,
      first_seen: row.first_seen,
      last_seen: row.last_seen,
      report_count: Number(row.report_count),
      verdict: row.verdict,
      domains: own.filter((key) => key.kind === 'domain').map((key) => key.key.slice('domain:'.length)),
      urls: urls.slice(0, VIEW_URLS),
      url_count: urls.length,
      sample: sample && row.sample_reference ? { id: row.sample_reference, subject: sample.subject, preview: sample.preview, score: sample.score } : null,
    };
  });
}

/** The campaigns, the latest active first. */
export async function listCampaigns(ctx: Context, options: { verdict?: string; limit?: number } = {}): Promise<CampaignView[]> {
  const rows = await ctx.db
    .selectFrom('phishing_campaigns')
    .selectAll()
    .where('merged_into', 'is', null)
    .$if(options.verdict !== undefined, (query) => query.where('verdict', '=', options.verdict!))
    .orderBy('last_seen', 'desc')
    .orderBy('id')
    .limit(options.limit ?? 1000)
    .execute();
  return campaignViews(ctx, rows as CampaignRow[]);
}

/** A campaign's row by its id, or by the id of a campaign merged into it. */
export async function campaignRow(ctx: Context, id: string): Promise<CampaignRow> {
  const wanted = id.trim().toUpperCase();
  const row = (await ctx.db.selectFrom('phishing_campaigns').selectAll().where('id', '=', wanted).executeTakeFirst()) as CampaignRow | undefined;
  if (!row) throw campaignNotFound(id);
  if (row.merged_into === null) return row;
  return (await ctx.db.selectFrom('phishing_campaigns').selectAll().where('id', '=', row.merged_into).executeTakeFirstOrThrow()) as CampaignRow;
}

/** One campaign with its reports (newest first). */
export async function getCampaign(ctx: Context, id: string): Promise<CampaignView & { reports: { id: string; received_at: string; verdict: string | null; score: number | null; triage: string }[] }> {
  const row = await campaignRow(ctx, id);
  const [view] = await campaignViews(ctx, [row]);
  const reports = await ctx.db
    .selectFrom('phishing_campaign_reports')
    .innerJoin('phishing_reports', 'phishing_reports.reference', 'phishing_campaign_reports.reference')
    .leftJoin('phishing_analyses', 'phishing_analyses.reference', 'phishing_campaign_reports.reference')
    .select(['phishing_reports.reference', 'phishing_reports.received_at', 'phishing_reports.triage', 'phishing_analyses.verdict', 'phishing_analyses.score'])
    .where('phishing_campaign_reports.campaign_id', '=', row.id)
    .orderBy('phishing_reports.received_at', 'desc')
    .orderBy('phishing_reports.reference')
    .limit(1000)
    .execute();
  return { ...view, reports: reports.map((report) => ({ id: report.reference, received_at: report.received_at, verdict: report.verdict, score: report.score === null ? null : Number(report.score), triage: report.triage })) };
}
