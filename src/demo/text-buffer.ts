/** How many lines are joined as a string before being encoded into the buffer. */
const LINES_PER_BATCH = 64;
/** Large enough for most jobs, so that spare buffers fit any job. */
const MIN_CAPACITY = 8 << 20;

/**
 * Collects lines of text as encoded bytes. Lines are joined a few dozen at a time and then
 * encoded: one string per line costs a call each, and one string for everything is a rope
 * that V8 must flatten at great cost; batches are faster than either.
 */
export class TextBuffer {
  readonly #encoding: 'latin1' | 'utf8';
  #bytes: Buffer<ArrayBuffer>;
  #length = 0;
  #batch = '';
  #lines = 0;

  /**
   * `latin1` writes one byte per character: only for text known to be ASCII. A `spare` buffer
   * from an earlier job is used when it is large enough: fresh memory costs a page fault per
   * 4 KiB on first write, which is a good part of the cost of writing gigabytes.
   */
  constructor(encoding: 'latin1' | 'utf8', expectedBytes: number, spare?: ArrayBuffer) {
    this.#encoding = encoding;
    this.#bytes =
      spare && spare.byteLength >= expectedBytes ? Buffer.from(spare) : Buffer.allocUnsafeSlow(Math.max(expectedBytes, MIN_CAPACITY));
  }

  add(text: string): void {
    this.#batch += text;
    if (++this.#lines === LINES_PER_BATCH) this.#flush();
  }

  /** The bytes written, viewing a buffer of their own that can be transferred to another thread. */
  finish(): Uint8Array<ArrayBuffer> {
    this.#flush();
    return this.#bytes.subarray(0, this.#length);
  }

  #flush(): void {
    const batch = this.#batch;
    const maxBytes = this.#encoding === 'latin1' ? batch.length : batch.length * 3;
    if (this.#length + maxBytes > this.#bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, this.#length + maxBytes));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    this.#length += this.#bytes.write(batch, this.#length, this.#encoding);
    this.#batch = '';
    this.#lines = 0;
  }
}
