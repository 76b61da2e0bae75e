/**
 * Near-duplicate texts: MinHash over word shingles, cut into LSH bands. Two texts share a band
 * key with a probability that rises steeply around a Jaccard similarity of about
 * (1/BANDS)^(1/ROWS) ≈ 0.55 (texts 80% alike share one almost surely, 30% alike one time in twenty), so a text is compared with earlier ones by looking its band keys up,
 * never by scanning them. The phishing desk clusters reported mails into campaigns with it, the
 * bug bounty finds reports that may duplicate an earlier one. Written here (a few lines) because npm's `minhash` is unmaintained and
 * bloom-filters' MinHash takes only numbers, keeps its signature private and has no banding.
 */

const BANDS = 20;
/** How many band keys a comparable text has: two texts sharing more of them are more alike. */
export const TEXT_BANDS = BANDS;
const ROWS = 5;
const SHINGLE_WORDS = 3;
/** Fewer shingles say too little to call two texts alike ("Hello", a signature line). */
const MIN_SHINGLES = 8;
/** Enough of a long text to know it; a hostile one is bounded. */
const MAX_WORDS = 5_000;

/** murmur3's 32-bit finaliser: spreads a seed-mixed hash into an independent-looking one. */
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string's UTF-16 units. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const SEEDS = Array.from({ length: BANDS * ROWS }, (_, i) => mix(0x9e3779b9 * (i + 1)));

/**
 * The shingles of a text: runs of three words, lower case, every digit read as 0 so that texts
 * differing only in the quoted order number, amount or phone number stay alike.
 */
export function shingles(text: string): Set<string> {
  const words = (text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS).map((word) => word.replace(/\p{N}/gu, '0'));
  const out = new Set<string>();
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) out.add(words.slice(i, i + SHINGLE_WORDS).join(' '));
  return out;
}

/** The MinHash signature: for each of BANDS × ROWS hash functions, the least hash of any shingle. */
function signature(shingleSet: ReadonlySet<string>): Uint32Array {
  const minima = new Uint32Array(BANDS * ROWS).fill(0xffffffff);
  for (const shingle of shingleSet) {
    const base = hashString(shingle);
    for (let i = 0; i < minima.length; i++) {
      const h = mix(base ^ SEEDS[i]);
      if (h < minima[i]) minima[i] = h;
    }
  }
  return minima;
}

/** The LSH band keys of a text (`band.hex`), or none when it is too short to compare. */
export function textBands(text: string): string[] {
  const set = shingles(text);
  if (set.size < MIN_SHINGLES) return [];
  const minima = signature(set);
  const keys: string[] = [];
  for (let band = 0; band < BANDS; band++) {
    keys.push(`${band}.${[...minima.subarray(band * ROWS, (band + 1) * ROWS)].map((h) => h.toString(16).padStart(8, '0')).join('')}`);
  }
  return keys;
}
