/** Lets a loop sleep until something it waits for happens, or a time passes. */
export class Wakeup {
  #wake: (() => void) | null = null;
  #pending = false;

  /** Resolves at the next notify (at once if one came since the last wait), or after `ms`. */
  wait(ms?: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  notify(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }
}
