import type { ClaimedNotice } from './claims.ts';
import { DomainPaces, type DomainPaceState, Pace } from './pace.ts';
import { type DeliveryResult, type OutgoingMessage, replyCodes, type Transport } from '../mail/index.ts';

/** A rendered notice waiting for its turn. */
export interface Dispatchable {
  notice: ClaimedNotice;
  domain: string;
  messageId: string;
  message: OutgoingMessage;
}

export interface DispatchLimits {
  /** Messages per second in all; Infinity for none. */
  rate: number;
  /** Messages per second to one recipient domain; Infinity for none. A domain answering 4xx goes slower. */
  perDomain: number;
  /** Messages handed to the transport and not answered yet. */
  maxInFlight: number;
}

/** One recipient domain's throttle and the messages waiting for it or on their way. */
export interface DomainThrottleState extends DomainPaceState {
  domain: string;
  queued: number;
  inFlight: number;
}

/**
 * Hands messages to the transport as fast as the throttles allow: one queue per recipient
 * domain, served in turn, each at its own pace, all within the global pace. A domain that
 * has to wait does not hold the others up.
 */
export class Dispatcher {
  readonly #transport: Transport;
  readonly #limits: DispatchLimits;
  readonly #onResult: (item: Dispatchable, result: DeliveryResult) => void;
  readonly #global: Pace;
  readonly #domains: DomainPaces;
  /** In turn order: a domain served goes to the back. */
  readonly #queues = new Map<string, Dispatchable[]>();
  #queued = 0;
  #inFlight = 0;
  /** Handed to the transport and not answered yet, per domain (domains with none left out). */
  readonly #inFlightTo = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(transport: Transport, limits: DispatchLimits, onResult: (item: Dispatchable, result: DeliveryResult) => void) {
    this.#transport = transport;
    this.#limits = limits;
    this.#onResult = onResult;
    this.#global = new Pace(limits.rate);
    this.#domains = new DomainPaces(limits.perDomain);
  }

  get queued(): number {
    return this.#queued;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  enqueue(items: readonly Dispatchable[]): void {
    for (const item of items) {
      const queue = this.#queues.get(item.domain);
      if (queue) {
        queue.push(item);
        continue;
      }
      this.#queues.set(item.domain, [item]);
      // Paced from its first message on, so that throttles() lists it before it is served.
      this.#domains.of(item.domain);
    }
    this.#queued += items.length;
    this.#pump();
  }

  /** Domains with a second's worth of messages waiting already: claiming more of theirs would only fill the window. */
  busyDomains(): string[] {
    return [...this.#queues].filter(([domain, queue]) => queue.length >= Math.max(1, this.#domains.of(domain).rate)).map(([domain]) => domain);
  }

  /** Every domain met so far, with its throttle as it is `now` (performance.now()). */
  throttles(now: number): DomainThrottleState[] {
    return Array.from(this.#domains.domains(), (domain) => ({ domain, queued: this.#queues.get(domain)?.length ?? 0, inFlight: this.#inFlightTo.get(domain) ?? 0, ...this.#domains.state(domain, now) }));
  }

  /** Takes back every message not handed to the transport yet (when stopping). */
  withdraw(): Dispatchable[] {
    const items = [...this.#queues.values()].flat();
    this.#queues.clear();
    this.#queued = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    return items;
  }

  #pump(): void {
    // Whatever the timer waited for, news (a new domain, a free slot) may allow more now.
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#queued > 0 && this.#inFlight < this.#limits.maxInFlight) {
      const now = performance.now();
      let wait = this.#global.wait(now);
      if (wait === 0) {
        const next = this.#nextReady(now);
        if (typeof next !== 'number') {
          this.#send(next, now);
          continue;
        }
        wait = next;
      }
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, Math.max(1, Math.ceil(wait)));
      return;
    }
  }

  /** The first domain in turn whose pace allows a message now, or how long until one does. */
  #nextReady(now: number): Dispatchable | number {
    let soonest = Infinity;
    for (const [domain, queue] of this.#queues) {
      const wait = this.#domains.of(domain).wait(now);
      if (wait > 0) {
        soonest = Math.min(soonest, wait);
        continue;
      }
      const item = queue.shift()!;
      this.#queues.delete(domain);
      if (queue.length > 0) this.#queues.set(domain, queue);
      return item;
    }
    return soonest;
  }

  #send(item: Dispatchable, now: number): void {
    this.#queued--;
    this.#inFlight++;
    this.#inFlightTo.set(item.domain, (this.#inFlightTo.get(item.domain) ?? 0) + 1);
    this.#global.take(now);
    this.#domains.of(item.domain).take(now);
    void this.#transport.deliver(item.message).then((result) => {
      this.#inFlight--;
      const left = this.#inFlightTo.get(item.domain)! - 1;
      if (left === 0) this.#inFlightTo.delete(item.domain);
      else this.#inFlightTo.set(item.domain, left);
      if (result.kind === 'accepted') this.#domains.speedUp(item.domain);
      if (result.kind === 'transient' && result.deferredByServer) this.#domains.slowDown(item.domain, performance.now(), replyCodes(result.reply));
      this.#onResult(item, result);
      this.#pump();
    });
  }
}
