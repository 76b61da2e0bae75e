import { customer } from './customers.ts';
import { Random, STREAM, Weighted } from './random.ts';
import type { TextBuffer } from './text-buffer.ts';
import { LOG_UNTIL, ORDERS_FROM } from './timeline.ts';

/**
 * The shop's orders, compact enough to share between threads for a million of them. Orders
 * are numbered and placed in index order; the other fields of an order are generated from
 * the seed when its CSV row is written.
 */
export interface OrderTable {
  count: number;
  customers: number;
  /** Type Allocation Codes: the first 8 digits of the IMEIs of the phone models sold. */
  tacs: readonly string[];
  /** 10000001 for SO10000001: sequential, with a few numbers missing (cancelled orders are not exported). */
  number: Int32Array;
  customer: Int32Array;
  /** Index into `tacs`. */
  tac: Uint8Array;
  /** Digits 9–14 of the IMEI: each model's phones are sold in a dense run of serials. */
  serial: Int32Array;
}

export const CSV_HEADER = 'order_id,email,name,phone,address,country,region,locale,imei,card_last4,created_at\n';

const FIRST_ORDER_NUMBER = 10000001;
/** IMEI serials have six digits. */
export const LAST_SERIAL = 999_999;
const ORDERS_PER_TAC = 150_000;

export const orderId = (number: number) => `SO${number}`;

/** 15 digits: TAC, serial, and the Luhn check digit. */
export function imei(tac: string, serial: number): string {
  const body = tac + String(serial).padStart(6, '0');
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = body.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + ((10 - (sum % 10)) % 10);
}

const shared = <T>(Type: new (buffer: SharedArrayBuffer) => T, bytes: number) => new Type(new SharedArrayBuffer(bytes));

export function buildOrderTable(seed: number, count: number): OrderTable {
  const random = new Random(seed, STREAM.orderTable);

  // About a third of customers come back for 2–6 orders; their orders are spread over time.
  const customerOf = shared(Int32Array, count * 4);
  let customers = 0;
  for (let filled = 0; filled < count; customers++) {
    const orders = random.chance(0.65) ? 1 : random.between(2, 6);
    for (let k = 0; k < orders && filled < count; k++) customerOf[filled++] = customers;
  }
  random.shuffle(customerOf);

  // Enough phone models that no model runs out of serials.
  const tacs: string[] = [];
  while (tacs.length < 3 + Math.ceil(count / ORDERS_PER_TAC)) {
    const tac = random.pick(['35', '86']) + random.fill('######');
    if (!tacs.includes(tac)) tacs.push(tac);
  }
  const models = new Weighted(tacs.map((_, index) => [index, random.between(1, 2)] as const));
  const nextSerial = tacs.map(() => random.between(10_000, 99_999));

  const number = shared(Int32Array, count * 4);
  const tac = shared(Uint8Array, count);
  const serial = shared(Int32Array, count * 4);
  for (let i = 0; i < count; i++) {
    number[i] = i === 0 ? FIRST_ORDER_NUMBER : number[i - 1] + (random.chance(0.02) ? 2 : 1);
    let model = models.pick(random);
    while (nextSerial[model] + 3 > LAST_SERIAL) model = (model + 1) % tacs.length;
    // Some serials of a run went to other channels than the web shop: a sweep finds gaps.
    serial[i] = nextSerial[model] + (random.chance(0.35) ? random.between(1, 3) : 0);
    nextSerial[model] = serial[i] + 1;
    tac[i] = model;
  }
  return { count, customers, tacs, number, customer: customerOf, tac, serial };
}

const placementStep = (table: OrderTable) => (LOG_UNTIL - ORDERS_FROM) / table.count;

/** How many of the first orders had surely been placed before `instant` (Unix seconds). */
export function ordersPlacedBefore(table: OrderTable, instant: number): number {
  return Math.min(table.count, Math.max(0, Math.floor((instant - ORDERS_FROM) / placementStep(table))));
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/** ISO 8601 to the second, in UTC; remembers the day, as consecutive orders share it (toISOString is slow). */
function isoFormatter(): (instant: number) => string {
  let day = -1;
  let date = '';
  return (instant) => {
    if (Math.floor(instant / 86400) !== day) {
      day = Math.floor(instant / 86400);
      date = new Date(day * 86400_000).toISOString().slice(0, 11);
    }
    const second = instant - day * 86400;
    return `${date}${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}Z`;
  };
}

/** Rows `first`…`first + count - 1` of orders.csv. */
export function writeOrderRows(seed: number, table: OrderTable, first: number, count: number, out: TextBuffer): void {
  const random = new Random(seed, STREAM.orderRows, first);
  const step = placementStep(table);
  const iso = isoFormatter();
  for (let i = first; i < first + count; i++) {
    const person = customer(seed, table.customer[i]);
    let email = random.pick(person.emails);
    if (random.chance(0.01)) email = random.chance(0.5) ? ` ${email} ` : `${email} `;
    const placedAt = ORDERS_FROM + Math.floor((i + random.float()) * step);
    out.add(
      `${orderId(table.number[i])},${csvField(email)},${csvField(person.name)},${person.phone},${csvField(person.address)},` +
        `${person.country.code},${person.region},${person.locale},${imei(table.tacs[table.tac[i]], table.serial[i])},` +
        `${random.fill('####')},${iso(placedAt)}\n`,
    );
  }
}
