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
    peer: null,
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
    const { suspects: ranked, standouts } = rankClients([...customers, ...sweep('203.0.113.9', 10_000_000, 400)], exists, 3);
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
      // A quarter of its requests missed: not most of them, so that is no reason of its own.
      reasons: ['read 300 records; the median client read 2', 'asked for 400 keys, 100% of them next to each other'],
    });
    expect(ranked[0].perMinute).toBeCloseTo(400 / (399 / 60));
    // Ranked second, yet a customer who read her own two orders: shown, never suggested.
    expect(ranked[1]).toMatchObject({ requests: 3, records: 2, sweep: 0, distinctiveUserAgent: false, reasons: [] });
    expect(standouts.map((suspect) => suspect.ip)).toEqual(['203.0.113.9']);
  });

  it('counts a request binding two values once, and only values that name records as read', () => {
    const {
      suspects: [ranked],
    } = rankClients(
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
    const {
      suspects: [ranked],
    } = rankClients(
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
    const { standouts } = rankClients(
      [
        ...sweep('203.0.113.9', 100, 40).map((one) => ({ ...one, account: 'u101027', time: one.time + 500 })),
        ...sweep('2001:db8::1', 500, 20).map((one) => ({ ...one, userAgent: BROWSER })),
        ...customers,
      ],
      exists,
      1,
    );
    const block = indicatorsBlock(standouts);
    const scope = parseScopeFile(`rules:\n  - name: r\n    request: GET /api/v2/orders/:order_id\n    exposes: [name]\n${block}`, 'suggested.yml');
    expect(scope.indicators).toEqual({
      ips: ['203.0.113.9', '2001:db8::1'],
      userAgents: ['python-requests/2.22.0'],
      accounts: ['u101027'],
      from: START,
      until: START + 39_999,
    });
    expect(block).toContain('  from: 2019-11-05T10:00:00Z\n');
    expect(block).toContain('# 203.0.113.9, account u101027: read 30 records; the median client read 1; asked for 40 keys, 100% of them next to each other\n');
  });

  it('suggests nobody when no client stands out: customers reading their own orders, a few typos', () => {
    const customers = Array.from({ length: 20 }, (_, i) => [
      hit({ ip: `85.1.2.${i}`, userAgent: i % 2 ? BROWSER : 'Mozilla/5.0 (X11; Linux x86_64; rv:70.0) Gecko/20100101 Firefox/70.0', value: `SO${1000 + i * 7919}` }),
      hit({ ip: `85.1.2.${i}`, value: `SO${1001 + i * 7919}`, status: 404, exposes: false }),
    ]).flat();
    const { suspects, standouts } = rankClients(customers, () => true, 5);
    expect(suspects).toHaveLength(5);
    expect(standouts).toEqual([]);
  });

  it('keeps a script that read many records from a handful of addresses, and never a user agent an ordinary client used', () => {
    const customers = Array.from({ length: 30 }, (_, i) => hit({ ip: `85.1.2.${i}`, userAgent: BROWSER, value: `SO${i * 104_729}` }));
    // Every fifth order number, so not a sweep: only the number of records read gives it away.
    const scattered = Array.from({ length: 60 }, (_, i) => hit({ ip: '198.51.100.7', userAgent: BROWSER, value: `SO${i * 500}`, time: START + i * 1000 }));
    const { standouts } = rankClients([...customers, ...scattered], () => true, 1);
    expect(standouts).toHaveLength(1);
    expect(standouts[0]).toMatchObject({ ip: '198.51.100.7', records: 60, distinctiveUserAgent: false });
    expect(standouts[0].reasons).toEqual(['read 60 records; the median client read 1']);
    expect(indicatorsBlock(standouts)).toContain('  user_agents: []\n');
  });

  it("offers a script's user agent only when most clients that used it stand out", () => {
    const script = 'curl/7.68.0';
    const sweeper = sweep('203.0.113.9', 100, 40).map((one) => ({ ...one, userAgent: script }));
    const customer = (ip: string) => hit({ ip, userAgent: script, value: 'SO7' });
    const offered = (hits: Hit[]) => rankClients(hits, exists, 1).standouts[0].distinctiveUserAgent;
    expect(offered(sweeper)).toBe(true);
    expect(offered([...sweeper, customer('85.1.2.3')])).toBe(false);
    expect(offered([...sweeper, ...sweep('203.0.113.10', 900, 40).map((one) => ({ ...one, userAgent: script })), customer('85.1.2.3')])).toBe(true);
  });
});
