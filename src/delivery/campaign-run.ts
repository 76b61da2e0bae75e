import type { Context } from '../context.ts';
import { TocsinError, reasonOf } from '../lib/errors.ts';
import { claimNotices, releaseNotices, type ClaimedNotice } from './claims.ts';
import { Dispatcher, type Dispatchable } from './dispatcher.ts';
import { recordOutcomes, type NoticeOutcome } from './outcomes.ts';
import { type DeliveryResult, domainOf, INVALID_RECIPIENT, type Transport } from '../mail/index.ts';
import type { RenderPool, SignedMessage } from './render-pool.ts';
import { retryDelay } from './retry.ts';
import type { SendSettings } from './send-settings.ts';
import { HEARTBEAT_MS, reapDeadSenders, renewLease } from './senders.ts';
import { templatesChanged } from './templates-changed.ts';
import { throttleSnapshot } from './throttle-snapshot.ts';
import { Wakeup } from '../lib/wakeup.ts';

/** Campaign-wide counts of notices that reached an end state. */
export interface SendProgress {
  total: number;
  sent: number;
  bounced: number;
  failed: number;
}

export interface RunCounts {
  sent: number;
  bounced: number;
  failed: number;
  /** Attempts that met a transient failure and will be tried again. */
  deferred: number;
}

export interface RunSetup {
  ctx: Context;
  incidentId: string;
  senderId: string;
  settings: SendSettings;
  templatesSha256: string;
  transport: Transport;
  renderer: RenderPool;
  progress: SendProgress;
  signal?: AbortSignal;
  onProgress?: (progress: SendProgress) => void;
}

/** Notices rendered together in one thread. */
const RENDER_BATCH = 16;
/** Outcomes are committed together once this many wait, or FLUSH_MS after the first. */
const FLUSH_MAX = 200;
const FLUSH_MS = 10;
/** After a claim that found less than it asked for, the next waits this long. */
const RECLAIM_MS = 200;
/** While other senders hold notices, or retries are not due yet, look again this often. */
const IDLE_POLL_MS = 1_000;

/**
 * One sender's run through a campaign: claim notices, render and sign them in threads, hand
 * them to the transport within the throttles, record each reply.
 *
 * The in-flight bound. A notice is `sending` from the commit of its claim until the commit
 * that records its reply; the window caps how many this sender holds so. A crash can send again
 * only notices in `sending`, and each at most once more (the next run takes them over once,
 * as `queued`): those the server had accepted while their `sent` was not committed yet. That
 * is at most the messages on their way (two per connection) plus the replies gathered for
 * the next commit (FLUSH_MS' worth, at most FLUSH_MAX, and one commit under way), and never
 * more than the window. The rest of the window (claimed, rendering or waiting for a
 * throttle) had not reached the server and is sent for the first time.
 */
export class CampaignRun {
  readonly #setup: RunSetup;
  readonly #dispatcher: Dispatcher;
  readonly #wakeup = new Wakeup();
  /** Most notices this sender holds in `sending` at once. */
  readonly #window: number;
  readonly counts: RunCounts = { sent: 0, bounced: 0, failed: 0, deferred: 0 };
  /** Claimed and not yet recorded or released. */
  #held = 0;
  #stopping = false;
  #failure: unknown = null;
  #nextClaimAt = 0;
  #outcomes: NoticeOutcome[] = [];
  #flushing = false;
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(setup: RunSetup) {
    this.#setup = setup;
    const { rate, workers } = setup.settings;
    // Enough to keep every connection busy while the next batches render; for a slow rate, half a second of it.
    this.#window = Math.min(256, Math.max(workers * 8, rate === Infinity ? 256 : Math.ceil(rate / 2)));
    this.#dispatcher = new Dispatcher(setup.transport, { rate, perDomain: setup.settings.perDomain, maxInFlight: workers * 2 }, (item, result) => this.#replied(item, result));
  }

  /** Sends until nothing is left to send or retry (true), or until stopped (false). Throws what stopped it on a failure. */
  async run(): Promise<boolean> {
    const stop = () => this.stop();
    this.#setup.signal?.addEventListener('abort', stop);
    if (this.#setup.signal?.aborted) this.stop();
    const heartbeat = setInterval(() => void this.#heartbeat(), HEARTBEAT_MS);
    try {
      for (;;) {
        if (!this.#stopping && Date.now() >= this.#nextClaimAt) await this.#claim();
        if (this.#held === 0) {
          if (this.#stopping) break;
          const wait = await this.#idleWait();
          if (wait === null) return true;
          this.#nextClaimAt = 0;
          await this.#wakeup.wait(wait);
          continue;
        }
        const untilClaim = this.#nextClaimAt - Date.now();
        await this.#wakeup.wait(!this.#stopping && untilClaim > 0 ? untilClaim : undefined);
      }
    } finally {
      clearInterval(heartbeat);
      this.#setup.signal?.removeEventListener('abort', stop);
    }
    if (this.#failure) throw this.#failure;
    return false;
  }

  /** Stops taking notices: those not handed over yet go back to the queue, those in flight finish. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#release(this.#dispatcher.withdraw().map((item) => item.notice.subject));
    this.#wakeup.notify();
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    this.stop();
  }

  async #claim(): Promise<void> {
    const room = this.#window - this.#held;
    if (room < Math.max(1, this.#window / 4)) return;
    const { ctx, incidentId, senderId } = this.#setup;
    let notices: ClaimedNotice[];
    try {
      notices = await claimNotices(ctx, incidentId, senderId, room, this.#dispatcher.busyDomains());
    } catch (error) {
      return this.#fail(error);
    }
    this.#nextClaimAt = notices.length < room ? Date.now() + RECLAIM_MS : 0;
    this.#held += notices.length;
    const stale = notices.filter((notice) => notice.templates_sha256 !== this.#setup.templatesSha256);
    if (stale.length > 0) {
      this.#release(notices.map((notice) => notice.subject));
      return this.#fail(templatesChanged(incidentId));
    }
    for (let start = 0; start < notices.length; start += RENDER_BATCH) {
      const batch = notices.slice(start, start + RENDER_BATCH);
      this.#setup.renderer.render(batch).then(
        (messages) => this.#rendered(batch, messages),
        (error) => {
          this.#release(batch.map((notice) => notice.subject));
          this.#fail(error);
        },
      );
    }
  }

  #rendered(batch: ClaimedNotice[], messages: SignedMessage[]): void {
    if (this.#stopping) return this.#release(batch.map((notice) => notice.subject));
    const { settings, incidentId } = this.#setup;
    const sendable: Dispatchable[] = [];
    batch.forEach((notice, i) => {
      const message = messages[i];
      // Never handed over, not an attempt: failed at once, for the letter campaign to reach.
      if ('refused' in message) return this.#record({ subject: notice.subject, state: 'failed', attempts: notice.attempts, lastReply: INVALID_RECIPIENT, messageId: null, nextAttemptAt: null, sentAt: null });
      sendable.push({
        notice,
        domain: domainOf(notice.subject),
        messageId: message.messageId,
        message: { from: settings.from.address, to: message.to, raw: Buffer.from(message.raw), name: `${incidentId}.${notice.seq}` },
      });
    });
    this.#dispatcher.enqueue(sendable);
  }

  #replied({ notice, messageId }: Dispatchable, result: DeliveryResult): void {
    const now = this.#setup.ctx.now();
    const attempts = notice.attempts + 1;
    const outcome = { subject: notice.subject, attempts, messageId, lastReply: result.reply, nextAttemptAt: null, sentAt: null };
    switch (result.kind) {
      case 'accepted':
        return this.#record({ ...outcome, state: 'sent', sentAt: now.toISOString() });
      case 'permanent':
        return this.#record({ ...outcome, state: 'bounced' });
      case 'transient': {
        const { retry } = this.#setup.settings;
        if (attempts >= retry.maxAttempts) return this.#record({ ...outcome, state: 'failed', lastReply: `${result.reply} (gave up after ${attempts} attempts)` });
        return this.#record({ ...outcome, state: 'deferred', nextAttemptAt: new Date(now.getTime() + retryDelay(retry, attempts)).toISOString() });
      }
      case 'fatal':
        this.#release([notice.subject]);
        return this.#fail(
          new TocsinError('DELIVERY_REFUSED', `${this.#setup.transport.description} refused to take the notices: ${result.reply}; fix the cause, then send again to resume`, {
            kind: 'unavailable',
            next: { action: 'send_notices', incident_id: this.#setup.incidentId },
          }),
        );
    }
  }

  #record(outcome: NoticeOutcome): void {
    this.#outcomes.push(outcome);
    if (this.#outcomes.length >= FLUSH_MAX) this.#flush();
    else this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  /** Commits the outcomes gathered so far in one transaction; one commit at a time. */
  #flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#flushing || this.#outcomes.length === 0) return;
    this.#flushing = true;
    const batch = this.#outcomes;
    this.#outcomes = [];
    const { ctx, incidentId, senderId } = this.#setup;
    recordOutcomes(ctx, incidentId, senderId, batch)
      .then(() => this.#count(batch))
      .catch((error) => this.#fail(new TocsinError('STATE_NOT_RECORDED', `the replies of ${batch.length} notices could not be recorded (${reasonOf(error)}); they will be sent again on the next run`, { kind: 'unavailable', cause: error })))
      .finally(() => {
        this.#held -= batch.length;
        this.#flushing = false;
        this.#flush();
        this.#wakeup.notify();
      });
  }

  #count(batch: NoticeOutcome[]): void {
    const { progress } = this.#setup;
    for (const { state } of batch) {
      this.counts[state]++;
      if (state !== 'deferred') progress[state]++;
    }
    this.#setup.onProgress?.(progress);
  }

  /** Back to the queue, untried; the window frees once the database says so. */
  #release(subjects: string[]): void {
    if (subjects.length === 0) return;
    const { ctx, incidentId, senderId } = this.#setup;
    releaseNotices(ctx, incidentId, senderId, subjects)
      .catch((error) => this.#fail(error))
      .finally(() => {
        this.#held -= subjects.length;
        this.#wakeup.notify();
      });
  }

  /**
   * Nothing held and nothing to claim: how long to wait before looking again, or null when the
   * campaign is done — no retry pending and no other sender holding notices.
   */
  async #idleWait(): Promise<number | null> {
    const { ctx, incidentId } = this.#setup;
    const rows = await ctx.db
      .selectFrom('notices')
      .select((eb) => ['state', eb.fn.countAll<number>().as('count'), eb.fn.min('next_attempt_at').as('next')])
      .where('incident_id', '=', incidentId)
      .where('state', 'in', ['deferred', 'sending'])
      .groupBy('state')
      .execute();
    if (rows.length === 0) return null;
    const due = rows.find((row) => row.state === 'deferred')?.next;
    const untilDue = due ? Math.max(0, Date.parse(due) - ctx.now().getTime()) : Infinity;
    return Math.min(untilDue, IDLE_POLL_MS);
  }

  async #heartbeat(): Promise<void> {
    const { ctx, incidentId, senderId } = this.#setup;
    try {
      const throttle = throttleSnapshot(this.#dispatcher.throttles(performance.now()), ctx.now());
      if (!(await renewLease(ctx, senderId, throttle))) {
        return this.#fail(new TocsinError('LEASE_LOST', `another sender found this one silent for too long and took its notices over; send again to resume`, { kind: 'conflict', next: { action: 'send_notices', incident_id: incidentId } }));
      }
      await reapDeadSenders(ctx, incidentId);
    } catch (error) {
      // The lease outlives a few missed beats; a database that stays away fails the claims and records.
      ctx.logger.warn({ incident: incidentId, reason: reasonOf(error) }, 'sender heartbeat failed');
    }
  }
}
