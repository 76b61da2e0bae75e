import { describe, expect, it } from 'vitest';
import type { Category } from '../records/categories.ts';
import { computeExposures, lookupKey, type AttackerRequest, type HeldRecord } from './exposures.ts';

const RULES = new Map<string, Category[]>([
  ['imei-lookup', ['name', 'email', 'phone', 'postal_address']],
  ['order-api', ['name', 'email', 'phone', 'postal_address', 'payment_card_last4']],
]);
const HELD: Category[] = ['name', 'email', 'phone', 'postal_address', 'payment_card_last4', 'device_id'];
const RECORDS: HeldRecord[] = [
  { key: 'SO1', subject: 'ana@example.com', categories: HELD },
  { key: 'SO2', subject: 'ana@example.com', categories: HELD },
  { key: 'SO3', subject: 'bo@example.com', categories: HELD },
];

function request(overrides: Partial<AttackerRequest>): AttackerRequest {
  return {
    file: 'access.log',
    line: 1,
    time: Date.UTC(2019, 10, 1),
    method: 'GET',
    target: '/',
    status: 200,
    rule: 'imei-lookup',
    column: 'imei',
    value: '350000000000001',
    ip: '203.0.113.7',
    indicator: 'ip 203.0.113.0/24',
    exposes: true,
    ...overrides,
  };
}

function exposures(requests: AttackerRequest[]) {
  return computeExposures({
    requests,
    rules: RULES,
    keysByValue: new Map([
      [lookupKey('imei', '350000000000001'), ['SO1']],
      [lookupKey('order_id', 'SO1'), ['SO1']],
      [lookupKey('order_id', 'SO3'), ['SO3']],
    ]),
    records: new Map(RECORDS.map((record) => [record.key, record])),
    recordsBySubject: new Map([
      ['ana@example.com', ['SO1', 'SO2']],
      ['bo@example.com', ['SO3']],
    ]),
  });
}

describe('computeExposures', () => {
  it("gives a record's subject the rule's categories, and the rest of what they hold as not exposed", () => {
    const { subjects, evidence } = exposures([request({ line: 7 })]);
    expect(subjects).toEqual([
      {
        subject: 'ana@example.com',
        exposed: ['name', 'email', 'phone', 'postal_address'].map((category) => ({ category, firstAccess: Date.UTC(2019, 10, 1), lastAccess: Date.UTC(2019, 10, 1), requests: 1 })),
        notExposed: ['payment_card_last4', 'device_id'],
        records: ['SO1'],
        firstAccess: Date.UTC(2019, 10, 1),
        lastAccess: Date.UTC(2019, 10, 1),
        requests: 1,
      },
    ]);
    expect(evidence).toMatchObject([{ subject: 'ana@example.com', recordKey: 'SO1', request: { line: 7 } }]);
  });

  it('unites what two rules exposed of one record, with first and last access per category', () => {
    const { subjects } = exposures([
      request({ line: 1, time: 3000 }),
      request({ line: 2, time: 1000, rule: 'order-api', column: 'order_id', value: 'SO1' }),
      request({ line: 3, time: 2000 }),
    ]);
    expect(subjects).toHaveLength(1);
    const [ana] = subjects;
    expect(ana.exposed.map((e) => e.category)).toEqual(['name', 'email', 'phone', 'postal_address', 'payment_card_last4']);
    expect(ana.exposed[0]).toEqual({ category: 'name', firstAccess: 1000, lastAccess: 3000, requests: 3 });
    expect(ana.exposed[4]).toEqual({ category: 'payment_card_last4', firstAccess: 1000, lastAccess: 1000, requests: 1 });
    expect(ana.notExposed).toEqual(['device_id']);
    expect(ana).toMatchObject({ firstAccess: 1000, lastAccess: 3000, requests: 3 });
  });

  it('keeps misses as evidence without exposing, and counts values that match no record', () => {
    const { subjects, evidence, unknownValues } = exposures([
      request({ rule: 'order-api', column: 'order_id', value: 'SO3', status: 404, exposes: false }),
      request({ value: '999', exposes: true }),
      request({ value: '998', exposes: false }),
    ]);
    expect(subjects).toEqual([]);
    expect(evidence).toMatchObject([{ subject: 'bo@example.com', recordKey: 'SO3', request: { status: 404 } }]);
    expect(unknownValues).toBe(1);
  });
});
