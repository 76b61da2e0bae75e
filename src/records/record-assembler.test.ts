import { describe, expect, it } from 'vitest';
import { resolveMapping, type MappingOptions } from './mapping.ts';
import { addressedName, checkStorable, planColumns, RecordAssembler, UnstorableCell, type ImportEvent } from './record-assembler.ts';

const HEADER = ['order', 'email', 'first', 'last', 'ship_first', 'ship_last', 'street', 'city', 'imei', 'locale', 'notes'];
const OPTIONS: MappingOptions = {
  key: 'order',
  subject: 'email',
  locale: 'locale',
  map: { email: 'email', first: 'name', last: 'name', street: 'postal_address', city: 'postal_address' },
  ruleColumns: ['imei'],
};

const cellsOf = (row: Record<string, string>) => (column: number) => checkStorable((row[HEADER[column]] ?? '').trim());

/** Assembles rows given as objects (absent columns are empty), numbered from line 2; quarantined rows without their values. */
function assemble(rows: Record<string, string>[], options: MappingOptions = OPTIONS): ImportEvent[] {
  return assembleWithValues(rows, options).map((event) => (event.type === 'quarantined' ? { type: event.type, line: event.line, reason: event.reason } : event) as ImportEvent);
}

function assembleWithValues(rows: Record<string, string>[], options: MappingOptions = OPTIONS): ImportEvent[] {
  const assembler = new RecordAssembler(planColumns(resolveMapping(options, HEADER), HEADER));
  const events: ImportEvent[] = [];
  rows.forEach((row, index) => {
    assembler.addRow(index + 2, cellsOf(row));
    events.push(...assembler.take());
  });
  return [...events, ...assembler.finish()];
}

const valuesOf = (events: ImportEvent[]) => events.flatMap((event) => (event.type === 'quarantined' ? [event.values.map(({ column, value }) => `${column}=${value}`)] : []));

const ROW = {
  order: 'SO1',
  email: ' Marie.Dupont@Example.FR ',
  first: 'Marie',
  last: 'Dupont',
  street: '1 rue Haute',
  city: 'Paris',
  imei: '359394490610106',
  locale: 'fr-FR',
  notes: 'ring twice',
};

describe('RecordAssembler', () => {
  it('makes a record of a row: normalized subject, mapped fields, rule values, nothing unmapped', () => {
    expect(assemble([ROW])).toEqual([
      {
        type: 'record',
        line: 2,
        record: {
          key: 'SO1',
          subject: 'marie.dupont@example.fr',
          email: 'Marie.Dupont@Example.FR',
          locale: 'fr-FR',
          country: null,
          region: null,
          fields: { email: 'Marie.Dupont@Example.FR', name: 'Marie Dupont', postal_address: '1 rue Haute, Paris' },
          ruleValues: { imei: '359394490610106' },
        },
      },
    ]);
  });

  it('joins the parts of a name with a space and of an address with a comma, leaving empty parts out', () => {
    const [event] = assemble([{ ...ROW, first: 'Antonín', last: 'Dvořák', city: '', locale: '' }]);
    expect(event).toMatchObject({ record: { fields: { name: 'Antonín Dvořák', postal_address: '1 rue Haute' }, locale: null } });
  });

  it('keeps the distinct values of a category apart on lines of their own, once each', () => {
    const [event] = assemble([ROW, { order: 'SO1', first: 'Marie', last: 'Martin' }, { order: 'SO1', first: 'Marie', last: 'Dupont', street: '2 rue Basse', city: 'Lyon' }]);
    expect(event).toMatchObject({ record: { fields: { name: 'Marie Dupont\nMarie Martin', postal_address: '1 rue Haute, Paris\n2 rue Basse, Lyon' } } });
  });

  it('addresses a person by the first of their distinct names, the billing one', () => {
    expect(addressedName('Anna Dvořáková\nOtilie Suková')).toBe('Anna Dvořáková');
    expect(addressedName('Antonín Dvořák')).toBe('Antonín Dvořák');
    expect(addressedName('')).toBeNull();
    expect(addressedName(undefined)).toBeNull();
  });

  it("joins the parts of a preset's groups apart: billing and shipping name are two values, one when alike", () => {
    const header = ['order_id', 'billing_email', 'billing_first_name', 'billing_last_name', 'shipping_first_name', 'shipping_last_name', 'billing_address_1', 'billing_city'];
    const plan = planColumns(resolveMapping({ preset: 'woocommerce-webtoffee' }, header), header);
    const rows = [
      ['7', 'a@example.cz', 'Antonín', 'Dvořák', 'Antonín', 'Dvořák', 'Na Příkopě 1\nbyt 4', 'Praha'],
      ['8', 'b@example.cz', 'Anna', 'Dvořáková', 'Otilie', 'Suková', '', ''],
    ];
    const assembler = new RecordAssembler(plan);
    rows.forEach((row, index) => assembler.addRow(index + 2, (column) => row[column] ?? ''));
    const fields = assembler.finish().map((event) => (event.type === 'record' ? event.record.fields : null));
    expect(fields).toEqual([
      { email: 'a@example.cz', name: 'Antonín Dvořák', postal_address: 'Na Příkopě 1\nbyt 4, Praha' },
      { email: 'b@example.cz', name: 'Anna Dvořáková\nOtilie Suková' },
    ]);
  });

  it('quarantines rows without a key or a usable email, naming the column only', () => {
    const events = assemble([
      { ...ROW, order: ' ' },
      { ...ROW, order: 'SO2', email: '' },
      { ...ROW, order: 'SO3', email: 'marie.dupont at example.fr' },
      { ...ROW, order: 'SO4' },
    ]);
    expect(events).toEqual([
      { type: 'quarantined', line: 2, reason: "column 'order' is empty" },
      { type: 'quarantined', line: 3, reason: "column 'email' is empty" },
      { type: 'quarantined', line: 4, reason: "column 'email' is not an email address" },
      expect.objectContaining({ type: 'record', line: 5 }),
    ]);
  });

  it('merges rows that continue the order before them, as Shopify writes line items', () => {
    const events = assemble([
      ROW,
      { order: 'SO1', email: 'marie.dupont@example.fr', imei: '359394490610114' },
      { order: 'SO1', imei: '359394490610106', locale: 'fr-BE' },
      { ...ROW, order: 'SO2', email: 'jean@example.fr' },
    ]);
    expect(events.map((event) => event.line)).toEqual([2, 5]);
    expect(events[0]).toMatchObject({
      record: { key: 'SO1', locale: 'fr-FR', fields: { name: 'Marie Dupont' }, ruleValues: { imei: '359394490610106\n359394490610114' } },
    });
  });

  it('quarantines a row with a cell it cannot store, and a row continuing an order keeps none of its cells', () => {
    const events = assemble([
      ROW,
      { order: 'SO1', email: '', street: '2 rue Basse', city: 'Pa\u0000ris', imei: '359394490610114' },
      { ...ROW, order: 'SO2', last: 'Du\udc00' },
    ]);
    expect(events).toEqual([
      { type: 'quarantined', line: 3, reason: "column 'city' holds a NUL character" },
      { type: 'quarantined', line: 4, reason: "column 'last' holds an unpaired UTF-16 surrogate" },
      expect.objectContaining({ line: 2, record: expect.objectContaining({ ruleValues: { imei: '359394490610106' } }) }),
    ]);
    expect(events[2]).toMatchObject({ record: { fields: { postal_address: '1 rue Haute, Paris' } } });
  });

  it('keeps the values a quarantined row can be read by, each line of a cell apart, as far as the row could be read', () => {
    const events = assembleWithValues([
      { ...ROW, order: 'SO2', email: '', imei: '359394490610106\n359394490610114' },
      ROW,
      // Fails at 'city': the cells after it (the IMEI) are not read, and the row before's do not stand in for them.
      { ...ROW, order: 'SO3', city: 'Pa\u0000ris' },
    ]);
    expect(valuesOf(events)).toEqual([
      ['order=SO2', 'first=Marie', 'last=Dupont', 'street=1 rue Haute', 'city=Paris', 'imei=359394490610106', 'imei=359394490610114'],
      ['order=SO3', 'email=Marie.Dupont@Example.FR', 'first=Marie', 'last=Dupont', 'street=1 rue Haute'],
    ]);
  });

  it('reads what it can of a row the reader refuses, and nothing of one refused unread', () => {
    const assembler = new RecordAssembler(planColumns(resolveMapping(OPTIONS, HEADER), HEADER));
    assembler.quarantine(2, '12 columns where the header has 11', cellsOf({ order: 'SO5', email: 'x@example.org', notes: 'unread' }));
    assembler.quarantine(3, 'invalid UTF-8 bytes');
    expect(assembler.take()).toEqual([
      { type: 'quarantined', line: 2, reason: '12 columns where the header has 11', values: [{ column: 'order', value: 'SO5' }, { column: 'email', value: 'x@example.org' }] },
      { type: 'quarantined', line: 3, reason: 'invalid UTF-8 bytes', values: [] },
    ]);
  });

  it('lets an error other than an unstorable cell through: a bug is not a bad row', () => {
    const assembler = new RecordAssembler(planColumns(resolveMapping(OPTIONS, HEADER), HEADER));
    const throwing = (error: Error) => () => {
      throw error;
    };
    expect(() => assembler.addRow(2, throwing(new TypeError('bug')))).toThrow(TypeError);
    assembler.addRow(2, throwing(new UnstorableCell('nests too deep')));
    expect(assembler.take()).toEqual([{ type: 'quarantined', line: 2, reason: "column 'order' nests too deep", values: [] }]);
  });

  it('quarantines a row that repeats the key of the order before with another email', () => {
    const events = assemble([ROW, { ...ROW, email: 'jean@example.fr' }]);
    expect(events).toEqual([
      { type: 'quarantined', line: 3, reason: 'the row continues the order on line 2 with another email address' },
      expect.objectContaining({ type: 'record', line: 2 }),
    ]);
  });

  it('keeps records of one subject apart when their keys differ, and holds back only the last', () => {
    const assembler = new RecordAssembler(planColumns(resolveMapping(OPTIONS, HEADER), HEADER));
    const valueAt = (row: Record<string, string>) => (column: number) => row[HEADER[column]] ?? '';
    assembler.addRow(2, valueAt(ROW));
    assembler.addRow(3, valueAt({ ...ROW, order: 'SO2', email: 'marie.dupont@EXAMPLE.fr' }));
    expect(assembler.take()).toMatchObject([{ line: 2, record: { key: 'SO1' } }]);
    expect(assembler.finish()).toMatchObject([{ line: 3, record: { key: 'SO2', subject: 'marie.dupont@example.fr' } }]);
    expect(assembler.finish()).toEqual([]);
  });
});
