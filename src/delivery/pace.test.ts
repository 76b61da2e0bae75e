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
    paces.slowDown('gmail.com', 0);
    paces.slowDown('gmail.com', 500);
    expect(paces.of('gmail.com').rate).toBe(10);
    expect(paces.of('outlook.com').rate).toBe(20);
    paces.slowDown('gmail.com', 1500);
    expect(paces.of('gmail.com').rate).toBe(5);
    for (let i = 0; i < 40; i++) paces.speedUp('gmail.com');
    expect(paces.of('gmail.com').rate).toBe(20);
  });

  it('gives a domain without a limit one after its first 4xx, and lifts it once the domain keeps up', () => {
    const paces = new DomainPaces(Infinity);
    paces.slowDown('web.de', 0);
    expect(paces.of('web.de').rate).toBe(10);
    for (let i = 0; i < 60; i++) paces.speedUp('web.de');
    expect(paces.of('web.de').rate).toBe(Infinity);
  });

  it('never slows a domain below one message every ten seconds', () => {
    const paces = new DomainPaces(10);
    for (let second = 0; second < 20; second++) paces.slowDown('slow.example', second * 1000);
    expect(paces.of('slow.example').rate).toBe(0.1);
  });
});
