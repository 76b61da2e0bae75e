import { describe, expect, it } from 'vitest';
import type { DomainThrottleState } from './dispatcher.ts';
import { mergeThrottles, readThrottle, SNAPSHOT_DOMAINS, throttleSnapshot, throttleSnapshotSchema, type DomainThrottle } from './throttle-snapshot.ts';

const AT = new Date('2026-12-05T10:00:00.000Z');

function state(domain: string, changes: Partial<DomainThrottleState> = {}): DomainThrottleState {
  return { domain, queued: 0, inFlight: 0, rate: 20, limit: 20, slowedForMs: null, deferrals: 0, lastDeferral: null, lastDeferralAgoMs: null, ...changes };
}

function domain(name: string, changes: Partial<DomainThrottle> = {}): DomainThrottle {
  return { domain: name, pace: 20, limit: 20, queued: 0, in_flight: 0, slowed_since: null, deferrals: 0, last_deferral: null, last_deferral_at: null, ...changes };
}

describe('throttleSnapshot', () => {
  it('gives times as instants and no limit as null', () => {
    const snapshot = throttleSnapshot([state('gmail.com', { rate: 2.5937424601, limit: Infinity, slowedForMs: 90_000, deferrals: 3, lastDeferral: '421 4.7.0', lastDeferralAgoMs: 2_000, queued: 7, inFlight: 1 })], AT);
    expect(snapshot).toEqual({
      domains: [{ domain: 'gmail.com', pace: 2.59, limit: null, queued: 7, in_flight: 1, slowed_since: '2026-12-05T09:58:30.000Z', deferrals: 3, last_deferral: '421 4.7.0', last_deferral_at: '2026-12-05T09:59:58.000Z' }],
      others: { domains: 0, slowed: 0, queued: 0, in_flight: 0, deferrals: 0 },
    });
    expect(throttleSnapshotSchema.parse(snapshot)).toEqual(snapshot);
  });

  it('lists the slowed domains first, then the busiest, and sums up those past the fiftieth', () => {
    const quiet = Array.from({ length: 70 }, (_, i) => state(`d${String(i).padStart(2, '0')}.example`, { queued: i % 10, deferrals: 1 }));
    const slowed = state('slow.example', { rate: 5, slowedForMs: 1000, deferrals: 2, lastDeferral: '451' });
    const snapshot = throttleSnapshot([...quiet, slowed], AT);
    expect(snapshot.domains).toHaveLength(SNAPSHOT_DOMAINS);
    expect(snapshot.domains[0]).toMatchObject({ domain: 'slow.example', pace: 5, last_deferral: '451' });
    expect(snapshot.domains[1].queued).toBe(9);
    expect(snapshot.domains.at(-1)!.queued).toBeGreaterThanOrEqual(2);
    const listed = snapshot.domains.reduce((sum, d) => sum + d.queued, 0);
    expect(snapshot.others).toEqual({ domains: 21, slowed: 0, queued: quiet.reduce((sum, d) => sum + d.queued, 0) - listed, in_flight: 0, deferrals: 21 });
    expect(JSON.stringify(snapshot).length).toBeLessThan(20_000);
  });

  it('keeps the same fifty a full sort would, in its order, whatever the order they come in', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const states = Array.from({ length: 500 }, (_, i) => state(`d${i}.example`, { queued: random(5), inFlight: random(2), deferrals: random(3), slowedForMs: random(20) === 0 ? 1000 : null }));
    const key = (d: DomainThrottle) => [d.slowed_since === null ? 1 : 0, -(d.queued + d.in_flight), -d.deferrals];
    const sorted = states
      .map((one) => throttleSnapshot([one], AT).domains[0])
      .sort((a, b) => key(a).reduce((order, value, i) => order || value - key(b)[i], 0) || (a.domain < b.domain ? -1 : 1))
      .slice(0, SNAPSHOT_DOMAINS);
    expect(throttleSnapshot(states, AT).domains).toEqual(sorted);
    expect(throttleSnapshot(states.reverse(), AT).domains).toEqual(sorted);
  });
});

describe('mergeThrottles', () => {
  it("sums each domain's paces and counts across senders, slowed since the earliest, its last deferral the latest", () => {
    const a = { domains: [domain('gmail.com', { pace: 5, queued: 3, deferrals: 2, slowed_since: '2026-12-05T09:50:00.000Z', last_deferral: '421 4.7.0', last_deferral_at: '2026-12-05T09:59:00.000Z' }), domain('web.de', { queued: 1 })], others: { domains: 4, slowed: 1, queued: 10, in_flight: 2, deferrals: 1 } };
    const b = { domains: [domain('gmail.com', { pace: 20, queued: 4, deferrals: 1, last_deferral: '451 4.7.1', last_deferral_at: '2026-12-05T09:59:30.000Z' }), domain('orange.fr', { pace: null, limit: null })], others: { domains: 1, slowed: 0, queued: 1, in_flight: 0, deferrals: 0 } };
    expect(mergeThrottles([a, b])).toEqual({
      domains: [
        domain('gmail.com', { pace: 25, limit: 40, queued: 7, deferrals: 3, slowed_since: '2026-12-05T09:50:00.000Z', last_deferral: '451 4.7.1', last_deferral_at: '2026-12-05T09:59:30.000Z' }),
        domain('web.de', { queued: 1 }),
        domain('orange.fr', { pace: null, limit: null }),
      ],
      others: { domains: 5, slowed: 1, queued: 11, in_flight: 2, deferrals: 1 },
    });
    expect(mergeThrottles([])).toEqual({ domains: [], others: { domains: 0, slowed: 0, queued: 0, in_flight: 0, deferrals: 0 } });
  });
});

describe('readThrottle', () => {
  it("reads what a sender wrote, and nothing that is not a snapshot or carries a reply's words", () => {
    const snapshot = throttleSnapshot([state('gmail.com', { deferrals: 1, lastDeferral: '421', lastDeferralAgoMs: 0 })], AT);
    expect(readThrottle(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(readThrottle(null)).toBeNull();
    expect(readThrottle('{not json')).toBeNull();
    expect(readThrottle(JSON.stringify({ domains: [] }))).toBeNull();
    const words = { ...snapshot, domains: [{ ...snapshot.domains[0], last_deferral: '421 <bob@gmail.com> try later' }] };
    expect(readThrottle(JSON.stringify(words))).toBeNull();
  });
});
