/**
 * Line numbers across the pieces of a file: each piece numbers its lines from 1, so a piece's
 * hits are numbered in the file once every piece before it has been counted. Until then they
 * wait here, as compact batches.
 */
import { readHitBatch, type HitBatch } from './hit-batch.ts';
import type { Hit } from './hits.ts';

export class LineNumbering {
  readonly #file: string;
  readonly #release: (hits: Hit[]) => void;
  readonly #lines: (number | null)[];
  readonly #waiting: HitBatch[][];
  /** The leading pieces whose lines are known, and how many lines they hold. */
  #counted = 0;
  #offset = 0;

  /** `release` takes the hits of `file`, numbered, in line order. */
  constructor(file: string, pieces: number, release: (hits: Hit[]) => void) {
    this.#file = file;
    this.#release = release;
    this.#lines = new Array<number | null>(pieces).fill(null);
    this.#waiting = Array.from({ length: pieces }, () => []);
  }

  /** Hits of the piece at `index` (in file order), numbered from the piece's start. */
  add(index: number, batch: HitBatch): void {
    if (index === this.#counted) this.#release(readHitBatch(batch, this.#file, this.#offset));
    else this.#waiting[index].push(batch);
  }

  /** The piece at `index` has been read through: it holds `lines` lines. */
  finish(index: number, lines: number): void {
    this.#lines[index] = lines;
    while (this.#counted < this.#lines.length && this.#lines[this.#counted] !== null) {
      this.#offset += this.#lines[this.#counted]!;
      this.#counted++;
      if (this.#counted === this.#lines.length) break;
      for (const batch of this.#waiting[this.#counted].splice(0)) this.#release(readHitBatch(batch, this.#file, this.#offset));
    }
  }
}
