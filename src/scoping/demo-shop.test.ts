import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoShop, type Truth } from '../demo/index.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { indicatorsBlock, rankClients } from './detect.ts';
import { compileIndicators } from './indicators.ts';
import { scanLogs } from './scan.ts';
import { parseScopeFile, type ScopeFile } from './scope-file.ts';

/**
 * The demo shop's ground truth, reproduced from its files alone: the scope file, the three
 * logs (one gzipped, all at +0800), and the orders as CSV with multi-line addresses.
 */

type Order = Record<string, string>;

let dir: string;
let scopeText: string;
let scope: ScopeFile;
let truth: Truth;
let orders: Order[];
let logs: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-demo-scope-'));
  await generateDemoShop({ outDir: dir, orders: 3_000, logLines: 60_000, seed: 11 });
  scopeText = await readFile(join(dir, 'scope.yml'), 'utf8');
  scope = parseScopeFile(scopeText, 'scope.yml');
  truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8'));
  orders = parse(await readFile(join(dir, 'orders.csv')), { columns: true });
  // Newest first: the scanner must not depend on the order files are given in.
  logs = ['access.log', 'access.log.1', 'access.log.2.gz'].map((file) => join(dir, file));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Orders by the value of each column a rule binds. */
function ordersBy(column: string): Map<string, Order[]> {
  const index = new Map<string, Order[]>();
  for (const order of orders) index.set(order[column], [...(index.get(order[column]) ?? []), order]);
  return index;
}

describe('the demo shop', () => {
  it('scopes to exactly the affected subjects and categories of its ground truth', async () => {
    const { hits, files } = await scanLogs(logs, scope, { reading: { format: 'combined' }, mode: 'attacker', parallelism: 2, pieceBytes: 256 * 1024 });
    expect(files.reduce((total, file) => total + file.lines, 0)).toBe(truth.log_lines);
    expect(files.every((file) => file.unparseable === 0 && file.truncated === 0 && file.error === null)).toBe(true);

    const exposes = new Map(scope.rules.map((rule) => [rule.name, rule.exposes]));
    const indexes = new Map(scope.rules.flatMap((rule) => rule.columns).map((column) => [column, ordersBy(column)]));
    const affected = new Map<string, { exposed: Set<string>; records: Set<string> }>();
    for (const hit of hits.filter((hit) => hit.exposes)) {
      for (const order of indexes.get(hit.column)!.get(hit.value) ?? []) {
        const email = normalizeEmail(order.email)!;
        const subject = affected.get(email) ?? { exposed: new Set(), records: new Set() };
        affected.set(email, subject);
        for (const category of exposes.get(hit.rule)!) subject.exposed.add(category);
        subject.records.add(order.order_id);
      }
    }
    const found = [...affected]
      .map(([email, { exposed, records }]) => ({ email, exposed: [...exposed].sort(), records: [...records].sort() }))
      .sort((a, b) => (a.email < b.email ? -1 : 1));
    expect(found.length).toBeGreaterThan(50);
    expect(found).toEqual(truth.affected);
  });

  it('ranks the attacker above every customer, and suggests indicators that catch them', async () => {
    const { hits } = await scanLogs(logs, parseScopeFile(scopeText.slice(0, scopeText.indexOf('indicators:')), 'scope.yml'), { reading: { format: 'combined' }, mode: 'all' });
    const indexes = new Map(scope.rules.flatMap((rule) => rule.columns).map((column) => [column, ordersBy(column)]));
    const { suspects: ranked, standouts } = rankClients(hits, (column, value) => indexes.get(column)!.has(value), Number.MAX_SAFE_INTEGER);

    // The script's sweeps, from its rotating addresses; a few stray requests of the attacker's may rank among customers.
    const attacker = compileIndicators(scope.indicators!);
    const isAttacker = (client: (typeof ranked)[number]) => attacker.match(client.ip, client.userAgent, client.account) !== null;
    const sweepers = ranked.filter((client) => isAttacker(client) && client.requests >= 10);
    expect(sweepers.length).toBeGreaterThanOrEqual(8);
    expect(ranked.slice(0, sweepers.length)).toEqual(sweepers);
    const customers = ranked.filter((client) => !isAttacker(client));
    expect(Math.max(...customers.map((client) => client.score))).toBeLessThan(Math.min(...sweepers.map((client) => client.score)) / 4);
    expect(sweepers.every((client) => client.sweep > 0.5)).toBe(true);

    // Every sweeper stands out, and no customer does.
    expect(standouts.filter(isAttacker)).toEqual(standouts);
    expect(standouts.slice(0, sweepers.length)).toEqual(sweepers);
    const block = indicatorsBlock(standouts);
    const suggested = parseScopeFile(`${scopeText.slice(0, scopeText.indexOf('indicators:'))}${block}`, 'suggested.yml');
    expect(suggested.indicators?.userAgents).toEqual(['python-requests/2.22.0']);
    expect(suggested.indicators?.accounts).toEqual(scope.indicators!.accounts);
    expect(suggested.indicators?.ips).toContain(scope.indicators!.ips[0]);
  });
});
