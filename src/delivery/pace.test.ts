import { describe, expect, it } from 'vitest';
import { DomainPaces, Pace } from './pace.ts';

/** Times (ms) at which `count` events happen when each goes as soon as the pace allows. */
function schedule(pace: Pace, count: number): number[] {
  const times: number[] = [];
  let now = 0;
  while (times.length < count) {
    now += pace.wait(now);
    pace.take(now);
    times.push(now);
  }
  return times;
}

describe('Pace', () => {
  it('spaces events 1/rate apart after a burst of 50 ms worth', () => {
    const times = schedule(new Pace(100), 15);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times.at(-1)).toBeCloseTo(100, 5);
  });

  it('never waits without a limit', () => {
    expect(schedule(new Pace(Infinity), 1000).at(-1)).toBe(0);
  });
});

describe('DomainPaces', () => {
  it('halves a domain that answers 4xx, at most once a second, and speeds it up again as it accepts', () => {
    const paces = new DomainPaces(20);
    paces.slowDown('gmail.com', 0, '421 4.7.0');
    paces.slowDown('gmail.com', 500, '421 4.7.0');
    expect(paces.of('gmail.com').rate).toBe(10);
    expect(paces.of('outlook.com').rate).toBe(20);
    paces.slowDown('gmail.com', 1500, '421 4.7.0');
    expect(paces.of('gmail.com').rate).toBe(5);
    for (let i = 0; i < 40; i++) paces.speedUp('gmail.com');
    expect(paces.of('gmail.com').rate).toBe(20);
  });

  it('gives a domain without a limit one after its first 4xx, and lifts it once the domain keeps up', () => {
    const paces = new DomainPaces(Infinity);
    paces.slowDown('web.de', 0, '421 4.7.0');
    expect(paces.of('web.de').rate).toBe(10);
    for (let i = 0; i < 60; i++) paces.speedUp('web.de');
    expect(paces.of('web.de').rate).toBe(Infinity);
  });

  it('never slows a domain below one message every ten seconds', () => {
    const paces = new DomainPaces(10);
    for (let second = 0; second < 20; second++) paces.slowDown('slow.example', second * 1000, '421 4.7.0');
    expect(paces.of('slow.example').rate).toBe(0.1);
  });

  it('tells how long a domain has been slowed down, its 4xx replies and the codes of the last, until it is back at its limit', () => {
    const paces = new DomainPaces(20);
    paces.of('outlook.com');
    expect(paces.state('outlook.com', 5000)).toEqual({ rate: 20, limit: 20, slowedForMs: null, deferrals: 0, lastDeferral: null, lastDeferralAgoMs: null });
    paces.slowDown('gmail.com', 1000, '421 4.7.0');
    paces.slowDown('gmail.com', 1500, '451 4.7.1');
    paces.slowDown('gmail.com', 2500, null);
    paces.slowDown('gmail.com', 3000, '452 4.2.2');
    expect(paces.state('gmail.com', 5000)).toEqual({ rate: 5, limit: 20, slowedForMs: 4000, deferrals: 4, lastDeferral: '452 4.2.2', lastDeferralAgoMs: 2000 });
    for (let i = 0; i < 40; i++) paces.speedUp('gmail.com');
    expect(paces.state('gmail.com', 6000)).toMatchObject({ rate: 20, slowedForMs: null, deferrals: 4 });
    expect([...paces.domains()].sort()).toEqual(['gmail.com', 'outlook.com']);
  });

  it('counts a domain without a limit slowed down until it is unlimited again', () => {
    const paces = new DomainPaces(Infinity);
    paces.slowDown('web.de', 0, '421');
    expect(paces.state('web.de', 100)).toMatchObject({ rate: 10, limit: Infinity, slowedForMs: 100 });
    for (let i = 0; i < 60; i++) paces.speedUp('web.de');
    expect(paces.state('web.de', 200)).toMatchObject({ rate: Infinity, slowedForMs: null });
  });
});
