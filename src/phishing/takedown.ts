/**
 * What the shop sends to get a campaign's domains taken down: a pack per campaign (JSON) with,
 * for each of the attacker's domains, the evidence a registrar's or host's abuse desk asks for
 * (URLs, when the messages came, their authentication results, the relevant headers) and a
 * plain-text abuse report ready to send; and the watch list of every campaign's domains and URLs,
 * as CSV and as a STIX 2.1 bundle. The reporters' addresses never appear: the analyses keep the
 * headers with the recipients replaced, and nothing else of a message is used.
 */
import type { Context } from '../context.ts';
import { defang } from '../domain/index.ts';
import { CONTROL_CHARACTERS } from '../lib/control-characters.ts';
import { csvLine } from '../lib/csv.ts';
import type { Analysis, MessageAuth } from './analyze.ts';
import { campaignRow, registrable } from './campaigns.ts';
import { stixBundle, type StixBundle, type WatchedCampaign } from './stix.ts';

/** Messages quoted in full per domain: the newest; the counts cover all. */
const EVIDENCE_MESSAGES = 5;
const MEMBER_CHUNK = 500;

export interface TakedownEvidence {
  report: string;
  received_at: string;
  subject: string;
  auth: Pick<MessageAuth, 'spf' | 'dkim' | 'dmarc' | 'arc' | 'source' | 'computed_at'> | null;
  headers: { name: string; value: string }[];
}

export interface TakedownDomain {
  domain: string;
  /** The shop domains it imitates, and how. */
  imitates: { domain: string; kinds: string[] }[];
  /** Where the messages used it: sender (From, Reply-To, Return-Path), link, relay (a Received host). */
  seen_in: string[];
  reports: number;
  first_seen: string;
  last_seen: string;
  urls: string[];
  evidence: TakedownEvidence[];
  /** The abuse report to send, as plain text. */
  abuse_report: string;
}

export interface TakedownPack {
  campaign: { id: string; first_seen: string; last_seen: string; report_count: number; verdict: string };
  generated_at: string;
  domains: TakedownDomain[];
}

/** A value from a message, as a line of a plain-text report: no control characters, no line breaks. */
function line(value: string): string {
  return value.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

/** Who the reports and the bundle speak for: the shop's name, else its first domain. */
function shopName(ctx: Context): string {
  return ctx.config.shop.name ?? ctx.config.shop.domains[0] ?? 'the shop';
}

/** The plain-text abuse report of one domain. */
export function abuseReport(shopName: string, campaignId: string, entry: Omit<TakedownDomain, 'abuse_report'>): string {
  const lines = [
    `Subject: Phishing abuse report: ${entry.domain}`,
    '',
    `To the abuse team responsible for ${entry.domain},`,
    '',
    `Customers of ${line(shopName)} have reported phishing messages that use the domain ${entry.domain}.`,
    ...entry.imitates.map((found) => `The domain imitates ${found.domain} (${found.kinds.join(', ')}).`),
    'Please suspend the domain and remove the content it serves.',
    '',
    `Reference: ${campaignId}`,
    `Messages reported: ${entry.reports}, from ${entry.first_seen} to ${entry.last_seen} (UTC)`,
    `Used in: ${entry.seen_in.join(', ')}`,
  ];
  if (entry.urls.length > 0) lines.push('', 'URLs (defanged):', ...entry.urls.map((url) => `  ${line(defang(url))}`));
  for (const message of entry.evidence) {
    lines.push('', `Message received ${message.received_at}: ${line(message.subject) || '(no subject)'}`);
    if (message.auth) lines.push(`  Authentication: spf=${message.auth.spf} dkim=${message.auth.dkim} dmarc=${message.auth.dmarc} arc=${message.auth.arc} (${message.auth.source === 'computed' ? `checked by us at ${message.auth.computed_at}` : `as found by ${line(message.auth.source)}`})`);
    for (const header of message.headers) lines.push(`  ${line(header.name)}: ${line(header.value)}`);
  }
  lines.push('', 'The recipients\' addresses are withheld to protect them.', `${line(shopName)}`, '');
  return lines.join('\n');
}

/** The takedown pack of a campaign (or of the campaign it was merged into). */
export async function takedownPack(ctx: Context, campaignId: string): Promise<TakedownPack> {
  const campaign = await campaignRow(ctx, campaignId);
  const domainKeys = await ctx.db.selectFrom('phishing_campaign_keys').select('key').where('campaign_id', '=', campaign.id).where('kind', '=', 'domain').orderBy('first_seen').orderBy('key').execute();
  const domains = new Map<string, Omit<TakedownDomain, 'abuse_report'> & { imitated: Map<string, Set<string>>; where: Set<string>; urlSet: Set<string> }>();
  for (const { key } of domainKeys) {
    const domain = key.slice('domain:'.length);
    domains.set(domain, { domain, imitates: [], seen_in: [], reports: 0, first_seen: '', last_seen: '', urls: [], evidence: [], imitated: new Map(), where: new Set(), urlSet: new Set() });
  }
  const members = await ctx.db.selectFrom('phishing_campaign_reports').select('reference').where('campaign_id', '=', campaign.id).execute();
  for (let i = 0; i < members.length; i += MEMBER_CHUNK) {
    const rows = await ctx.db
      .selectFrom('phishing_analyses')
      .innerJoin('phishing_reports', 'phishing_reports.reference', 'phishing_analyses.reference')
      .select(['phishing_reports.reference', 'phishing_reports.received_at', 'phishing_analyses.analysis'])
      .where('phishing_analyses.reference', 'in', members.slice(i, i + MEMBER_CHUNK).map((member) => member.reference))
      .execute();
    for (const row of rows) {
      const analysis = JSON.parse(row.analysis) as Analysis;
      const used = new Map<string, Set<string>>();
      const use = (domain: string, where: string) => {
        const name = registrable(domain);
        if (name && domains.has(name)) used.set(name, (used.get(name) ?? new Set()).add(where));
      };
      for (const domain of analysis.sender_domains ?? []) use(domain, 'sender');
      for (const domain of analysis.link_domains) use(domain, 'link');
      for (const found of analysis.lookalikes) if (found.seen_in.includes('received')) use(found.domain, 'relay');
      for (const [name, where] of used) {
        const entry = domains.get(name)!;
        entry.reports++;
        if (entry.first_seen === '' || row.received_at < entry.first_seen) entry.first_seen = row.received_at;
        if (row.received_at > entry.last_seen) entry.last_seen = row.received_at;
        for (const place of where) entry.where.add(place);
        for (const found of analysis.lookalikes) {
          if (registrable(found.domain) !== name) continue;
          const kinds = entry.imitated.get(found.imitates) ?? new Set();
          for (const kind of found.kinds) kinds.add(kind);
          entry.imitated.set(found.imitates, kinds);
        }
        for (const link of analysis.links ?? []) if (URL.canParse(link) && registrable(new URL(link).hostname) === name) entry.urlSet.add(link);
        entry.evidence.push({ report: row.reference, received_at: row.received_at, subject: analysis.subject, auth: analysis.auth && { spf: analysis.auth.spf, dkim: analysis.auth.dkim, dmarc: analysis.auth.dmarc, arc: analysis.auth.arc, source: analysis.auth.source, computed_at: analysis.auth.computed_at }, headers: analysis.headers ?? [] });
        entry.evidence.sort((a, b) => b.received_at.localeCompare(a.received_at) || a.report.localeCompare(b.report));
        entry.evidence.length = Math.min(entry.evidence.length, EVIDENCE_MESSAGES);
      }
    }
  }
  const out: TakedownDomain[] = [];
  for (const { imitated, where, urlSet, ...entry } of domains.values()) {
    if (entry.reports === 0) continue;
    const done = { ...entry, imitates: [...imitated].map(([domain, kinds]) => ({ domain, kinds: [...kinds].sort() })), seen_in: [...where].sort(), urls: [...urlSet].sort() };
    out.push({ ...done, abuse_report: abuseReport(shopName(ctx), campaign.id, done) });
  }
  return {
    campaign: { id: campaign.id, first_seen: campaign.first_seen, last_seen: campaign.last_seen, report_count: Number(campaign.report_count), verdict: campaign.verdict },
    generated_at: ctx.now().toISOString(),
    domains: out,
  };
}

/** Every campaign's domains and URLs, oldest campaign first. */
export async function watchedCampaigns(ctx: Context): Promise<WatchedCampaign[]> {
  const campaigns = await ctx.db.selectFrom('phishing_campaigns').select(['id', 'first_seen', 'last_seen', 'verdict']).where('merged_into', 'is', null).orderBy('first_seen').orderBy('id').execute();
  const keys = await ctx.db
    .selectFrom('phishing_campaign_keys')
    .innerJoin('phishing_campaigns', 'phishing_campaigns.id', 'phishing_campaign_keys.campaign_id')
    .select(['phishing_campaign_keys.campaign_id', 'phishing_campaign_keys.kind', 'phishing_campaign_keys.key', 'phishing_campaign_keys.first_seen'])
    .where('phishing_campaigns.merged_into', 'is', null)
    .where('phishing_campaign_keys.kind', 'in', ['domain', 'url'])
    .orderBy('phishing_campaign_keys.first_seen')
    .orderBy('phishing_campaign_keys.key')
    .execute();
  const byCampaign = new Map<string, WatchedCampaign['indicators']>();
  for (const key of keys) {
    const kind = key.kind as 'domain' | 'url';
    const list = byCampaign.get(key.campaign_id) ?? [];
    list.push({ kind, value: key.key.slice(kind.length + 1), first_seen: key.first_seen });
    byCampaign.set(key.campaign_id, list);
  }
  return campaigns.map((campaign) => ({ ...campaign, indicators: byCampaign.get(campaign.id) ?? [] }));
}

export const WATCH_LIST_FORMATS = ['csv', 'stix'] as const;
export type WatchListFormat = (typeof WATCH_LIST_FORMATS)[number];

export const WATCH_LIST_CSV_HEADER = ['type', 'value', 'campaign', 'first_seen', 'campaign_last_seen', 'verdict'];

/** The watch list's CSV rows (csvLine keeps each cell out of spreadsheet formulas). */
export function watchListRows(campaigns: readonly WatchedCampaign[]): string[][] {
  return campaigns.flatMap((campaign) => campaign.indicators.map((indicator) => [indicator.kind, indicator.value, campaign.id, indicator.first_seen, campaign.last_seen, campaign.verdict]));
}

/** The watch list as a STIX 2.1 bundle, made by the shop. */
export function watchListStix(ctx: Context, campaigns: readonly WatchedCampaign[]): StixBundle {
  return stixBundle({ name: shopName(ctx), domains: ctx.config.shop.domains }, campaigns);
}

/** The watch list as a file's text: CSV, or the STIX 2.1 bundle as JSON. */
export async function watchList(ctx: Context, format: WatchListFormat): Promise<{ media_type: string; text: string }> {
  const campaigns = await watchedCampaigns(ctx);
  if (format === 'stix') return { media_type: 'application/stix+json;version=2.1', text: `${JSON.stringify(watchListStix(ctx, campaigns), null, 2)}\n` };
  return { media_type: 'text/csv; charset=utf-8', text: csvLine(WATCH_LIST_CSV_HEADER) + watchListRows(campaigns).map((row) => csvLine(row)).join('') };
}
