/**
 * Paging through a scope run's affected people with the API's filters, on a shop of 150
 * customers in several countries (some written in lower case or with spaces, some blank, some
 * who moved between two imports) whose orders two rules exposed differently: every page
 * boundary is walked with cursors, against the full list that notices are built from.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { affectedPersonJson } from '../src/db/index.ts';
import type { OpenContext } from '../src/context.ts';
import type { Category } from '../src/domain/index.ts';
import { createIncident } from '../src/incidents/index.ts';
import { importRecords } from '../src/records/index.ts';
import { csvLine } from '../src/lib/csv.ts';
import { AFFECTED_CSV_HEADER, affectedCsv, affectedCsvCells, type AffectedPageQuery, affectedPage, affectedPageJson, affectedPersonView, type AffectedSubject, affectedSubjects, runScope } from '../src/scoping/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-affected-paging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CUSTOMERS = 150;
const COUNTRIES = ['FR', 'DE', 'be', ' it ', 'ES', '', 'NL'];
const HEADER = 'order_id,email,name,phone,imei,card_last4,address,country';

/** A deterministic stream of numbers in [0, 1): the same shop on both databases. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const rand = random(13);
const pick = <T,>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
// Addresses that sort in surprising ways: digits, dots, underscores, one that is another's prefix.
const emailOf = (n: number) => [`c${n}@shop.example`, `c${n}.x@mail.example`, `C_${n}@Mail.Example`, `${n}c@post.example`][n % 4];

const firstOrders: string[] = [HEADER];
const laterOrders: string[] = [HEADER];
const attacks: string[] = [];
let order = 0;
const line = (time: string, target: string, status: number) => `203.0.113.9 - - [${time} +0000] "GET ${target} HTTP/1.1" ${status} 512 "-" "curl/7.64.0"`;
for (let n = 0; n < CUSTOMERS; n++) {
  const email = emailOf(n);
  const orders = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < orders; k++) {
    order++;
    firstOrders.push(`SO${order},${email},Customer ${n},${rand() < 0.5 ? `+3361234${String(order).padStart(4, '0')}` : ''},35${String(order).padStart(13, '0')},${rand() < 0.4 ? '4242' : ''},${n} Main St,${pick(COUNTRIES)}`);
    // The attacker read most orders, by IMEI (no phone, no card) or by number (all of it), some both ways.
    const how = rand();
    if (how < 0.45) attacks.push(line('01/Nov/2019:10:00:00', `/support/lookup?imei=35${String(order).padStart(13, '0')}`, 200));
    else if (how < 0.75) attacks.push(line('02/Nov/2019:10:00:00', `/api/orders/SO${order}`, 200));
    else if (how < 0.85) attacks.push(line('02/Nov/2019:10:00:00', `/api/orders/SO${order}`, 404));
  }
  // A later export: a fifth of the customers ordered again from another country, some with none written.
  if (rand() < 0.2) {
    order++;
    // Some under a new name, some with none written: a person is addressed by their newest record's name.
    laterOrders.push(`SO${order},${email},${pick([`Customer ${n}`, `Customer ${n} Newname`, ''])},,,,${n} New St,${pick(['PL', 'se', '', 'FR'])}`);
  }
}

const SCOPE = `rules:
  - name: imei-lookup
    request: GET /support/lookup?imei=:imei
    exposes: [name, email, postal_address]
  - name: order-api
    request: GET /api/orders/:order_id
    exposes: [name, email, phone, postal_address, payment_card_last4]
    status: [200]
indicators:
  ips: ["203.0.113.0/24"]
  from: 2019-11-01T00:00:00Z
  until: 2019-11-30T23:59:59Z
`;

const IMPORT = {
  key: 'order_id',
  subject: 'email',
  country: 'country',
  map: { name: 'name', phone: 'phone', card_last4: 'payment_card_last4', address: 'postal_address', imei: 'device_id' },
  ruleColumns: ['imei', 'order_id'],
};

/** The country the filter goes by: the one notices take, as ISO codes are written. */
const filterCountry = (subject: AffectedSubject) => subject.country?.trim().toUpperCase() || null;

describeEachDatabase('paging through the affected people with filters', (database) => {
  let ctx: OpenContext;
  let id: string;
  let everyone: AffectedSubject[];
  const files = (name: string) => join(dir, `${database().dialect}-${name}`);

  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, { title: 'Paging', aware_at: '2019-11-14T16:00:00Z' }));
    writeFileSync(files('orders-1.csv'), `${firstOrders.join('\n')}\n`);
    writeFileSync(files('orders-2.csv'), `${laterOrders.join('\n')}\n`);
    writeFileSync(files('scope.yml'), SCOPE);
    writeFileSync(files('access.log'), `${attacks.join('\n')}\n`);
    await importRecords(ctx, id, files('orders-1.csv'), IMPORT);
    await importRecords(ctx, id, files('orders-2.csv'), IMPORT);
    await runScope(ctx, id, { rulesPath: files('scope.yml'), logs: [files('access.log')] });
    ({ subjects: everyone } = await affectedSubjects(ctx, id));
  });
  afterAll(() => ctx?.close());

  /** A page as the API sends it: the database's JSON of each person, which must be what affectedPersonView makes of the page's objects, keys in order. */
  async function expectJsonOf(query: AffectedPageQuery, page: Awaited<ReturnType<typeof affectedPage>>) {
    const json = await affectedPageJson(ctx, id, query);
    expect({ ...json, items: JSON.stringify(JSON.parse(json.items)) }).toEqual({ run: page.run, items: JSON.stringify(page.subjects.map(affectedPersonView)), next: page.next });
  }

  /** Every page of a query, following the cursor, with each page's size; each page's JSON checked against its objects. */
  async function walk(query: Omit<AffectedPageQuery, 'after'>): Promise<{ subjects: string[]; sizes: number[] }> {
    const subjects: string[] = [];
    const sizes: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await affectedPage(ctx, id, { ...query, after });
      await expectJsonOf({ ...query, after }, page);
      subjects.push(...page.subjects.map((s) => s.subject));
      sizes.push(page.subjects.length);
      if (page.next === null) break;
      expect(page.next).toBe(page.subjects.at(-1)!.subject);
      after = page.next;
      expect(sizes.length).toBeLessThan(everyone.length + 2);
    }
    return { subjects, sizes };
  }

  /** What a walk must give: the full list's people the filter keeps, in its order. */
  const expected = (keep: (subject: AffectedSubject) => boolean) => everyone.filter(keep).map((s) => s.subject);

  it('has a shop whose people spread over the filters', () => {
    expect(everyone.length).toBeGreaterThan(100);
    const countries = new Set(everyone.map(filterCountry));
    expect(countries).toContain(null);
    expect(countries).toContain('BE');
    expect(countries).toContain('PL');
    const phone = everyone.filter((s) => s.exposed.includes('phone')).length;
    expect(phone).toBeGreaterThan(10);
    expect(phone).toBeLessThan(everyone.length - 10);
  });

  it("stores each person's country as the notices take it: from their newest record that names one", async () => {
    const rows = await ctx.db.selectFrom('affected').select(['subject', 'country']).where('incident_id', '=', id).orderBy('subject').execute();
    expect(rows).toEqual(everyone.map((s) => ({ subject: s.subject, country: filterCountry(s) })));
    // Those who ordered again from another country in the later export are filed under the new one.
    const moved = laterOrders
      .slice(1)
      .map((row) => row.split(','))
      .filter((cells) => cells[7] !== '')
      .map(([, email, , , , , , country]) => ({ subject: email.toLowerCase(), country: country.toUpperCase() }))
      .filter(({ subject }) => everyone.some((s) => s.subject === subject));
    expect(moved.length).toBeGreaterThan(3);
    expect(rows.filter((row) => moved.some((m) => m.subject === row.subject))).toEqual(moved.sort((a, b) => rows.findIndex((r) => r.subject === a.subject) - rows.findIndex((r) => r.subject === b.subject)));
  });

  it('walks every filter at every page size: no one missed or repeated, in order, full pages until the last', async () => {
    const countries = [...new Set(everyone.map(filterCountry).filter((c): c is string => c !== null))];
    const categories: Category[] = ['phone', 'payment_card_last4', 'postal_address'];
    const filters: [Omit<AffectedPageQuery, 'after' | 'limit'>, (s: AffectedSubject) => boolean][] = [
      [{}, () => true],
      ...countries.map((country): [Omit<AffectedPageQuery, 'after' | 'limit'>, (s: AffectedSubject) => boolean] => [{ country: country.toLowerCase() }, (s) => filterCountry(s) === country]),
      ...categories.map((category): [Omit<AffectedPageQuery, 'after' | 'limit'>, (s: AffectedSubject) => boolean] => [{ category }, (s) => s.exposed.includes(category)]),
      ...countries.flatMap((country) =>
        categories.map((category): [Omit<AffectedPageQuery, 'after' | 'limit'>, (s: AffectedSubject) => boolean] => [
          { country, category },
          (s) => filterCountry(s) === country && s.exposed.includes(category),
        ]),
      ),
      [{ country: 'JP' }, () => false],
    ];
    for (const [filter, keep] of filters) {
      const want = expected(keep);
      for (const limit of [1, 7, 100]) {
        const { subjects, sizes } = await walk({ ...filter, limit });
        const label = `${JSON.stringify(filter)} limit ${limit}`;
        expect(subjects, label).toEqual(want);
        expect(new Set(subjects).size, label).toBe(subjects.length);
        // Full pages, then one short one (empty when the last full page ended the list).
        expect(sizes.slice(0, -1).every((size) => size === limit), label).toBe(true);
        expect(sizes.at(-1), label).toBe(want.length % limit);
      }
    }
  });

  it('writes the CSV a page at a time, the same text at every page size as the full list gives', async () => {
    const text = async (filter: Omit<AffectedPageQuery, 'after' | 'limit'>, pageSize: number) => {
      const { chunks } = await affectedCsv(ctx, id, filter, pageSize);
      let all = '';
      for await (const chunk of chunks) all += chunk;
      return all;
    };
    const csv = (subjects: AffectedSubject[]) => [AFFECTED_CSV_HEADER, ...subjects.map(affectedCsvCells)].map(csvLine).join('');
    for (const pageSize of [1, 7, 1000]) {
      expect(await text({}, pageSize)).toBe(csv(everyone));
      expect(await text({ category: 'phone' }, pageSize)).toBe(csv(everyone.filter((s) => s.exposed.includes('phone'))));
    }
    expect(await text({ country: 'JP' }, 7)).toBe(csv([]));
  });

  it('ends a walk whose last page is exactly full with an empty page, and goes on after any subject', async () => {
    const country = filterCountry(everyone.find((s) => filterCountry(s) === 'FR')!)!;
    const want = expected((s) => filterCountry(s) === country && s.exposed.includes('postal_address'));
    const full = await affectedPage(ctx, id, { limit: want.length, country, category: 'postal_address' });
    expect(full.subjects.map((s) => s.subject)).toEqual(want);
    expect(full.next).toBe(want.at(-1));
    expect(await affectedPage(ctx, id, { limit: want.length, country, category: 'postal_address', after: full.next! })).toMatchObject({ subjects: [], next: null });
    // A cursor need not be one of the filter's people: the page starts after it in subject order.
    const outsider = everyone.findIndex((s, i) => i > 20 && filterCountry(s) !== country);
    const page = await affectedPage(ctx, id, { limit: 5, country, category: 'postal_address', after: everyone[outsider].subject });
    const later = new Set(everyone.slice(outsider + 1).map((s) => s.subject));
    expect(page.subjects.map((s) => s.subject)).toEqual(want.filter((subject) => later.has(subject)).slice(0, 5));
  });

  it("addresses each person by the name on their newest record that has one, on every page", async () => {
    const names = new Map<string, string>();
    for (const row of [...firstOrders.slice(1), ...laterOrders.slice(1)]) {
      const [, email, name] = row.split(',');
      if (name !== '') names.set(email.toLowerCase(), name);
    }
    expect(everyone.filter((s) => s.name?.endsWith('Newname')).length).toBeGreaterThan(3);
    expect(everyone.map((s) => s.name)).toEqual(everyone.map((s) => names.get(s.subject)));
    const paged: (string | null)[] = [];
    for (let after: string | null | undefined; after !== null; ) {
      const page = await affectedPage(ctx, id, { limit: 7, after });
      paged.push(...page.subjects.map((s) => s.name));
      after = page.next;
    }
    expect(paged).toEqual(everyone.map((s) => s.name));
  });

  it('tells an unknown incident and one not scoped yet from the end of the list, and takes the id as typed', async () => {
    const last = everyone.at(-1)!.subject;
    expect(await affectedPage(ctx, ` ${id.toUpperCase()} `, { limit: 3, after: last })).toEqual({ run: 1, subjects: [], next: null });
    expect(await affectedPageJson(ctx, ` ${id.toUpperCase()} `, { limit: 3, after: last })).toEqual({ run: 1, items: '[]', next: null });
    expect((await affectedPage(ctx, id.toUpperCase(), { limit: 2 })).subjects).toEqual(everyone.slice(0, 2));
    await expectJsonOf({ limit: 2 }, { run: 1, subjects: everyone.slice(0, 2), next: everyone[1].subject });
    await expect(affectedPage(ctx, 'nope42', { limit: 10 })).rejects.toMatchObject({ code: 'INCIDENT_NOT_FOUND', kind: 'not_found' });
    await expect(affectedPageJson(ctx, 'nope42', { limit: 10 })).rejects.toMatchObject({ code: 'INCIDENT_NOT_FOUND', kind: 'not_found' });
    const bare = await createIncident(ctx, { title: 'Not scoped', aware_at: '2019-11-14T16:00:00Z' });
    await expect(affectedPage(ctx, bare.id, { limit: 10 })).rejects.toMatchObject({ code: 'NO_SCOPE_RUN', kind: 'conflict' });
    await expect(affectedPageJson(ctx, bare.id, { limit: 10 })).rejects.toMatchObject({ code: 'NO_SCOPE_RUN', kind: 'conflict' });
  });

  it('writes hostile text in JSON as the views do: quotes, backslashes, control and line separators, bidi overrides, emoji, markup', async () => {
    // PostgreSQL's text holds no NUL; SQLite's may.
    const nul = database().dialect === 'sqlite' ? 'nul\u0000 ' : '';
    const hostile = ['"quoted" \\back\\slash\\', `${nul}bell\u0007 esc\u001b tab\t nl\n cr\r`, 'ls\u2028 ps\u2029 del\u007f', 'rtl\u202egnp.exe 😀 é 中文', '</script><script>alert(1)</script>', "'; DROP TABLE affected; --"];
    const victims = everyone.slice(3, 3 + hostile.length);
    for (const [k, person] of victims.entries()) {
      await ctx.db
        .updateTable('affected')
        .set({ email: hostile[k], name: hostile[(k + 1) % hostile.length], locale: hostile[(k + 2) % hostile.length], region: hostile[(k + 3) % hostile.length], records: JSON.stringify(hostile) })
        .where('incident_id', '=', id)
        .where('subject', '=', person.subject)
        .execute();
    }
    // The person's JSON as a scope run writes it from these columns.
    await sql`UPDATE affected SET person_json = ${affectedPersonJson(database().dialect, 'affected')} WHERE incident_id = ${id}`.execute(ctx.db);
    const query = { limit: 10, after: everyone[1].subject };
    const page = await affectedPage(ctx, id, query);
    expect(page.subjects.slice(1, 1 + hostile.length).map((s) => [s.email, s.records])).toEqual(hostile.map((text) => [text, hostile]));
    await expectJsonOf(query, page);
  });

  it("gives each filtered person the same row as the full list's", async () => {
    const page = await affectedPage(ctx, id, { limit: 1000, country: 'fr', category: 'phone' });
    expect(page.subjects.length).toBeGreaterThan(0);
    expect(page.subjects).toEqual(everyone.filter((s) => filterCountry(s) === 'FR' && s.exposed.includes('phone')));
  });

  it('shows people as the latest run found them: records imported since reach the list once the incident is scoped again', async () => {
    const index = everyone.findIndex((s) => s.name !== null && filterCountry(s) !== 'SE');
    const person = everyone[index];
    const onlyThem = { limit: 1, after: everyone[index - 1]?.subject };
    writeFileSync(files('orders-3.csv'), `${HEADER}\nSO9999,${person.email},Renamed Person,,,,1 Other St,se\n`);
    await importRecords(ctx, id, files('orders-3.csv'), IMPORT);
    const before = await affectedPage(ctx, id, onlyThem);
    expect(before.subjects).toEqual([person]);
    await runScope(ctx, id, { rulesPath: files('scope.yml'), logs: [files('access.log')] });
    const after = await affectedPage(ctx, id, onlyThem);
    expect(after.subjects).toEqual([{ ...person, name: 'Renamed Person', country: 'SE' }]);
    expect((await affectedSubjects(ctx, id)).subjects.find((s) => s.subject === person.subject)).toEqual(after.subjects[0]);
  });
});
