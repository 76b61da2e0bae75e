/** Events a pace lets through at once: 50 ms worth, so timers' granularity does not slow a fast pace. */
const BURST_SECONDS = 0.05;

/**
 * Spaces events 1/rate seconds apart, allowing a short burst (the generic cell rate
 * algorithm: one number of state). A rate of Infinity never waits.
 */
export class Pace {
  #rate: number;
  /** When the next event would be due if events came evenly spaced (ms). */
  #due = -Infinity;

  constructor(rate: number) {
    this.#rate = rate;
  }

  get rate(): number {
    return this.#rate;
  }

  set rate(rate: number) {
    this.#rate = rate;
  }

  /** Milliseconds until an event may happen; 0 when it may happen now. */
  wait(now: number): number {
    if (this.#rate === Infinity) return 0;
    const burst = Math.max(1, Math.floor(this.#rate * BURST_SECONDS));
    return Math.max(0, this.#due - (burst - 1) * this.#interval() - now);
  }

  take(now: number): void {
    if (this.#rate !== Infinity) this.#due = Math.max(this.#due, now) + this.#interval();
  }

  #interval(): number {
    return 1000 / this.#rate;
  }
}

/** Slowest a domain that keeps answering 4xx is tried: one message every ten seconds. */
const SLOWEST = 0.1;
/** Where a domain without a limit starts after its first 4xx. */
const FIRST_LIMIT = 10;
/** A domain is halved at most once a second: a burst of 4xx replies to messages already on their way is one signal, not many. */
const SLOW_DOWN_EVERY_MS = 1000;
/** A domain without a limit that has come back above this rate is unlimited again. */
const UNLIMITED_AGAIN = 200;

/** What a domain's throttle is at a moment, for those watching the sender (times relative to that moment). */
export interface DomainPaceState {
  /** Messages per second now; Infinity for none. */
  rate: number;
  limit: number;
  /** How long it has been below its limit; null when it is not. */
  slowedForMs: number | null;
  /** 4xx replies since the sender started. */
  deferrals: number;
  /** The codes of the last 4xx reply (`451 4.7.1`), never its words; and how long ago it came. */
  lastDeferral: string | null;
  lastDeferralAgoMs: number | null;
}

/**
 * One pace per recipient domain. A domain that answers 4xx is halved (at most once a second)
 * and speeds up again by a tenth per accepted message, up to the configured limit: the way
 * TCP treats a congested path.
 */
export class DomainPaces {
  readonly #limit: number;
  readonly #paces = new Map<string, Pace>();
  readonly #slowedAt = new Map<string, number>();
  /** When each domain below its limit was first slowed down, until it is back at its limit. */
  readonly #slowSince = new Map<string, number>();
  readonly #deferrals = new Map<string, { count: number; codes: string | null; at: number }>();

  /** `limit` is messages per second per domain; Infinity for none. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  of(domain: string): Pace {
    let pace = this.#paces.get(domain);
    if (!pace) this.#paces.set(domain, (pace = new Pace(this.#limit)));
    return pace;
  }

  /** A 4xx reply from the domain (`codes` as replyCodes gives them): counted, and the domain halved. */
  slowDown(domain: string, now: number, codes: string | null): void {
    this.#deferrals.set(domain, { count: (this.#deferrals.get(domain)?.count ?? 0) + 1, codes, at: now });
    if (now - (this.#slowedAt.get(domain) ?? -Infinity) < SLOW_DOWN_EVERY_MS) return;
    this.#slowedAt.set(domain, now);
    if (!this.#slowSince.has(domain)) this.#slowSince.set(domain, now);
    const pace = this.of(domain);
    pace.rate = pace.rate === Infinity ? FIRST_LIMIT : Math.max(SLOWEST, pace.rate / 2);
  }

  speedUp(domain: string): void {
    const pace = this.#paces.get(domain);
    if (!pace || pace.rate >= this.#limit) return;
    const faster = pace.rate * 1.1;
    pace.rate = faster >= this.#limit || (this.#limit === Infinity && faster >= UNLIMITED_AGAIN) ? this.#limit : faster;
    if (pace.rate === this.#limit) this.#slowSince.delete(domain);
  }

  /** Every domain met so far. */
  domains(): IterableIterator<string> {
    return this.#paces.keys();
  }

  state(domain: string, now: number): DomainPaceState {
    const since = this.#slowSince.get(domain);
    const deferrals = this.#deferrals.get(domain);
    return {
      rate: this.#paces.get(domain)?.rate ?? this.#limit,
      limit: this.#limit,
      slowedForMs: since === undefined ? null : now - since,
      deferrals: deferrals?.count ?? 0,
      lastDeferral: deferrals?.codes ?? null,
      lastDeferralAgoMs: deferrals ? now - deferrals.at : null,
    };
  }
}
