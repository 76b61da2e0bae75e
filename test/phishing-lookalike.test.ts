/**
 * The look-alike index against Debian's dnstwist, the reference: for each shop domain and each
 * permutation class, every domain `dnstwist --format list --fuzzers CLASS` prints is found to
 * imitate that shop domain, with that class among its kinds. Then the other side: real domains
 * from the phishing corpus and the access log in ../shared/fixtures, unrelated to the shops, are
 * not flagged.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'tldts';
import { describe, expect, it } from 'vitest';
import { lookalikeIndex } from '../src/phishing/index.ts';

const FIXTURES = new URL('./fixtures/phishing/', import.meta.url).pathname;
const SHARED_FIXTURES = new URL('../../shared/fixtures/', import.meta.url).pathname;
const WORDS_FILE = `${FIXTURES}lookalike-words.dict`;
const TLDS_FILE = `${FIXTURES}lookalike-tlds.dict`;
const WORDS = readFileSync(WORDS_FILE, 'utf8').split('\n').filter(Boolean);

const SHOPS = ['boutique-exemple.fr', 'example-shop.co.uk', 'gadgetshop.de'];
// dnstwist 20221213's classes (`plural` came later; the unit tests cover it), `cyrillic` included.
const FUZZERS = ['addition', 'bitsquatting', 'cyrillic', 'dictionary', 'homoglyph', 'hyphenation', 'insertion', 'omission', 'repetition', 'replacement', 'subdomain', 'tld-swap', 'transposition', 'vowel-swap'];

const run = promisify(execFile);

/** The domains dnstwist makes of a shop domain with one class; [] when the class makes none of it (cyrillic of a name with a hyphen). */
async function dnstwist(shop: string, fuzzer: string): Promise<string[]> {
  try {
    const { stdout } = await run('dnstwist', ['--format', 'list', '--fuzzers', fuzzer, '--dictionary', WORDS_FILE, '--tld', TLDS_FILE, shop], { maxBuffer: 64 << 20 });
    return stdout.split('\n').filter((domain) => domain !== '' && domain !== shop); // homoglyph and vowel-swap list the original too
  } catch (error) {
    if (String((error as { stderr?: string }).stderr).includes('do not generate any permutations')) return [];
    throw error;
  }
}

/** Runs the jobs a few at a time: dnstwist is a Python process each. */
async function inTurns<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const at = next++;
      results[at] = await jobs[at]();
    }
  }));
  return results;
}

describe('look-alike domains against dnstwist', () => {
  it('recognises every permutation dnstwist prints, as imitating its shop domain, with dnstwist’s class', async () => {
    const index = lookalikeIndex(SHOPS, { words: WORDS });
    const cases = SHOPS.flatMap((shop) => FUZZERS.map((fuzzer) => ({ shop, fuzzer })));
    const lists = await inTurns(cases.map(({ shop, fuzzer }) => () => dnstwist(shop, fuzzer)), 4);

    const misses: string[] = [];
    const counts = new Map<string, number>();
    cases.forEach(({ shop, fuzzer }, i) => {
      counts.set(fuzzer, (counts.get(fuzzer) ?? 0) + lists[i].length);
      for (const domain of lists[i]) {
        const kinds = index.imitates(domain).find((found) => found.imitates === shop)?.kinds ?? [];
        if (!kinds.includes(fuzzer as never)) misses.push(`${fuzzer} ${domain} of ${shop}: ${JSON.stringify(index.imitates(domain))}`);
      }
    });
    // Every class was exercised, and on a real number of domains (homoglyph makes thousands).
    for (const fuzzer of FUZZERS) expect(counts.get(fuzzer), fuzzer).toBeGreaterThan(0);
    expect(counts.get('homoglyph')).toBeGreaterThan(10_000);
    expect(misses.slice(0, 20)).toEqual([]);
  });
});

/** Registrable domains named in the phishing corpus's messages and the access log's referrers: real, and not the shops'. */
function realDomains(): string[] {
  const texts = readdirSync(`${SHARED_FIXTURES}phish-pot`)
    .filter((file) => file.endsWith('.eml'))
    .map((file) => readFileSync(`${SHARED_FIXTURES}phish-pot/${file}`, 'latin1'));
  texts.push(readFileSync(`${SHARED_FIXTURES}logs/elastic-apache-combined-10k.log`, 'utf8'));
  const domains = new Set<string>();
  for (const text of texts) {
    for (const [host] of text.toLowerCase().matchAll(/(?<![a-z0-9.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![a-z0-9-])/g)) {
      const parsed = parse(host, { allowPrivateDomains: true });
      if (parsed.domain && (parsed.isIcann || parsed.isPrivate)) domains.add(parsed.domain);
    }
  }
  return [...domains].sort();
}

describe('look-alike domains on unrelated real domains', () => {
  it('flags (almost) none of them', () => {
    const domains = realDomains();
    expect(domains.length).toBeGreaterThan(500);
    const shops = [...SHOPS, 'shop.example.com', 'modehaus-berlin.de', 'mobile-store.com', 'phonemaker.com', 'la-cave-a-vin.fr', 'outdoor-gear.co.uk', 'papeterie.fr'];
    const index = lookalikeIndex(shops);
    const flagged = domains.filter((domain) => index.imitates(domain).length > 0);
    console.log(`look-alike false positives: ${flagged.length} of ${domains.length} real domains against ${shops.length} shop domains${flagged.length ? `: ${flagged.join(', ')}` : ''}`);
    expect(flagged.length / domains.length).toBeLessThan(0.01);
  });
});
