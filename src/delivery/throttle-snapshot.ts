import { z } from 'zod';
import type { DomainThrottleState } from './dispatcher.ts';

// A sender's per-domain throttles as it last wrote them on its `senders` row (at each heartbeat),
// and the campaign's view merged across senders. Stored and sent in the same snake_case shape.

/** Domains a snapshot lists one by one: the slowed ones and the busiest; the others are summed up. */
export const SNAPSHOT_DOMAINS = 50;

const count = z.number().int().nonnegative();
/** Messages per second; null for no limit. */
const rate = z.number().nonnegative().nullable();

export const domainThrottleSchema = z.object({
  /** The recipients' mail domain (never a local part). */
  domain: z.string(),
  pace: rate,
  limit: rate,
  queued: count,
  in_flight: count,
  /** Below its limit since then, after a 4xx reply; null when at its limit. */
  slowed_since: z.iso.datetime().nullable(),
  /** 4xx replies since the sender started. */
  deferrals: count,
  /** The last 4xx reply's codes alone (`451 4.7.1`): its words may echo the recipient's address. */
  last_deferral: z
    .string()
    .regex(/^[2-5]\d\d( [2-5]\.\d{1,3}\.\d{1,3})?$/)
    .nullable(),
  last_deferral_at: z.iso.datetime().nullable(),
});

export const throttleSnapshotSchema = z.object({
  domains: z.array(domainThrottleSchema).max(SNAPSHOT_DOMAINS),
  /** The domains not listed, summed up. */
  others: z.object({ domains: count, slowed: count, queued: count, in_flight: count, deferrals: count }),
});

export type DomainThrottle = z.output<typeof domainThrottleSchema>;
export type ThrottleSnapshot = z.output<typeof throttleSnapshotSchema>;
type Others = ThrottleSnapshot['others'];

const NO_OTHERS: Others = { domains: 0, slowed: 0, queued: 0, in_flight: 0, deferrals: 0 };

/** A dispatcher's throttles (times relative to `at`) as a bounded snapshot taken at `at`. */
export function throttleSnapshot(states: readonly DomainThrottleState[], at: Date): ThrottleSnapshot {
  const ago = (ms: number | null) => (ms === null ? null : new Date(at.getTime() - ms).toISOString());
  const domains = states.map(
    (state): DomainThrottle => ({
      domain: state.domain,
      pace: perSecond(state.rate),
      limit: perSecond(state.limit),
      queued: state.queued,
      in_flight: state.inFlight,
      slowed_since: ago(state.slowedForMs),
      deferrals: state.deferrals,
      last_deferral: state.lastDeferral,
      last_deferral_at: ago(state.lastDeferralAgoMs),
    }),
  );
  return bounded(domains, NO_OTHERS);
}

/**
 * Several senders' snapshots as one: each domain's paces, limits and counts summed (each sender
 * paces a domain on its own), slowed since the earliest, its last deferral the latest.
 */
export function mergeThrottles(snapshots: readonly ThrottleSnapshot[]): ThrottleSnapshot {
  const domains = new Map<string, DomainThrottle>();
  const others = { ...NO_OTHERS };
  for (const snapshot of snapshots) {
    for (const key of Object.keys(others) as (keyof Others)[]) others[key] += snapshot.others[key];
    for (const domain of snapshot.domains) {
      const known = domains.get(domain.domain);
      domains.set(domain.domain, known ? mergeDomain(known, domain) : domain);
    }
  }
  return bounded([...domains.values()], others);
}

/** A `senders.throttle` value as written; null when there is none, or it is not one (written by another version). */
export function readThrottle(text: string | null): ThrottleSnapshot | null {
  if (text === null) return null;
  try {
    return throttleSnapshotSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

function mergeDomain(a: DomainThrottle, b: DomainThrottle): DomainThrottle {
  const latest = (b.last_deferral_at ?? '') > (a.last_deferral_at ?? '') ? b : a;
  return {
    domain: a.domain,
    pace: sumOfRates(a.pace, b.pace),
    limit: sumOfRates(a.limit, b.limit),
    queued: a.queued + b.queued,
    in_flight: a.in_flight + b.in_flight,
    slowed_since: [a.slowed_since, b.slowed_since].filter((since) => since !== null).sort()[0] ?? null,
    deferrals: a.deferrals + b.deferrals,
    last_deferral: latest.last_deferral,
    last_deferral_at: latest.last_deferral_at,
  };
}

/** The slowed domains first, then the busiest, then those deferred most; past SNAPSHOT_DOMAINS, summed into `others`. */
function bounded(domains: Iterable<DomainThrottle>, others: Others): ThrottleSnapshot {
  // One pass, not a sort: a sender may know a hundred thousand domains, most of them beaten by the last kept at once.
  const kept: DomainThrottle[] = [];
  const rest = { ...others };
  const drop = (domain: DomainThrottle) => {
    rest.domains++;
    rest.slowed += Number(domain.slowed_since !== null);
    rest.queued += domain.queued;
    rest.in_flight += domain.in_flight;
    rest.deferrals += domain.deferrals;
  };
  for (const domain of domains) {
    if (kept.length === SNAPSHOT_DOMAINS && beforeInList(kept[SNAPSHOT_DOMAINS - 1], domain)) {
      drop(domain);
      continue;
    }
    let at = kept.length;
    while (at > 0 && beforeInList(domain, kept[at - 1])) at--;
    kept.splice(at, 0, domain);
    if (kept.length > SNAPSHOT_DOMAINS) drop(kept.pop()!);
  }
  return { domains: kept, others: rest };
}

/** Whether `a` comes before `b` in a snapshot's list (a total order: domains are unique). */
function beforeInList(a: DomainThrottle, b: DomainThrottle): boolean {
  const order =
    Number(b.slowed_since !== null) - Number(a.slowed_since !== null) || b.queued + b.in_flight - (a.queued + a.in_flight) || b.deferrals - a.deferrals;
  return order === 0 ? a.domain < b.domain : order < 0;
}

/** A rate as stored: null for none, to a hundredth (the 10 % steps leave long fractions). */
const perSecond = (rate: number) => (rate === Infinity ? null : Math.round(rate * 100) / 100);
const sumOfRates = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((a + b) * 100) / 100);
