import { describe, expect, it } from 'vitest';
import { ClientTally, indicatorsBlock, rankClients } from './detect.ts';
import type { Hit } from './hits.ts';
import { parseScopeFile } from './scope-file.ts';

const START = Date.parse('2019-11-05T10:00:00Z');
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_1_3 like Mac OS X)';
let lines = 0;

function hit(partial: Partial<Hit>): Hit {
  return {
    file: 'access.log',
    line: ++lines,
    time: START,
    method: 'GET',
    target: '/',
    status: 200,
    rule: 'order-api',
    column: 'order_id',
    value: 'SO1',
    ip: '91.92.117.197',
    userAgent: BROWSER,
    account: null,
    indicator: null,
    exposes: true,
    ...partial,
  };
}

/** A script reading order numbers one after another, a quarter of them unknown (404). */
function sweep(ip: string, first: number, count: number): Hit[] {
  return Array.from({ length: count }, (_, i) => {
    const missing = i % 4 === 3;
    return hit({ ip, userAgent: 'python-requests/2.22.0', value: `SO${first + i}`, time: START + i * 1000, status: missing ? 404 : 200, exposes: !missing });
  });
}

const exists = (_column: string, value: string) => Number(value.slice(2)) % 4 !== 3 || Number(value.slice(2)) < 100;

describe('rankClients', () => {
  it('ranks a sequential sweep above customers reading their own orders', () => {
    const customers = Array.from({ length: 50 }, (_, i) => [
      hit({ ip: `85.1.2.${i}`, value: `SO${1000 + i * 7919}` }),
      hit({ ip: `85.1.2.${i}`, value: `SO${1000 + i * 7919}`, time: START + 60_000 }),
      hit({ ip: `85.1.2.${i}`, value: `SO${5000 + i * 104_729}`, time: START + 120_000 }),
    ]).flat();
    const ranked = rankClients([...customers, ...sweep('203.0.113.9', 10_000_000, 400)], exists, 3);
    expect(ranked[0]).toMatchObject({
      ip: '203.0.113.9',
      userAgent: 'python-requests/2.22.0',
      requests: 400,
      records: 300,
      successRatio: 0.75,
      missRatio: 0.25,
      sweep: 1,
      firstSeen: START,
      lastSeen: START + 399_000,
      distinctiveUserAgent: true,
    });
    expect(ranked[0].perMinute).toBeCloseTo(400 / (399 / 60));
    expect(ranked[1]).toMatchObject({ requests: 3, records: 2, sweep: 0, distinctiveUserAgent: false });
  });

  it('counts a request binding two values once, and only values that name records as read', () => {
    const [ranked] = rankClients(
      [
        hit({ line: 7, value: 'SO1' }),
        hit({ line: 7, column: 'imei', value: '356725740216389' }),
        hit({ value: 'SO3', status: 404, exposes: false }),
        hit({ value: 'SO999', status: 200, exposes: true }),
      ],
      (_column, value) => value !== 'SO999',
      1,
    );
    expect(ranked).toMatchObject({ requests: 3, records: 2, successRatio: 2 / 3, missRatio: 1 / 3 });
  });

  it('sees IMEI sweeps as sequential: consecutive serials differ by about ten', () => {
    const imeis = ['356725740216389', '356725740216397', '356725740216405', '356725740216413', '356725740216421'];
    const [ranked] = rankClients(
      imeis.map((value) => hit({ rule: 'imei-lookup', column: 'imei', value })),
      () => true,
      1,
    );
    expect(ranked.sweep).toBe(1);
  });

  it('streams: a tally fed in batches ranks as rankClients does', () => {
    const hits = [...sweep('203.0.113.9', 100, 40), ...sweep('2001:db8::1', 500, 20), hit({})];
    const tally = new ClientTally();
    for (const one of hits) tally.add(one);
    expect(tally.rank(exists, 10)).toEqual(rankClients(hits, exists, 10));
  });

  it('lists the values revealing requests bound, for looking the records up at once', () => {
    const tally = new ClientTally();
    for (const one of [...sweep('203.0.113.9', 100, 4), hit({ column: 'imei', value: '35', exposes: false })]) tally.add(one);
    expect(tally.valuesRead()).toEqual(new Map([['order_id', new Set(['SO100', 'SO101', 'SO102'])]]));
  });
});

describe('indicatorsBlock', () => {
  it('writes a block the scope file accepts, leaving out user agents customers share', () => {
    const customers = Array.from({ length: 5 }, (_, i) => hit({ ip: `85.1.2.${i}`, userAgent: BROWSER, value: `SO${i * 1000}` }));
    const suspects = rankClients(
      [
        ...sweep('203.0.113.9', 100, 40).map((one) => ({ ...one, account: 'u101027', time: one.time + 500 })),
        ...sweep('2001:db8::1', 500, 20).map((one) => ({ ...one, userAgent: BROWSER })),
        ...customers,
      ],
      exists,
      2,
    );
    const block = indicatorsBlock(suspects);
    const scope = parseScopeFile(`rules:\n  - name: r\n    request: GET /api/v2/orders/:order_id\n    exposes: [name]\n${block}`, 'suggested.yml');
    expect(scope.indicators).toEqual({
      ips: ['203.0.113.9', '2001:db8::1'],
      userAgents: ['python-requests/2.22.0'],
      accounts: ['u101027'],
      from: START,
      until: START + 39_999,
    });
    expect(block).toContain('  from: 2019-11-05T10:00:00Z\n');
  });
});
