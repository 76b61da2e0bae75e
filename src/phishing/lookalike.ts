/**
 * Look-alike domains, answered in reverse: given a domain seen in a reported message, which of the
 * shop's domains does it imitate, and how? The index is built once from the shop's domains:
 *
 * - every permutation dnstwist's generating classes make of each shop name (permutations.ts), in a
 *   map from permuted name to (shop domain, class), so those classes cost one lookup;
 * - each shop name folded for comparison (`foldForComparison`: the TR39 skeleton, case and marks
 *   removed), against which a domain's folded name is matched by a small alignment that also knows
 *   the ASCII look-alikes (`rn`/`m`, `cl`/`d`, `vv`/`w`, …) that confusables.txt does not list:
 *   that is the homoglyph class, whatever number of characters were swapped;
 * - the shop's domain written out inside another domain (`embedded`);
 * - an edit distance of at most 2 between folded names, for what no named class explains.
 *
 * Names are compared on registrable domains (the Public Suffix List through tldts, private
 * suffixes included, since each `*.github.io` site has its own owner). A domain under the same
 * registrable domain as a shop domain is the shop's own and imitates nothing.
 */
import { domainToUnicode } from 'node:url';
import { parse } from 'tldts';
import { invalidInput } from '../lib/errors.ts';
import { skeleton } from './confusables.ts';
import { GENERATED_KINDS, type GeneratedKind, permutations } from './permutations.ts';

/**
 * How a domain imitates a shop domain: dnstwist's class names (`cyrillic` included); `embedded`,
 * the shop's whole domain written out inside another (`gadgetshop.de.account-verify.net`,
 * `gadgetshop.de-kundenservice.com`); and `edit-distance`.
 */
export const LOOKALIKE_KINDS = [...GENERATED_KINDS, 'homoglyph', 'cyrillic', 'tld-swap', 'embedded', 'edit-distance'] as const;
export type LookalikeKind = (typeof LOOKALIKE_KINDS)[number];

export interface Lookalike {
  /** The shop domain imitated, as configured. */
  imitates: string;
  /** Every class that produces the domain from that shop domain; `edit-distance` only when none does. */
  kinds: LookalikeKind[];
}

export interface LookalikeIndex {
  /** The shop domains a domain imitates, in configuration order; [] for the shop's own domains and for anything that is not a domain name. */
  imitates(domain: string): Lookalike[];
}

export interface LookalikeOptions {
  /** Words phishers add to a name (`example-shop-secure`, `login-example-shop`); DEFAULT_LOOKALIKE_WORDS otherwise. */
  words?: readonly string[];
}

/** Words seen around brand names in phishing domains, in the shops' usual languages (English, French, German). */
export const DEFAULT_LOOKALIKE_WORDS: readonly string[] = [
  'account', 'auth', 'billing', 'customer', 'delivery', 'help', 'info', 'login', 'mail', 'online', 'order', 'orders',
  'pay', 'payment', 'refund', 'secure', 'security', 'service', 'signin', 'support', 'track', 'tracking', 'update', 'verify',
  'verification', 'compte', 'connexion', 'commande', 'livraison', 'paiement', 'remboursement', 'securite',
  'konto', 'kundenservice', 'sicherheit', 'bestellung', 'zahlung',
];

const KIND_ORDER = new Map<LookalikeKind, number>(LOOKALIKE_KINDS.map((kind, i) => [kind, i]));
const TLDTS_OPTIONS = { allowPrivateDomains: true, extractHostname: false } as const;

/**
 * Letters that skeletons leave outside ASCII (small capitals, letters with hooks or strokes that
 * confusables.txt does not decompose) but that read as the ASCII letter in a domain name. Keyed by
 * their own skeletons, since they are looked up in one (Cyrillic т has the skeleton ᴛ).
 */
const LATIN_LOOKALIKES = new Map(
  Object.entries({
    'ə': 'a', 'ʙ': 'b', 'ƅ': 'b', 'ƈ': 'c', 'ɢ': 'g', 'ⱨ': 'h', 'ʝ': 'j', 'ⱪ': 'k', 'ᴋ': 'k', 'ᴍ': 'm', 'ꞑ': 'n',
    'ʀ': 'r', 'ɾ': 'r', 'ᴛ': 't', 'ƫ': 't', 'ʉ': 'u', 'ⱱ': 'v', 'ᶌ': 'v', 'ⱴ': 'v', 'ⱳ': 'w', 'ⱬ': 'z',
  }).map(([letter, ascii]) => [skeleton(letter), skeleton(ascii)]),
);

/** foldForComparison for any name; the ASCII ones take the table below. */
function foldSlowly(name: string): string {
  let replaced = '';
  for (const char of skeleton(name).toLowerCase()) replaced += LATIN_LOOKALIKES.get(char) ?? char;
  return replaced.normalize('NFD').replace(/\p{M}/gu, '');
}

/** The fold of each character of an ASCII host name (`m` is `rn`, `0` is `o`): most names seen are ASCII. */
const ASCII_FOLDS = new Map([...'abcdefghijklmnopqrstuvwxyz0123456789-_'].map((char) => [char, foldSlowly(char)]));

/**
 * ASCII strings a reader takes for one another in a domain name, which TR39 keeps apart
 * (it maps `m` to `rn`, `0` to `o` and `1` to `l`, so those are already one). Either side may stand
 * for the other.
 */
const ASCII_LOOKALIKES: [string, string][] = [
  ['b', 'd'], ['c', 'e'], ['g', 'q'], ['m', 'n'], ['n', 'r'], ['i', 'l'], ['3', '8'], ['6', '9'], ['5', 's'],
  ['d', 'cl'], ['d', 'dl'], ['b', 'lb'], ['h', 'lh'], ['k', 'lk'], ['k', 'ik'], ['k', 'lc'], ['w', 'vv'], ['m', 'nn'], ['m', 'rr'],
];

/** A name as compared for look-alikes: its TR39 skeleton, lower-cased, without combining marks. */
export function foldForComparison(name: string): string {
  if (!/^[a-z0-9_-]*$/.test(name)) return foldSlowly(name);
  let folded = '';
  for (const char of name) folded += ASCII_FOLDS.get(char);
  return folded;
}

/**
 * The look-alike pairs as folded strings, each way round, and each pair once more with one part of
 * its second side swapped again (`m` → `nn` → `rn`... `d` → `cl` → `ci`), since a homoglyph domain is
 * often made of two rounds of swaps. Indexed by the first character of the side found in the shop name.
 */
function lookalikePairs(): Map<string, [string, string][]> {
  const once = new Map<string, [string, string]>();
  for (const [a, b] of ASCII_LOOKALIKES) {
    const [x, y] = [foldForComparison(a), foldForComparison(b)];
    if (x !== y) for (const pair of [[x, y], [y, x]] as [string, string][]) once.set(pair.join('\0'), pair);
  }
  const twice = new Map(once);
  for (const [shopSide, seen] of once.values()) {
    for (const [from, to] of once.values()) {
      for (let at = seen.indexOf(from); at !== -1; at = seen.indexOf(from, at + 1)) {
        const again = seen.slice(0, at) + to + seen.slice(at + from.length);
        if (again !== shopSide) twice.set(`${shopSide}\0${again}`, [shopSide, again]);
      }
    }
  }
  const byFirst = new Map<string, [string, string][]>();
  for (const pair of twice.values()) byFirst.set(pair[0][0], [...(byFirst.get(pair[0][0]) ?? []), pair]);
  return byFirst;
}

const PAIRS = lookalikePairs();

/** Scratch space of the alignments below, enough for most names (longer ones get their own); checks run one at a time. */
const reachScratch = new Uint8Array(254 * 254);
const rowScratch = [new Int32Array(256), new Int32Array(256), new Int32Array(256)];

/** Whether `seen` reads as `shop` (both folded): equal characters, or look-alike pairs, end to end. */
function readsAs(shop: string, seen: string): boolean {
  const width = seen.length + 1;
  const size = (shop.length + 1) * width;
  const reach = size <= reachScratch.length ? reachScratch : new Uint8Array(size);
  reach.fill(0, 0, size);
  reach[0] = 1;
  // The furthest row any path has reached: a row with nothing reached and nothing beyond it ends them all.
  let furthest = 0;
  for (let i = 0; i < shop.length; i++) {
    if (furthest < i) return false;
    const pairs = PAIRS.get(shop[i]);
    for (let j = 0; j < seen.length; j++) {
      if (!reach[i * width + j]) continue;
      if (shop[i] === seen[j]) {
        reach[(i + 1) * width + j + 1] = 1;
        furthest = Math.max(furthest, i + 1);
      }
      if (pairs) {
        for (const [a, b] of pairs) {
          if (shop.startsWith(a, i) && seen.startsWith(b, j)) {
            reach[(i + a.length) * width + j + b.length] = 1;
            furthest = Math.max(furthest, i + a.length);
          }
        }
      }
    }
  }
  return reach[shop.length * width + seen.length] === 1;
}

/**
 * The edit distance of two strings (insertions, deletions, substitutions and swaps of neighbours,
 * each 1), or limit + 1 as soon as it is known to exceed limit; only a band of width 2·limit + 1
 * around the diagonal is computed.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const over = limit + 1;
  let [before, previous, current] = b.length < rowScratch[0].length ? rowScratch : [0, 1, 2].map(() => new Int32Array(b.length + 1));
  before.fill(over, 0, b.length + 1);
  previous.fill(over, 0, b.length + 1);
  for (let j = 0; j <= Math.min(b.length, limit); j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current.fill(over, 0, b.length + 1);
    if (i <= limit) current[0] = i;
    let best = current[0];
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      let cost = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, before[j - 2] + 1);
      current[j] = Math.min(cost, over);
      if (current[j] < best) best = current[j];
    }
    if (best > limit) return over;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length], over);
}

/** A host name as Unicode, lower case, without a final dot; null for what cannot be one. */
function hostOf(text: string): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 1024) return null;
  let host = text.endsWith('.') ? text.slice(0, -1) : text;
  // domainToUnicode decodes punycode and maps case the IDNA way; plain ASCII needs only lower case.
  host = /^[\x21-\x7e]+$/.test(host) && !/xn--/i.test(host) ? host.toLowerCase() : domainToUnicode(host);
  if (host.length === 0 || host.length > 253) return null;
  for (const label of host.split('.')) if (!/^[a-z0-9_-]{1,63}$/.test(label) && !/^[\p{L}\p{M}\p{N}_-]{1,63}$/u.test(label)) return null;
  return host;
}

interface ShopName {
  domain: string;
  registrable: string;
  name: string;
  suffix: string;
  folded: string;
  /** The characters a name that reads as this one can start with: most names are told apart by their first. */
  firstCharacters: Set<string>;
  /** The largest edit distance between folded names still reported: 2, less for short names. */
  distanceLimit: number;
}

/** The look-alike index of the shop's domains (config `shop.domains`). */
export function lookalikeIndex(shopDomains: readonly string[], options: LookalikeOptions = {}): LookalikeIndex {
  const words = options.words ?? DEFAULT_LOOKALIKE_WORDS;
  const shops: ShopName[] = [];
  for (const configured of shopDomains) {
    const domain = hostOf(configured);
    const parsed = domain === null ? null : parse(domain, TLDTS_OPTIONS);
    if (domain === null || !parsed?.domain || !parsed.domainWithoutSuffix || !parsed.publicSuffix) {
      throw invalidInput('PHISHING_SHOP_DOMAIN_INVALID', `shop.domains: ${JSON.stringify(configured)} is not a domain under a public suffix; list the shop's domains, like shop.example.com`);
    }
    if (shops.some((shop) => shop.registrable === parsed.domain)) continue;
    const folded = foldForComparison(parsed.domainWithoutSuffix);
    const firstCharacters = new Set([folded[0], ...(PAIRS.get(folded[0]) ?? []).filter(([a]) => folded.startsWith(a)).map(([, b]) => b[0])]);
    shops.push({ domain, registrable: parsed.domain, name: parsed.domainWithoutSuffix, suffix: parsed.publicSuffix, folded, firstCharacters, distanceLimit: Math.min(2, Math.floor(folded.length / 4)) });
  }

  const generated = new Map<string, { shop: number; kind: GeneratedKind }[]>();
  shops.forEach((shop, index) => {
    for (const kind of GENERATED_KINDS) {
      for (const name of new Set(permutations(shop.name, kind, words))) {
        if (name !== shop.name) generated.set(name, [...(generated.get(name) ?? []), { shop: index, kind }]);
      }
    }
  });
  const registrables = new Set(shops.map((shop) => shop.registrable));

  return {
    imitates(domain: string): Lookalike[] {
      const host = hostOf(domain);
      const parsed = host === null ? null : parse(host, TLDTS_OPTIONS);
      if (!parsed?.domain || !parsed.domainWithoutSuffix || registrables.has(parsed.domain)) return [];
      const name = parsed.domainWithoutSuffix;
      const found = new Map<number, Set<LookalikeKind>>();
      const add = (shop: number, kind: LookalikeKind) => {
        const kinds = found.get(shop) ?? new Set<LookalikeKind>();
        kinds.add(kind);
        if (kind !== 'embedded' && parsed.publicSuffix !== shops[shop].suffix) kinds.add('tld-swap');
        found.set(shop, kinds);
      };

      for (const entry of generated.get(name) ?? []) add(entry.shop, entry.kind);
      // A dot put inside the name moves its start into the subdomain: look the name up with its nearest labels.
      if (parsed.subdomain) {
        let dotted = name;
        for (const label of parsed.subdomain.split('.').reverse()) {
          dotted = `${label}.${dotted}`;
          for (const entry of generated.get(dotted) ?? []) add(entry.shop, entry.kind);
        }
      }
      // The shop's domain written out at the start of labels: `gadgetshop.de.verify.net`, `gadgetshop.de-kundenservice.com`.
      const dotHost = `.${host}`;
      shops.forEach((shop, index) => (dotHost.includes(`.${shop.registrable}.`) || dotHost.includes(`.${shop.registrable}-`)) && add(index, 'embedded'));
      const folded = foldForComparison(name);
      shops.forEach((shop, index) => {
        if (name === shop.name) add(index, 'tld-swap');
        else if (shop.firstCharacters.has(folded[0]) && folded.length <= 2 * shop.folded.length + 2 && 2 * folded.length + 2 >= shop.folded.length && readsAs(shop.folded, folded)) {
          add(index, 'homoglyph');
          if (/\p{Script=Cyrillic}/u.test(name)) add(index, 'cyrillic');
        }
        if (!found.has(index) && editDistance(shop.folded, folded, shop.distanceLimit) <= shop.distanceLimit) add(index, 'edit-distance');
      });

      return [...found].sort(([a], [b]) => a - b).map(([shop, kinds]) => ({ imitates: shops[shop].domain, kinds: [...kinds].sort((a, b) => KIND_ORDER.get(a)! - KIND_ORDER.get(b)!) }));
    },
  };
}
