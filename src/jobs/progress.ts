import type { JobProgress } from './view.ts';

/**
 * A job's progress, written at most once per `intervalMs` whatever the rate its handler reports
 * at (a scan reports per mebibyte): the latest value wins, one write runs at a time, an
 * unchanged value is not written again. A failed write is reported and skipped: progress is
 * for watching, and the next one may get through.
 */
export class ThrottledProgress {
  readonly #write: (progress: JobProgress) => Promise<void>;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #latest: JobProgress | null = null;
  #written: string | null = null;
  #lastWriteAt = -Infinity;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;
  #closed = false;

  constructor(write: (progress: JobProgress) => Promise<void>, intervalMs: number, onError: (error: unknown) => void) {
    this.#write = write;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  set(progress: JobProgress): void {
    if (this.#closed) return;
    this.#latest = progress;
    this.#schedule();
  }

  /** Writes what is not written yet, and takes no more. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#writing;
    await this.#flush();
  }

  #schedule(): void {
    if (this.#timer || this.#writing || this.#closed) return;
    const wait = this.#lastWriteAt + this.#intervalMs - Date.now();
    if (wait <= 0) return void this.#flush();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, wait);
  }

  #flush(): Promise<void> {
    const progress = this.#latest;
    const text = JSON.stringify(progress);
    if (progress === null || text === this.#written) return Promise.resolve();
    this.#lastWriteAt = Date.now();
    this.#writing = this.#write(progress)
      .then(() => void (this.#written = text), this.#onError)
      .finally(() => {
        this.#writing = null;
        if (JSON.stringify(this.#latest) !== this.#written) this.#schedule();
      });
    return this.#writing;
  }
}
