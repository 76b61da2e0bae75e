/**
 * Seeded randomness for the demo shop. Every part of the output draws from a stream named
 * by (seed, purpose, key), so a chunk produces the same bytes whichever worker runs it.
 */

/** Purposes of random streams; distinct so that no two parts of the shop share numbers. */
export const STREAM = {
  orderTable: 1,
  orderRows: 2,
  customer: 3,
  visitor: 4,
  traffic: 5,
  attack: 6,
} as const;

/** A 32-bit integer hash with good avalanche (lowbias32 by Chris Wellons). */
function hash32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** sfc32: small and fast; plenty for data that only has to look random. */
export class Random {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;

  constructor(seed: number, purpose: number, key = 0) {
    this.reset(seed, purpose, key);
  }

  /** Restarts the generator on another stream without allocating a new one. */
  reset(seed: number, purpose: number, key: number): void {
    this.#a = hash32(seed ^ 0x9e3779b9);
    this.#b = hash32(purpose + 0x632be5ab);
    this.#c = hash32(key ^ hash32(seed + purpose));
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: { [index: number]: T; length: number }): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swapped = items[i];
      items[i] = items[j];
      items[j] = swapped;
    }
  }

  /** Replaces each `#` with a digit and each `@` with a capital letter: `SW# #@@`. */
  fill(pattern: string): string {
    let out = '';
    for (const char of pattern) {
      if (char === '#') out += String.fromCharCode(48 + this.int(10));
      else if (char === '@') out += String.fromCharCode(65 + this.int(26));
      else out += char;
    }
    return out;
  }
}

/** Picks items in proportion to their weights. */
export class Weighted<T> {
  readonly #items: T[];
  readonly #cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.#items = entries.map(([item]) => item);
    this.#cumulative = new Float64Array(entries.length);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let running = 0;
    entries.forEach(([, weight], i) => {
      running += weight / total;
      this.#cumulative[i] = running;
    });
    this.#cumulative[entries.length - 1] = 1;
  }

  pick(random: Random): T {
    const u = random.float();
    const cumulative = this.#cumulative;
    let i = 0;
    while (cumulative[i] <= u) i++;
    return this.#items[i];
  }
}
