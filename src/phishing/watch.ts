/**
 * The proactive watch: the typo-squatting permutations of the shop's domains (the classes
 * permutations.ts generates, and the shop's name under other top-level domains), each resolved
 * through the desk's resolver; those that exist are listed before any phish uses them. Homoglyphs
 * are not enumerated (the look-alike index recognises them instead, whatever was swapped).
 */
import { parse as parseDomain } from 'tldts';
import type { Context } from '../context.ts';
import { invalidInput } from '../lib/errors.ts';
import type { Resolver } from './analyze.ts';
import { deskResolver } from './desk.ts';
import { DEFAULT_LOOKALIKE_WORDS } from './lookalike.ts';
import { GENERATED_KINDS, permutations } from './permutations.ts';

/** Top-level domains phishers register a shop's name under. */
const SWAP_TLDS = ['com', 'net', 'org', 'info', 'biz', 'co', 'io', 'eu', 'de', 'fr', 'uk', 'co.uk', 'nl', 'shop', 'store', 'online', 'site', 'app', 'support', 'help'];
const LOOKUPS_AT_ONCE = 16;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface WatchCandidate {
  domain: string;
  imitates: string;
  kinds: string[];
}

export interface WatchFinding extends WatchCandidate {
  a: string[];
  aaaa: string[];
  mx: string[];
}

export interface WatchResult {
  checked: number;
  /** Names whose lookups failed (a timeout, a server failure) rather than answered: not known either way. */
  unresolved: number;
  found: WatchFinding[];
}

/** Every permutation of the shop's domains, with the shop domain and the classes that make it. */
export function watchCandidates(shopDomains: readonly string[]): WatchCandidate[] {
  const candidates = new Map<string, WatchCandidate>();
  const own = new Set<string>();
  const add = (domain: string, imitates: string, kind: string) => {
    if (domain.length > 253 || !domain.split('.').every((label) => LABEL.test(label))) return;
    const entry = candidates.get(domain) ?? { domain, imitates, kinds: [] };
    if (!entry.kinds.includes(kind)) entry.kinds.push(kind);
    candidates.set(domain, entry);
  };
  for (const configured of shopDomains) {
    const parsed = parseDomain(configured, { allowPrivateDomains: true });
    if (!parsed.domain || !parsed.domainWithoutSuffix || !parsed.publicSuffix) throw invalidInput('PHISHING_SHOP_DOMAIN_INVALID', `shop.domains: ${JSON.stringify(configured)} is not a domain under a public suffix; list the shop's domains, like shop.example.com`);
    own.add(parsed.domain);
    for (const kind of GENERATED_KINDS) {
      for (const name of permutations(parsed.domainWithoutSuffix, kind, DEFAULT_LOOKALIKE_WORDS)) add(`${name}.${parsed.publicSuffix}`, configured, kind);
    }
    for (const tld of SWAP_TLDS) add(`${parsed.domainWithoutSuffix}.${tld}`, configured, 'tld-swap');
  }
  return [...candidates.values()].filter((candidate) => !own.has(candidate.domain)).sort((a, b) => a.domain.localeCompare(b.domain));
}

type Answer = { records: string[] } | { exists: boolean } | { failed: true };

async function lookUp(resolver: Resolver, name: string, rrtype: 'A' | 'AAAA' | 'MX'): Promise<Answer> {
  try {
    const answer = (await resolver(name, rrtype)) as (string | { exchange: string })[];
    return { records: answer.map((record) => (typeof record === 'string' ? record : record.exchange)).sort() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // NODATA: the name exists without this record type; NXDOMAIN: it does not exist.
    if (code === 'ENODATA') return { exists: true };
    if (code === 'ENOTFOUND') return { exists: false };
    return { failed: true };
  }
}

/** Resolves every permutation of the shop's domains; lists those that exist. */
export async function watchDomains(shopDomains: readonly string[], resolver: Resolver): Promise<WatchResult> {
  if (shopDomains.length === 0) throw invalidInput('NO_SHOP_DOMAINS', 'the watch needs the shop\'s domains: set shop.domains in tocsin.yml (or TOCSIN_SHOP_DOMAINS)');
  const candidates = watchCandidates(shopDomains);
  const found: WatchFinding[] = [];
  let unresolved = 0;
  let next = 0;
  const work = async () => {
    while (next < candidates.length) {
      const candidate = candidates[next++];
      const [a, aaaa, mx] = await Promise.all([lookUp(resolver, candidate.domain, 'A'), lookUp(resolver, candidate.domain, 'AAAA'), lookUp(resolver, candidate.domain, 'MX')]);
      const answers = [a, aaaa, mx];
      const records = (answer: Answer) => ('records' in answer ? answer.records : []);
      if (answers.some((answer) => 'records' in answer || ('exists' in answer && answer.exists))) found.push({ ...candidate, a: records(a), aaaa: records(aaaa), mx: records(mx) });
      else if (answers.some((answer) => 'failed' in answer)) unresolved++;
    }
  };
  await Promise.all(Array.from({ length: LOOKUPS_AT_ONCE }, work));
  return { checked: candidates.length, unresolved, found: found.sort((x, y) => x.domain.localeCompare(y.domain)) };
}

/** The watch of this installation: shop.domains, through phishing.dns_servers (or the system's resolver). */
export async function watchShop(ctx: Context, resolver: Resolver = deskResolver(ctx.config.phishing.dns_servers)): Promise<WatchResult> {
  const result = await watchDomains(ctx.config.shop.domains, resolver);
  ctx.logger.info({ checked: result.checked, found: result.found.length, unresolved: result.unresolved }, 'phishing watch done');
  return result;
}
