import { combinedLine, timeLocal } from './combined.ts';
import { accountId } from './customers.ts';
import { imei, LAST_SERIAL, orderId, ordersPlacedBefore, type OrderTable } from './orders.ts';
import { Random, STREAM } from './random.ts';
import { IMEI_LOOKUP, ORDER_API, type ExposureRule, type Indicators } from './rules.ts';
import { BROWSERS, IMEI_LOOKUP_PATH, ORDER_API_PATH, SHOP_URL } from './site.ts';
import { ATTACK_FROM, ATTACK_FROM_ISO, ATTACK_UNTIL, ATTACK_UNTIL_ISO } from './timeline.ts';

/**
 * The breach: for two weeks a script enumerates the support IMEI lookup and the order API
 * from rotating addresses. Around it, the few requests that make scoping interesting: a
 * browser look-around, HEAD and POST probes, an address outside the indicator list, and
 * requests just outside the window.
 */

export interface AttackRequest {
  /** Unix seconds. */
  time: number;
  ip: string;
  user: string;
  method: 'GET' | 'HEAD' | 'POST';
  target: string;
  status: number;
  bytes: number;
  referer: string;
  userAgent: string;
  /** The order the request names, as an index into the order table; -1 when it names none. */
  order: number;
  /** The rule whose endpoint the request calls, if any. */
  rule: ExposureRule | null;
}

export interface Attack {
  indicators: Indicators;
  /** Chronological. */
  requests: AttackRequest[];
}

const SCRIPT = 'python-requests/2.22.0';
/** Share of the orders placed before the attack that the sweeps set out to read. */
const REACH = 0.1;
/** How much of the log the sweeps may take when the orders alone would call for more. */
const MAX_SHARE_OF_LOG = 0.03;
const MIN_SWEEP_REQUESTS = 50;
/** Sweeps run on a little past the last phone sold or order placed, into 404s. */
const OVERSHOOT = 20;
const HOUR = 3600;
const DAY = 24 * HOUR;

interface Infrastructure {
  /** The first days' address, then a proxy pool in one IPv4 /24, then one in one IPv6 /48. */
  single: string;
  subnet: readonly string[];
  ipv6: readonly string[];
  /** An address the responders never learnt of: its requests are the attacker's by user agent or account only. */
  stray: string;
  account: string;
  indicators: Indicators;
}

/** One request of the sweeping script, before it is given a time and an address. */
interface Step {
  target: string;
  status: number;
  bytes: number;
  order: number;
  rule: ExposureRule;
}

interface Session {
  start: number;
  seconds: number;
  ips: readonly string[];
  /** Requests of the script in this session. */
  count: number;
}

export function planAttack(seed: number, table: OrderTable, logLines: number): Attack {
  const random = new Random(seed, STREAM.attack);
  const infrastructure = equip(random, table);
  // Orders placed before the reconnaissance the hour before the window: they all existed throughout.
  const visible = ordersPlacedBefore(table, ATTACK_FROM - 2 * HOUR);
  const budget = Math.max(MIN_SWEEP_REQUESTS, Math.round(logLines * MAX_SHARE_OF_LOG));
  const steps = sweep(random, table, visible, Math.max(1, Math.round(visible * REACH)), budget);
  const sessions = schedule(random, infrastructure, steps.length);
  const requests = [...timeSteps(random, steps, sessions, infrastructure), ...probes(random, table, visible, steps, sessions, infrastructure)];
  requests.sort((a, b) => a.time - b.time);
  return { indicators: infrastructure.indicators, requests };
}

/** The request as the shop's nginx logged it. */
export function attackLine(request: AttackRequest): string {
  const protocol = request.userAgent === SCRIPT ? 'HTTP/1.1' : 'HTTP/2.0';
  return combinedLine(
    request.ip,
    request.user,
    timeLocal(request.time),
    `${request.method} ${request.target} ${protocol}`,
    request.status,
    request.bytes,
    request.referer,
    request.userAgent,
  );
}

function distinct(count: number, make: () => string): string[] {
  const values = new Set<string>();
  while (values.size < count) values.add(make());
  return [...values];
}

function equip(random: Random, table: OrderTable): Infrastructure {
  const hextet = () => random.between(1, 0xffff).toString(16);
  const prefix = `2001:db8:${random.between(0x1000, 0xffff).toString(16)}`;
  const single = `198.51.100.${random.between(2, 254)}`;
  // The newest account in the shop: registered for the attack, it has no orders.
  const account = accountId(table.customers + random.between(3, 40));
  return {
    single,
    subnet: distinct(5, () => `203.0.113.${random.between(2, 254)}`),
    ipv6: distinct(4, () =>
      random.chance(0.5) ? `${prefix}:${hextet()}::${hextet()}` : `${prefix}:${hextet()}:${hextet()}:${hextet()}:${hextet()}:${hextet()}`,
    ),
    stray: `192.0.2.${random.between(2, 254)}`,
    account,
    indicators: {
      ips: [single, '203.0.113.0/24', `${prefix}::/48`],
      user_agents: ['python-requests/*'],
      accounts: [account],
      from: ATTACK_FROM_ISO,
      until: ATTACK_UNTIL_ISO,
    },
  };
}

/** `%33` for `3`: the script sometimes encodes digits, and scoping must decode them. */
function encodeSomeDigits(random: Random, digits: string): string {
  const always = random.int(digits.length);
  let out = '';
  for (let i = 0; i < digits.length; i++) out += i === always || random.chance(0.2) ? `%3${digits[i]}` : digits[i];
  return out;
}

function imeiTarget(random: Random, value: string): string {
  const form = random.float();
  if (form < 0.85) return `${IMEI_LOOKUP_PATH}?imei=${value}`;
  if (form < 0.92) return `${IMEI_LOOKUP_PATH}?lang=en&imei=${value}`;
  if (form < 0.96) return `${IMEI_LOOKUP_PATH}?imei=${value}&lang=en`;
  return `${IMEI_LOOKUP_PATH}?imei=${encodeSomeDigits(random, value)}`;
}

function orderTarget(random: Random, number: number): string {
  return `${ORDER_API_PATH}SO${random.chance(0.02) ? encodeSomeDigits(random, String(number)) : number}`;
}

/** nginx's own error pages, served when the request never reaches the shop. */
const NGINX_PAGE_BYTES: Record<number, number> = { 403: 153, 405: 157, 429: 169 };

/** Response sizes: the lookup answers an HTML page, the API JSON. */
function lookupBytes(random: Random, status: number): number {
  if (status === 200) return random.between(6800, 7600);
  return status === 404 ? random.between(5100, 5200) : NGINX_PAGE_BYTES[status];
}

function apiBytes(random: Random, status: number): number {
  if (status === 200) return random.between(900, 1500);
  return status === 404 ? 48 : NGINX_PAGE_BYTES[status];
}

/** Splits `total` into up to ten sweeps of about twenty hits each. */
function portions(total: number): number[] {
  const count = Math.min(10, Math.max(1, Math.round(total / 20)));
  return Array.from({ length: count }, (_, i) => Math.floor((total * (i + 1)) / count) - Math.floor((total * i) / count));
}

/** Orders by a numeric key that runs densely — serials of one model, order numbers: orders[key - first], -1 for none. */
interface KeyIndex {
  first: number;
  orders: Int32Array;
}

function indexBy(visible: number, key: (order: number) => number, include: (order: number) => boolean = () => true): KeyIndex {
  let first = Number.MAX_SAFE_INTEGER;
  let last = -1;
  for (let order = 0; order < visible; order++) {
    if (!include(order)) continue;
    first = Math.min(first, key(order));
    last = Math.max(last, key(order));
  }
  const orders = new Int32Array(Math.max(0, last - first + 1)).fill(-1);
  for (let order = 0; order < visible; order++) if (include(order)) orders[key(order) - first] = order;
  return { first, orders };
}

/**
 * The script's requests in order: sequential sweeps through the serials of a phone model and
 * through order numbers, each stopping after its share of hits or a little past the last
 * key in use. Rate-limited requests (429) are retried until they pass.
 */
function sweep(random: Random, table: OrderTable, visible: number, reach: number, budget: number): Step[] {
  const bySerial = table.tacs.map((_, model) => indexBy(visible, (order) => table.serial[order], (order) => table.tac[order] === model));
  const models = bySerial.flatMap((index, model) => (index.orders.length > 0 ? [model] : []));
  const byNumber = indexBy(visible, (order) => table.number[order]);

  let untilThrottled = random.between(5, 40);
  let throttled = 0;
  const rateLimited = () => {
    if (throttled > 0) {
      throttled--;
      return true;
    }
    if (--untilThrottled > 0) return false;
    untilThrottled = random.between(50, 400);
    throttled = random.between(0, 5);
    return true;
  };

  const steps: Step[] = [];
  const sweepKeys = (index: KeyIndex, hits: number, limit: number, rule: ExposureRule, target: (key: number) => string, bytes: typeof lookupBytes) => {
    const end = Math.min(index.first + index.orders.length + OVERSHOOT, limit);
    for (let key = index.first + random.int(index.orders.length); hits > 0 && key < end && steps.length < budget; ) {
      const order = key - index.first < index.orders.length ? index.orders[key - index.first] : -1;
      const status = rateLimited() ? 429 : order >= 0 ? 200 : 404;
      steps.push({ target: target(key), status, bytes: bytes(random, status), order, rule });
      if (status === 429) continue;
      if (order >= 0) hits--;
      key++;
    }
  };
  const sweepSerials = (hits: number) => {
    const model = random.pick(models);
    const target = (serial: number) => imeiTarget(random, imei(table.tacs[model], serial));
    sweepKeys(bySerial[model], hits, LAST_SERIAL + 1, IMEI_LOOKUP, target, lookupBytes);
  };
  const sweepNumbers = (hits: number) => {
    sweepKeys(byNumber, hits, Number.MAX_SAFE_INTEGER, ORDER_API, (number) => orderTarget(random, number), apiBytes);
  };

  // The script starts with the IMEI lookup and later alternates with the order API.
  const imeiHits = Math.round(reach * 0.7);
  const [opening, ...serialSweeps] = portions(imeiHits).map((hits) => () => sweepSerials(hits));
  const later = [...serialSweeps, ...portions(reach - imeiHits).map((hits) => () => sweepNumbers(hits))];
  random.shuffle(later);
  for (const run of [opening, ...later]) run();
  return steps;
}

/**
 * One or two sittings a day: the first five days from one address, then from the proxy pools.
 * The script runs at about one request a second, so a sitting lasts as long as its share of
 * the requests takes, up to five hours.
 */
function schedule(random: Random, infrastructure: Infrastructure, requests: number): Session[] {
  const days = Array.from({ length: 15 }, (_, day) => ({
    ips: day < 5 ? [infrastructure.single] : day < 10 || random.chance(0.3) ? infrastructure.subnet : infrastructure.ipv6,
    weights: random.chance(0.5) ? [random.between(1, 4), random.between(1, 4)] : [random.between(1, 4)],
  }));
  const totalWeight = days.flatMap(({ weights }) => weights).reduce((sum, weight) => sum + weight, 0);
  const sessions: Session[] = [];
  let weightSoFar = 0;
  let scheduled = 0;
  days.forEach(({ ips, weights }, day) => {
    // Starts by 10:00, sittings of at most 5 h, 1–3 h apart: the day's work ends by 23:00.
    let start = ATTACK_FROM + day * DAY + random.int(10 * HOUR);
    for (const weight of weights) {
      weightSoFar += weight;
      const count = Math.round((weightSoFar / totalWeight) * requests) - scheduled;
      const seconds = Math.min(5 * HOUR, Math.max(60, Math.round(count * random.between(8, 20) / 10)));
      sessions.push({ start, seconds, ips, count });
      scheduled += count;
      start += seconds + random.between(HOUR, 3 * HOUR);
    }
  });
  return sessions;
}

/** Gives the script's requests their times and addresses, rotating through each session's. */
function timeSteps(random: Random, steps: readonly Step[], sessions: readonly Session[], infrastructure: Infrastructure): AttackRequest[] {
  const requests: AttackRequest[] = [];
  for (const { start, seconds, ips, count } of sessions) {
    for (let k = 0; k < count; k++) {
      requests.push({
        ...steps[requests.length],
        time: start + Math.floor(((k + random.float()) * seconds) / count),
        ip: random.pick(ips),
        user: infrastructure.account,
        method: 'GET',
        referer: '-',
        userAgent: SCRIPT,
      });
    }
  }
  return requests;
}

/** The requests around the script; each names an order the script did not reach, so that getting them wrong shows. */
function probes(
  random: Random,
  table: OrderTable,
  visible: number,
  steps: readonly Step[],
  sessions: readonly Session[],
  { single, subnet, ipv6, stray, account }: Infrastructure,
): AttackRequest[] {
  const named = new Uint8Array(visible);
  for (const step of steps) if (step.order >= 0) named[step.order] = 1;
  const unnamedOrder = () => {
    for (let tries = 0; tries < 100; tries++) {
      const order = random.int(visible);
      if (!named[order]) {
        named[order] = 1;
        return order;
      }
    }
    // A tiny shop may have no order left that nothing names.
    return random.int(visible);
  };
  const browser = random.pick(BROWSERS);
  const duringSession = () => {
    const session = random.pick(sessions);
    return { time: session.start + random.int(session.seconds), ip: random.pick(session.ips) };
  };
  type ProbeArguments = [method: AttackRequest['method'], status: number, at: { time: number; ip: string }, user?: string, userAgent?: string];
  const probe = (rule: ExposureRule, ...[method, status, at, user = account, userAgent = SCRIPT]: ProbeArguments): AttackRequest => {
    const order = unnamedOrder();
    const byImei = rule === IMEI_LOOKUP;
    const target = byImei
      ? `${IMEI_LOOKUP_PATH}?imei=${imei(table.tacs[table.tac[order]], table.serial[order])}`
      : `${ORDER_API_PATH}${orderId(table.number[order])}`;
    const bytes = method === 'HEAD' ? 0 : (byImei ? lookupBytes : apiBytes)(random, status);
    const referer = userAgent === SCRIPT ? '-' : `${SHOP_URL}/support/orders`;
    return { ...at, user, method, target, status, bytes, referer, userAgent, order, rule };
  };
  const lookup = (...args: ProbeArguments) => probe(IMEI_LOOKUP, ...args);
  const api = (...args: ProbeArguments) => probe(ORDER_API, ...args);
  const heads = 2 + Math.round(steps.length * 0.002);
  const posts = 2 + Math.round(steps.length * 0.001);
  const firstSitting = sessions[0].start;
  const strayTime = ATTACK_FROM + 12 * DAY + 22 * HOUR;
  const reconnaissance = ATTACK_FROM - HOUR + random.int(600);
  const blocked = ATTACK_UNTIL + 6 * HOUR + random.int(HOUR);
  return [
    // A look at the support page in a browser, trying the form with one IMEI: the attacker's by address only.
    {
      time: firstSitting,
      ip: single,
      user: '-',
      method: 'GET',
      target: '/support/orders',
      status: 200,
      bytes: 18_412,
      referer: `${SHOP_URL}/support`,
      userAgent: browser,
      order: -1,
      rule: null,
    },
    lookup('GET', 200, { time: firstSitting + 45, ip: single }, '-', browser),
    // HEAD and POST requests reveal nothing, whatever their status.
    ...Array.from({ length: heads }, (_, i) => (i % 2 ? api : lookup)('HEAD', 200, duringSession(), '-')),
    ...Array.from({ length: posts }, (_, i) => (i % 2 ? api('POST', 405, duringSession()) : lookup('POST', 200, duringSession()))),
    // From an address missing from the indicators: the attacker's by user agent, then by account.
    ...[0, 1, 2].map((i) => lookup('GET', 200, { time: strayTime + i * 7, ip: stray }, '-')),
    api('GET', 200, { time: strayTime + 60, ip: stray }, account, browser),
    // Reconnaissance the hour before the window, and the window's edges: outside reveals nothing, inside does.
    ...[0, 1, 2].map((i) => lookup('GET', 200, { time: reconnaissance + i * 11, ip: single })),
    api('GET', 200, { time: reconnaissance + 40, ip: single }),
    api('GET', 200, { time: ATTACK_FROM - 1, ip: single }),
    lookup('GET', 200, { time: ATTACK_FROM, ip: single }),
    lookup('GET', 200, { time: ATTACK_UNTIL, ip: random.pick(ipv6) }),
    api('GET', 200, { time: ATTACK_UNTIL + 1, ip: random.pick(ipv6) }),
    // Back after the shop blocked the script.
    ...[0, 1, 2].map((i) => lookup('GET', 403, { time: blocked + i * 5, ip: random.pick(subnet) })),
  ];
}
