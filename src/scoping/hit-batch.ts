/**
 * Hits on their way from a worker to the main thread, in columns: numbers in one typed array,
 * text as indexes into the batch's distinct strings. Most of a hit's text repeats (rule,
 * column, method, address, user agent, indicator), so a batch clones to a few typed arrays and
 * a short string list instead of thousands of objects, and the worker allocates none per hit.
 */
import type { Hit } from './hits.ts';

/** Lines count from the piece's start. */
export type HitBatch = { count: number; numbers: Float64Array<ArrayBuffer>; texts: Int32Array<ArrayBuffer>; strings: string[] };

const NUMBERS = 4; // line, time, status (-1 for none), exposes (0 or 1)
const TEXTS = 10; // method, target, rule, column, value, ip, userAgent, account, indicator, peer (-1 for null)

export class HitBatchWriter {
  readonly #capacity: number;
  #numbers: Float64Array<ArrayBuffer>;
  #texts: Int32Array<ArrayBuffer>;
  #strings: string[] = [];
  #indexOf = new Map<string, number>();
  count = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#numbers = new Float64Array(capacity * NUMBERS);
    this.#texts = new Int32Array(capacity * TEXTS);
  }

  get full(): boolean {
    return this.count === this.#capacity;
  }

  add(
    line: number,
    time: number,
    status: number | null,
    exposes: boolean,
    method: string,
    target: string,
    rule: string,
    column: string,
    value: string,
    ip: string | null,
    userAgent: string | null,
    account: string | null,
    indicator: string | null,
    peer: string | null,
  ): void {
    const n = this.count * NUMBERS;
    this.#numbers[n] = line;
    this.#numbers[n + 1] = time;
    this.#numbers[n + 2] = status ?? -1;
    this.#numbers[n + 3] = exposes ? 1 : 0;
    const t = this.count * TEXTS;
    const texts = this.#texts;
    texts[t] = this.#intern(method);
    texts[t + 1] = this.#strings.push(target) - 1;
    texts[t + 2] = this.#intern(rule);
    texts[t + 3] = this.#intern(column);
    texts[t + 4] = this.#strings.push(value) - 1;
    texts[t + 5] = this.#intern(ip);
    texts[t + 6] = this.#intern(userAgent);
    texts[t + 7] = this.#intern(account);
    texts[t + 8] = this.#intern(indicator);
    texts[t + 9] = this.#intern(peer);
    this.count++;
  }

  /** The batch so far, handed over (its arrays can be transferred); the writer starts a new one. */
  take(): HitBatch {
    const batch = { count: this.count, numbers: this.#numbers, texts: this.#texts, strings: this.#strings };
    this.#numbers = new Float64Array(this.#capacity * NUMBERS);
    this.#texts = new Int32Array(this.#capacity * TEXTS);
    this.#strings = [];
    this.#indexOf = new Map();
    this.count = 0;
    return batch;
  }

  /** The index of `text` among the batch's strings; only for text that repeats (targets and values rarely do). */
  #intern(text: string | null): number {
    if (text === null) return -1;
    let index = this.#indexOf.get(text);
    if (index === undefined) {
      index = this.#strings.push(text) - 1;
      this.#indexOf.set(text, index);
    }
    return index;
  }
}

/** The hits of a batch as objects, with `file` and their lines offset by `lineOffset`. */
export function readHitBatch({ count, numbers, texts, strings }: HitBatch, file: string, lineOffset: number): Hit[] {
  const text = (index: number) => (index < 0 ? null : strings[index]);
  const hits: Hit[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = i * NUMBERS;
    const t = i * TEXTS;
    hits[i] = {
      file,
      line: numbers[n] + lineOffset,
      time: numbers[n + 1],
      method: strings[texts[t]],
      target: strings[texts[t + 1]],
      status: numbers[n + 2] < 0 ? null : numbers[n + 2],
      rule: strings[texts[t + 2]],
      column: strings[texts[t + 3]],
      value: strings[texts[t + 4]],
      ip: text(texts[t + 5]),
      peer: text(texts[t + 9]),
      userAgent: text(texts[t + 6]),
      account: text(texts[t + 7]),
      indicator: text(texts[t + 8]),
      exposes: numbers[n + 3] === 1,
    };
  }
  return hits;
}
