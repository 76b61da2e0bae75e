import { combinedLine, hourPrefix, SECOND_SUFFIXES } from './combined.ts';
import { accountId } from './customers.ts';
import { imei, orderId, ordersPlacedBefore, type OrderTable } from './orders.ts';
import { Random, STREAM, Weighted } from './random.ts';
import {
  ASSETS,
  CATEGORIES,
  CRAWLERS,
  EXTERNAL_REFERERS,
  IMEI_LOOKUP_PATH,
  ORDER_API_PATH,
  PRODUCTS,
  SCANNED_PATHS,
  SCANNER_AGENTS,
  SEARCHES,
  SHOP_URL,
  UPTIME_MONITOR,
} from './site.ts';
import type { TextBuffer } from './text-buffer.ts';
import { LOG_FROM } from './timeline.ts';
import { publicAddress, visitor } from './visitors.ts';

/** What every thread needs to generate traffic: shared, read-only. */
export interface TrafficSetup {
  seed: number;
  table: OrderTable;
  /** Visitors who are not customers, keyed after the customers. */
  anonymousVisitors: number;
}

/** The attacker's lines in one hour, already formatted, at their second within the hour (ascending). */
export interface HourOfAttack {
  seconds: number[];
  lines: string[];
}

/** Visitors browsing at the same time; each line comes from one of them, so sessions interleave as in a real log. */
const ACTIVE_VISITORS = 48;
const NEW_VISITOR_CHANCE = 0.03;
const CUSTOMER_VISIT_CHANCE = 0.35;
const BROWSER = ' HTTP/2.0';
const BOT = ' HTTP/1.1';

/**
 * Writes one hour of the shop's access log: ordinary traffic spread over the hour's seconds,
 * with the attacker's lines merged in at theirs. The hour's random stream depends only on
 * the seed and the hour, so its bytes do not depend on which thread writes it.
 */
export function writeHour(setup: TrafficSetup, hour: number, ordinary: number, attack: HourOfAttack, out: TextBuffer): void {
  new HourOfTraffic(setup, hour).write(ordinary, attack, out);
}

/** Writes one line of a kind of request. */
type RequestKind = (traffic: HourOfTraffic, time: string) => string;

const REQUESTS = new Weighted<RequestKind>([
  [(t, time) => t.asset(time), 45],
  [(t, time) => t.product(time), 13],
  [(t, time) => t.category(time), 6],
  [(t, time) => t.home(time), 5],
  [(t, time) => t.search(time), 4],
  [(t, time) => t.api(time), 9],
  [(t, time) => t.account(time), 3],
  [(t, time) => t.login(time), 1.5],
  [(t, time) => t.checkout(time), 1.5],
  [(t, time) => t.support(time), 1.5],
  [(t, time) => t.ownOrder(time), 0.5],
  [(t, time) => t.missing(time), 1],
  [(t, time) => t.crawler(time), 7],
  [(t, time) => t.scanner(time), 0.8],
  [(t, time) => t.monitor(time), 0.7],
]);

class HourOfTraffic {
  readonly #setup: TrafficSetup;
  readonly #random: Random;
  readonly #start: number;
  // The active visitors, by slot: address, browser, `$remote_user` and the page they are on.
  readonly #ips: string[] = [];
  readonly #agents: string[] = [];
  readonly #users: string[] = [];
  readonly #customers = new Int32Array(ACTIVE_VISITORS);
  readonly #pages: string[] = [];

  constructor(setup: TrafficSetup, hour: number) {
    this.#setup = setup;
    this.#random = new Random(setup.seed, STREAM.traffic, hour);
    this.#start = LOG_FROM + hour * 3600;
    for (let slot = 0; slot < ACTIVE_VISITORS; slot++) this.#arrive(slot);
  }

  write(ordinary: number, attack: HourOfAttack, out: TextBuffer): void {
    const perSecond = new Uint32Array(3600);
    for (let i = 0; i < ordinary; i++) perSecond[this.#random.int(3600)]++;
    const prefix = hourPrefix(this.#start);
    let next = 0;
    for (let second = 0; second < 3600; second++) {
      const attackHere = next < attack.seconds.length && attack.seconds[next] === second;
      if (perSecond[second] === 0 && !attackHere) continue;
      const time = prefix + SECOND_SUFFIXES[second];
      for (let i = perSecond[second]; i > 0; i--) out.add(REQUESTS.pick(this.#random)(this, time));
      while (next < attack.seconds.length && attack.seconds[next] === second) out.add(attack.lines[next++]);
    }
  }

  #arrive(slot: number): void {
    const random = this.#random;
    const { customers } = this.#setup.table;
    const isCustomer = random.chance(CUSTOMER_VISIT_CHANCE);
    const key = isCustomer ? random.int(customers) : customers + random.int(this.#setup.anonymousVisitors);
    const { ip, userAgent } = visitor(this.#setup.seed, key);
    this.#ips[slot] = ip;
    this.#agents[slot] = userAgent;
    this.#customers[slot] = isCustomer ? key : -1;
    this.#users[slot] = isCustomer && random.chance(0.5) ? accountId(key) : '-';
    this.#pages[slot] = random.chance(0.5) ? random.pick(EXTERNAL_REFERERS) : '-';
  }

  /** Picks the visitor of the next line, now and then a newcomer. */
  #someone(): number {
    const random = this.#random;
    const slot = random.int(ACTIVE_VISITORS);
    if (random.chance(NEW_VISITOR_CHANCE)) this.#arrive(slot);
    return slot;
  }

  /** A line from visitor `slot`; when `page`, they are on `path` afterwards and it is the referer of their next request. */
  #line(slot: number, time: string, method: string, path: string, status: number, bytes: number, page: boolean, user = this.#users[slot]): string {
    const line = combinedLine(this.#ips[slot], user, time, `${method} ${path}${BROWSER}`, status, bytes, this.#pages[slot], this.#agents[slot]);
    if (page) this.#pages[slot] = SHOP_URL + path;
    return line;
  }

  asset(time: string): string {
    const [path, size] = this.#random.pick(ASSETS);
    const cached = this.#random.chance(0.25);
    return this.#line(this.#someone(), time, 'GET', path, cached ? 304 : 200, cached ? 0 : size, false, '-');
  }

  product(time: string): string {
    const random = this.#random;
    const slot = this.#someone();
    if (random.chance(0.02)) return this.#line(slot, time, 'GET', `/product/${random.pick(PRODUCTS)}`, 301, 178, false);
    const color = random.chance(0.2) ? `?color=${random.pick(['black', 'silver', 'blue', 'coral'])}` : '';
    return this.#line(slot, time, 'GET', `/products/${random.pick(PRODUCTS)}${color}`, 200, random.between(38_000, 52_000), true);
  }

  category(time: string): string {
    const random = this.#random;
    const sort = random.chance(0.3) ? `?sort=${random.pick(['price_asc', 'price_desc', 'newest'])}&page=${random.between(1, 4)}` : '';
    return this.#line(this.#someone(), time, 'GET', `/category/${random.pick(CATEGORIES)}${sort}`, 200, random.between(61_000, 74_000), true);
  }

  home(time: string): string {
    return this.#line(this.#someone(), time, 'GET', '/', 200, this.#random.between(83_000, 86_000), true);
  }

  search(time: string): string {
    const random = this.#random;
    const page = random.chance(0.15) ? `&page=${random.between(2, 5)}` : '';
    return this.#line(this.#someone(), time, 'GET', `/search?q=${random.pick(SEARCHES)}${page}`, 200, random.between(40_000, 70_000), true);
  }

  api(time: string): string {
    const random = this.#random;
    const slot = this.#someone();
    const call = random.float();
    if (call < 0.6) return this.#line(slot, time, 'GET', `/api/v2/products/${random.between(1001, 1240)}`, 200, random.between(2_000, 6_000), false);
    if (call < 0.85) return this.#line(slot, time, 'GET', '/api/v2/cart', 200, random.between(120, 2_400), false);
    return this.#line(slot, time, 'POST', '/api/v2/cart/items', 201, random.between(300, 900), false);
  }

  account(time: string): string {
    const random = this.#random;
    const slot = this.#someone();
    if (this.#users[slot] === '-') return this.#line(slot, time, 'GET', '/account', 302, 0, false);
    return this.#line(slot, time, 'GET', random.pick(['/account', '/account/orders', '/account/addresses']), 200, random.between(20_000, 30_000), true);
  }

  login(time: string): string {
    const random = this.#random;
    const slot = this.#someone();
    const customer = this.#customers[slot];
    if (customer < 0 || random.chance(0.1)) return this.#line(slot, time, 'POST', '/account/login', 200, random.between(9_000, 9_400), false);
    this.#users[slot] = accountId(customer);
    return this.#line(slot, time, 'POST', '/account/login', 302, 0, false);
  }

  checkout(time: string): string {
    const random = this.#random;
    const slot = this.#someone();
    const step = random.float();
    if (step < 0.5) return this.#line(slot, time, 'GET', '/checkout', 200, random.between(30_000, 34_000), true);
    if (step < 0.8) return this.#line(slot, time, 'POST', '/checkout/payment', 302, 0, false);
    return this.#line(slot, time, 'GET', '/checkout/confirmation', 200, random.between(22_000, 24_000), true);
  }

  support(time: string): string {
    const random = this.#random;
    return this.#line(this.#someone(), time, 'GET', random.pick(['/support', '/support/orders', '/support/contact']), 200, random.between(15_000, 19_000), true);
  }

  /** A customer looking up one of their recent orders through the endpoints the attacker abused. Not a breach. */
  ownOrder(time: string): string {
    const random = this.#random;
    const { table, seed } = this.#setup;
    const placed = ordersPlacedBefore(table, this.#start);
    if (placed === 0) return this.support(time);
    const order = placed - 1 - random.int(Math.ceil(placed * 0.08));
    const customer = table.customer[order];
    const { ip, userAgent } = visitor(seed, customer);
    const user = random.chance(0.7) ? accountId(customer) : '-';
    if (random.chance(0.6)) {
      const value = imei(table.tacs[table.tac[order]], table.serial[order]);
      const lang = random.chance(0.3) ? `&lang=${random.pick(['fr', 'de', 'es', 'it', 'en'])}` : '';
      const path = `${IMEI_LOOKUP_PATH}?imei=${value}${lang}`;
      return combinedLine(ip, user, time, `GET ${path}${BROWSER}`, 200, random.between(6800, 7600), `${SHOP_URL}/support/orders`, userAgent);
    }
    const path = `${ORDER_API_PATH}${orderId(table.number[order])}`;
    return combinedLine(ip, user, time, `GET ${path}${BROWSER}`, 200, random.between(900, 1500), `${SHOP_URL}/account/orders`, userAgent);
  }

  missing(time: string): string {
    const random = this.#random;
    return this.#line(this.#someone(), time, 'GET', `/products/${random.pick(PRODUCTS)}-2017`, 404, random.between(5100, 5200), false);
  }

  crawler(time: string): string {
    const random = this.#random;
    const [userAgent, network] = random.pick(CRAWLERS);
    const path = random.chance(0.05) ? random.pick(['/robots.txt', '/sitemap.xml']) : random.chance(0.7) ? `/products/${random.pick(PRODUCTS)}` : `/category/${random.pick(CATEGORIES)}`;
    return combinedLine(`${network}${random.between(1, 254)}`, '-', time, `GET ${path}${BOT}`, 200, random.between(3_000, 52_000), '-', userAgent);
  }

  scanner(time: string): string {
    const random = this.#random;
    return combinedLine(publicAddress(random), '-', time, `GET ${random.pick(SCANNED_PATHS)}${BOT}`, 404, random.between(5100, 5200), '-', random.pick(SCANNER_AGENTS));
  }

  monitor(time: string): string {
    const [userAgent, network] = UPTIME_MONITOR;
    return combinedLine(`${network}${this.#random.between(2, 30)}`, '-', time, `HEAD /${BOT}`, 200, 0, '-', userAgent);
  }
}
