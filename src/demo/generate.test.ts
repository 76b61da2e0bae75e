import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { normalizeEmail } from '../lib/email-address.ts';
import { generateDemoShop, type DemoSummary } from './generate.ts';

/**
 * Generates a small shop, then reads its files back as scoping will — CSV with quoted
 * multi-line fields, logs including the gzipped one — and recomputes the ground truth.
 */

const OPTIONS = { orders: 2_000, logLines: 40_000, seed: 7 };
const FILES = ['orders.csv', 'access.log.2.gz', 'access.log.1', 'access.log', 'scope.yml', 'truth.json'];
const REQUIRED_COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'GB', 'US', 'IN'];

interface Order {
  order_id: string;
  email: string;
  name: string;
  address: string;
  country: string;
  imei: string;
}

interface LogLine {
  ip: string;
  user: string;
  instant: number;
  method: string;
  target: string;
  status: number;
  userAgent: string;
}

interface Truth {
  indicators: { ips: string[]; user_agents: string[]; accounts: string[]; from: string; until: string };
  attack_requests: number;
  affected: { email: string; exposed: string[]; records: string[] }[];
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') field += text[i++];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  const [header, ...records] = rows;
  return records.map((values) => Object.fromEntries(header.map((name, i) => [name, values[i]])));
}

const COMBINED = /^(\S+) - (\S+) \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{4})\] "(\S+) (\S+) HTTP\/[\d.]+" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parseLine(line: string): LogLine {
  const match = COMBINED.exec(line);
  if (!match) throw new Error(`not an nginx combined line: ${line}`);
  const [, ip, user, day, month, year, clock, offset, method, target, status, , , userAgent] = match;
  const monthNumber = String(MONTHS.indexOf(month) + 1).padStart(2, '0');
  const instant = Date.parse(`${year}-${monthNumber}-${day}T${clock}${offset.slice(0, 3)}:${offset.slice(3)}`) / 1000;
  return { ip, user, instant, method, target, status: Number(status), userAgent };
}

function addressValue(ip: string): { v6: boolean; value: bigint } {
  if (!ip.includes(':')) return { v6: false, value: ip.split('.').reduce((value, octet) => (value << 8n) + BigInt(octet), 0n) };
  const [head, tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return { v6: true, value: groups.reduce((value, group) => (value << 16n) + BigInt(parseInt(group, 16)), 0n) };
}

function inRange(ip: string, entry: string): boolean {
  const [base, bits] = entry.split('/');
  const address = addressValue(ip);
  const network = addressValue(base);
  if (address.v6 !== network.v6) return false;
  const width = address.v6 ? 128 : 32;
  const shift = BigInt(width - (bits === undefined ? width : Number(bits)));
  return address.value >> shift === network.value >> shift;
}

const globMatches = (glob: string, value: string) =>
  new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

function matchesIndicator(line: LogLine, { ips, user_agents, accounts }: Truth['indicators']): boolean {
  return ips.some((entry) => inRange(line.ip, entry)) || user_agents.some((glob) => globMatches(glob, line.userAgent)) || accounts.includes(line.user);
}

/** The order a request names through one of the two rules, with the categories it reveals, or null. */
function exposure(line: LogLine): { order: Order; exposed: string[] } | null {
  if (line.method !== 'GET') return null;
  const [path, query = ''] = line.target.split('?');
  if (path === '/support/orders/lookup' && line.status >= 200 && line.status < 300) {
    const order = ordersByImei.get(new URLSearchParams(query).get('imei') ?? '');
    return order ? { order, exposed: ['name', 'email', 'phone', 'postal_address'] } : null;
  }
  const id = /^\/api\/v2\/orders\/([^/]+)$/.exec(path)?.[1];
  if (id !== undefined && line.status === 200) {
    const order = ordersById.get(decodeURIComponent(id));
    return order ? { order, exposed: ['name', 'email', 'phone', 'postal_address', 'payment_card_last4'] } : null;
  }
  return null;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

let root: string;
let summary: DemoSummary;
let orders: Order[];
let logs: string[][];
let lines: LogLine[];
let truth: Truth;
let ordersByImei: Map<string, Order>;
let ordersById: Map<string, Order>;
/** The attack window, in Unix seconds. */
let from: number;
let until: number;
const read = (file: string, dir = join(root, 'a')) => readFile(join(dir, file));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tocsin-demo-'));
  summary = await generateDemoShop({ outDir: join(root, 'a'), ...OPTIONS });
  orders = parseCsv((await read('orders.csv')).toString('utf8')) as unknown as Order[];
  logs = await Promise.all(
    ['access.log.2.gz', 'access.log.1', 'access.log'].map(async (file) => {
      const bytes = await read(file);
      return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('latin1').split('\n').slice(0, -1);
    }),
  );
  lines = logs.flat().map(parseLine);
  truth = JSON.parse((await read('truth.json')).toString('utf8'));
  ordersByImei = new Map(orders.map((order) => [order.imei, order]));
  ordersById = new Map(orders.map((order) => [order.order_id, order]));
  from = Date.parse(truth.indicators.from) / 1000;
  until = Date.parse(truth.indicators.until) / 1000;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateDemoShop', () => {
  test('the ground truth is what the rules find in the files', () => {
    const subjects = new Map<string, { exposed: Set<string>; records: Set<string> }>();
    let attackRequests = 0;
    for (const line of lines) {
      if (line.instant < from || line.instant > until || !matchesIndicator(line, truth.indicators)) continue;
      attackRequests++;
      const found = exposure(line);
      if (!found) continue;
      const email = normalizeEmail(found.order.email) as string;
      const subject = subjects.get(email) ?? { exposed: new Set<string>(), records: new Set<string>() };
      subjects.set(email, subject);
      for (const category of found.exposed) subject.exposed.add(category);
      subject.records.add(found.order.order_id);
    }
    const affected = [...subjects]
      .map(([email, { exposed, records }]) => ({ email, exposed: [...exposed].sort(), records: [...records].sort() }))
      .sort((a, b) => (a.email < b.email ? -1 : 1));

    expect(truth.attack_requests).toBe(attackRequests);
    expect(truth.affected).toEqual(affected);
    const share = summary.affectedRecords / OPTIONS.orders;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.15);
    expect(summary).toMatchObject({ attackRequests, affectedSubjects: affected.length, logLines: OPTIONS.logLines, orders: OPTIONS.orders });
  });

  test('scope.yml states the rules and the same indicators as the truth', async () => {
    const scope = (await read('scope.yml')).toString('utf8');
    expect(scope).toContain('request: GET /support/orders/lookup?imei=:imei');
    expect(scope).toContain('request: GET /api/v2/orders/:order_id');
    expect(scope).toContain(`ips: ${JSON.stringify(truth.indicators.ips).replaceAll(',', ', ')}`);
    expect(scope).toContain(`accounts: ${JSON.stringify(truth.indicators.accounts)}`);
    expect(scope).toContain('from: 2019-10-30T00:00:00Z\n  until: 2019-11-13T23:59:59Z\n');
  });

  test('the same seed gives the same bytes, another seed other bytes', async () => {
    await generateDemoShop({ outDir: join(root, 'b'), ...OPTIONS });
    await generateDemoShop({ outDir: join(root, 'c'), ...OPTIONS, seed: OPTIONS.seed + 1 });
    for (const file of FILES) {
      expect((await read(file, join(root, 'b'))).equals(await read(file)), file).toBe(true);
      expect((await read(file, join(root, 'c'))).equals(await read(file)), file).toBe(false);
    }
  });

  test('orders look like a real shop export', async () => {
    expect((await read('orders.csv')).toString('utf8').split('\n')[0]).toBe(
      'order_id,email,name,phone,address,country,region,locale,imei,card_last4,created_at',
    );
    expect(orders).toHaveLength(OPTIONS.orders);
    expect(orders.every((order) => /^\d{15}$/.test(order.imei) && luhnValid(order.imei))).toBe(true);
    for (const country of REQUIRED_COUNTRIES) expect(orders.some((order) => order.country === country), country).toBe(true);
    expect(orders.some((order) => order.address.includes('\n'))).toBe(true);
    expect(orders.some((order) => order.name.includes("'"))).toBe(true);
    expect(orders.some((order) => /[éüñç]/.test(order.name + order.address))).toBe(true);
    expect(orders.some((order) => order.email !== order.email.trim())).toBe(true);

    const spellings = new Map<string, Set<string>>();
    for (const order of orders) {
      const subject = normalizeEmail(order.email) as string;
      spellings.set(subject, (spellings.get(subject) ?? new Set()).add(order.email.trim()));
    }
    expect([...spellings.values()].some((emails) => emails.size > 1)).toBe(true);
    expect(summary.customers).toBe(spellings.size);
  });

  test('every line is nginx combined, chronological across the files, split in about thirds', () => {
    expect(lines).toHaveLength(OPTIONS.logLines);
    for (const file of logs) expect(file.length / OPTIONS.logLines).toBeGreaterThan(0.25);
    expect(lines.every((line, i) => i === 0 || lines[i - 1].instant <= line.instant)).toBe(true);
    expect(logs.flat().every((line) => line.includes(' +0800] '))).toBe(true);
    expect(logs.flat().every((line) => /^[\x20-\x7e]+$/.test(line))).toBe(true);
  });

  test('the attack has the traits scoping must handle', () => {
    const attacker = lines.filter((line) => matchesIndicator(line, truth.indicators));
    for (const status of [200, 404, 429]) expect(attacker.some((line) => line.status === status), String(status)).toBe(true);
    expect(attacker.some((line) => line.method === 'HEAD')).toBe(true);
    expect(attacker.some((line) => line.method === 'POST')).toBe(true);
    expect(attacker.some((line) => line.ip.includes(':'))).toBe(true);
    expect(attacker.some((line) => line.target.includes('%3'))).toBe(true);
    expect(attacker.some((line) => line.target.includes('?lang=en&imei='))).toBe(true);
    const outside = attacker.filter((line) => line.instant < from || line.instant > until);
    expect(outside.some((line) => line.instant < from && line.method === 'GET' && line.status === 200)).toBe(true);
    expect(outside.some((line) => line.instant > until)).toBe(true);
  });

  test("customers' own lookups are ordinary traffic and expose nobody", () => {
    const affected = new Set(truth.affected.map((subject) => subject.email));
    const own = lines.filter((line) => !matchesIndicator(line, truth.indicators) && exposure(line));
    expect(own.length).toBeGreaterThan(20);
    const subjects = own.map((line) => normalizeEmail(exposure(line)!.order.email));
    expect(subjects.some((email) => !affected.has(email as string))).toBe(true);
  });

  test('rejects options out of range', async () => {
    await expect(generateDemoShop({ outDir: join(root, 'd'), ...OPTIONS, orders: 0 })).rejects.toThrow(/orders: 0 is out of range/);
  });
});
