import type { Category } from '../domain/index.ts';
import { PART_SEPARATORS, type ColumnMapping } from './mapping.ts';
import { normalizeEmail } from '../lib/email-address.ts';

/** One order as Tocsin keeps it: who it belongs to, and its values by data category. */
export interface ImportedRecord {
  key: string;
  /** The normalized email: the subject's identity. */
  subject: string;
  /** The email as written in the file, trimmed. */
  email: string;
  locale: string | null;
  country: string | null;
  region: string | null;
  /**
   * Mapped values. The parts of one value (first and last name, an address's lines) are joined
   * with their category's separator; distinct values of one category (billing and shipping
   * address, two phones, what rows of one order add) with '\n'.
   */
  fields: Partial<Record<Category, string>>;
  /** Values of the rule columns, joined with '\n' like fields when rows of one order differ. */
  ruleValues: Record<string, string>;
}

/**
 * `line` is the 1-based line of the file where the row starts. Reasons name columns, never values.
 * A quarantined row keeps the values it could be read by (see QuarantinedValue), to be hashed.
 */
export type ImportEvent =
  | { type: 'record'; line: number; record: ImportedRecord }
  | { type: 'quarantined'; line: number; reason: string; values: QuarantinedValue[] };

/**
 * A value a rule could bind in a quarantined row — its key, email, mapped or kept cells, one per
 * line of a cell — read as far as the row allows: kept only as a keyed hash, so that a scope
 * run can tell that the attacker read that row (a person missing from the affected list).
 */
export type QuarantinedValue = { column: string; value: string };

/**
 * A row's value in header column `column`, trimmed; '' when empty or absent. Throws
 * UnstorableCell for a value that cannot be stored as it is: the row is then quarantined.
 */
export type ValueAt = (column: number) => string;

/** Why a cell cannot be stored, in words that follow its column's name (never its value). */
export class UnstorableCell extends Error {}

/**
 * `text`, unless it holds a NUL or an unpaired surrogate, which no stored value may: PostgreSQL
 * refuses NUL in text where SQLite keeps it, and an unpaired surrogate has no UTF-8 form, so each
 * database would store U+FFFD and two keys could become one. Rather than store a value the shop
 * never wrote (a name in a notice, an address), the row is quarantined with its line, as rows of
 * invalid UTF-8 bytes are: real exports hold neither, so such a row is broken or hostile.
 */
export function checkStorable(text: string): string {
  if (text.includes('\0')) throw new UnstorableCell('holds a NUL character');
  if (!text.isWellFormed()) throw new UnstorableCell('holds an unpaired UTF-16 surrogate');
  return text;
}

// Keys and rule values are indexed, and a PostgreSQL index entry holds at most 2,704 bytes: a
// longer one would abort the import there while SQLite took it. Order numbers and IMEIs are short.
export const MAX_INDEXED_CHARS = 256;

/**
 * A column's name as a reason quotes it. Names come from the file: bounded, so a huge one is not
 * copied into every quarantined row, and with control and format characters (NUL, escapes, bidi
 * overrides) shown as U+FFFD, so it stores on both databases and prints as plain text.
 */
export function columnLabel(name: string): string {
  const bounded = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  return `'${bounded.replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '\uFFFD')}'`;
}

/** The mapping as header positions: what a row is read through. -1 marks an absent column. */
export interface ColumnPlan {
  names: readonly string[];
  key: number;
  subject: number;
  locale: number;
  country: number;
  region: number;
  categories: readonly { column: number; category: Category }[];
  /** The values a row gives each category: one per mapped column, or one of several columns' parts. */
  values: readonly { category: Category; cells: readonly number[]; separator: string }[];
  rules: readonly { column: number; name: string }[];
}

export function planColumns(mapping: ColumnMapping, header: readonly string[]): ColumnPlan {
  const at = (column: string | null) => (column === null ? -1 : header.indexOf(column));
  const mapped = Object.keys(mapping.map);
  // Positions in `categories`, and so in a row's category cells.
  const cellOf = (column: string) => mapped.indexOf(column);
  const inParts = new Set(mapping.parts.flat());
  const values = [
    ...mapping.parts.map((group) => ({ category: mapping.map[group[0]], cells: group.map(cellOf), separator: PART_SEPARATORS[mapping.map[group[0]]] ?? ' ' })),
    ...mapped.filter((column) => !inParts.has(column)).map((column) => ({ category: mapping.map[column], cells: [cellOf(column)], separator: '' })),
  ];
  return {
    names: header,
    key: at(mapping.key),
    subject: at(mapping.subject),
    locale: at(mapping.locale),
    country: at(mapping.country),
    region: at(mapping.region),
    categories: mapped.map((column) => ({ column: at(column), category: mapping.map[column] })),
    values,
    rules: mapping.keep.map((name) => ({ column: at(name), name })),
  };
}

type RecordEvent = Extract<ImportEvent, { type: 'record' }>;

// Where each of a row's cells sits in the array it is read into: the roles, then the categories, then the rules.
const KEY = 0;
const SUBJECT = 1;
const LOCALE = 2;
const COUNTRY = 3;
const REGION = 4;
const CATEGORIES = 5;

/**
 * Turns rows into records and quarantined rows, in file order. Rows that repeat the key of
 * the row before continue its order — Shopify writes one row per line item, with the
 * addresses on the first only — and are merged into it; such a row may leave the email empty,
 * but not give another one. So a record is complete, and emitted, only once a row with
 * another key (or the end) comes.
 */
export class RecordAssembler {
  readonly #plan: ColumnPlan;
  /** The header column of each cell a row is read at; -1 for an absent one. */
  readonly #columns: readonly number[];
  /** The current row's cells, read once each before anything is decided, so a bad one leaves no trace. */
  readonly #cells: string[];
  /** Where the key and the rule cells are in #cells: the indexed ones. */
  readonly #indexed: readonly number[];
  /** The header columns of #cells whose values identify a row: all but locale, country and region. */
  readonly #identifying: readonly number[];
  /** How many of #cells the current row filled: a row that fails on a cell leaves the rest stale. */
  #filled = 0;
  #events: ImportEvent[] = [];
  #pending: RecordEvent | null = null;

  constructor(plan: ColumnPlan) {
    this.#plan = plan;
    this.#columns = [plan.key, plan.subject, plan.locale, plan.country, plan.region, ...plan.categories.map((c) => c.column), ...plan.rules.map((r) => r.column)];
    this.#cells = this.#columns.map(() => '');
    const firstRule = CATEGORIES + plan.categories.length;
    this.#indexed = [KEY, ...plan.rules.map((_, k) => firstRule + k)];
    this.#identifying = this.#columns.map((_, at) => at).filter((at) => at === KEY || at === SUBJECT || at >= CATEGORIES);
  }

  addRow(line: number, valueAt: ValueAt): void {
    const problem = this.#read(valueAt);
    if (problem !== null) return this.#quarantineRead(line, problem);
    const plan = this.#plan;
    const cells = this.#cells;
    const key = cells[KEY];
    const email = cells[SUBJECT];
    const subject = email === '' ? null : normalizeEmail(email);
    const pending = this.#pending;
    if (pending !== null && pending.record.key === key && (email === '' || subject === pending.record.subject)) {
      return this.#continue(pending.record);
    }
    if (email === '') return this.#quarantineRead(line, `column ${columnLabel(plan.names[plan.subject])} is empty`);
    if (subject === null) return this.#quarantineRead(line, `column ${columnLabel(plan.names[plan.subject])} is not an email address`);
    if (pending?.record.key === key) {
      return this.#quarantineRead(line, `the row continues the order on line ${pending.line} with another email address`);
    }
    if (pending !== null) this.#events.push(pending);
    const record: ImportedRecord = {
      key,
      subject,
      email,
      locale: cells[LOCALE] || null,
      country: cells[COUNTRY] || null,
      region: cells[REGION] || null,
      fields: {},
      ruleValues: {},
    };
    this.#collect(record);
    this.#pending = { type: 'record', line, record };
  }

  /**
   * Quarantines a row the reader refuses before the assembler sees it (a wrong number of
   * columns, say). With `valueAt`, its values are read as far as they can be, to be kept hashed.
   */
  quarantine(line: number, reason: string, valueAt?: ValueAt): void {
    if (valueAt === undefined) return void this.#events.push({ type: 'quarantined', line, reason, values: [] });
    this.#read(valueAt);
    this.#quarantineRead(line, reason);
  }

  /** Quarantines the row #read last, with the identifying values it filled. */
  #quarantineRead(line: number, reason: string): void {
    const values: QuarantinedValue[] = [];
    for (const at of this.#identifying) {
      if (at >= this.#filled || this.#columns[at] < 0) continue;
      const column = this.#plan.names[this.#columns[at]];
      for (const value of this.#cells[at].split('\n')) {
        if (value !== '' && !values.some((seen) => seen.column === column && seen.value === value)) values.push({ column, value });
      }
    }
    this.#events.push({ type: 'quarantined', line, reason, values });
  }

  /** The events decided so far. The last record stays back: the next row may continue it. */
  take(): ImportEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** The remaining events, once there are no more rows. */
  finish(): ImportEvent[] {
    if (this.#pending !== null) this.#events.push(this.#pending);
    this.#pending = null;
    return this.take();
  }

  /** Reads the row's cells into #cells; what is wrong with the row if one cannot be stored, else null. */
  #read(valueAt: ValueAt): string | null {
    const columns = this.#columns;
    const cells = this.#cells;
    let at = 0;
    try {
      for (; at < columns.length; at++) cells[at] = columns[at] < 0 ? '' : valueAt(columns[at]);
    } catch (error) {
      if (!(error instanceof UnstorableCell)) throw error;
      return `column ${columnLabel(this.#plan.names[columns[at]])} ${error.message}`;
    } finally {
      this.#filled = at;
    }
    if (cells[KEY] === '') return `column ${columnLabel(this.#plan.names[this.#plan.key])} is empty`;
    for (const at of this.#indexed) {
      if (tooLongToIndex(cells[at])) return `column ${columnLabel(this.#plan.names[columns[at]])} holds a value longer than ${MAX_INDEXED_CHARS} characters`;
    }
    return null;
  }

  /** A row continuing `record`'s order adds its values, and what the first rows left empty. */
  #continue(record: ImportedRecord): void {
    const cells = this.#cells;
    record.locale ??= cells[LOCALE] || null;
    record.country ??= cells[COUNTRY] || null;
    record.region ??= cells[REGION] || null;
    this.#collect(record);
  }

  #collect(record: ImportedRecord): void {
    const cells = this.#cells;
    const { categories, values, rules } = this.#plan;
    for (const { category, cells: parts, separator } of values) {
      const value = parts.length === 1 ? cells[CATEGORIES + parts[0]] : joinParts(cells, parts, separator);
      if (value !== '') record.fields[category] = joinDistinct(record.fields[category], value);
    }
    for (let k = 0; k < rules.length; k++) {
      const value = cells[CATEGORIES + categories.length + k];
      if (value !== '') record.ruleValues[rules[k].name] = joinDistinct(record.ruleValues[rules[k].name], value);
    }
  }
}

/**
 * The name a person is addressed by (the notice's greeting, the affected list, a letter): the
 * first of a record's distinct names, the billing name before a shipping one.
 */
export function addressedName(name: string | undefined): string | null {
  if (!name) return null;
  const end = name.indexOf('\n');
  return end < 0 ? name : name.slice(0, end);
}

/** Whether an indexed cell (a key, a rule cell of values on lines of their own) holds a value too long for an index. */
function tooLongToIndex(cell: string): boolean {
  return cell.length > MAX_INDEXED_CHARS && cell.split('\n').some((value) => value.length > MAX_INDEXED_CHARS);
}

/** The non-empty cells at `parts` (after the roles), joined with `separator`. */
function joinParts(cells: readonly string[], parts: readonly number[], separator: string): string {
  let value = '';
  for (const part of parts) {
    const cell = cells[CATEGORIES + part];
    if (cell !== '') value = value === '' ? cell : `${value}${separator}${cell}`;
  }
  return value;
}

/** `value` added on a line of its own, unless `existing` already has it (billing and shipping name alike). */
function joinDistinct(existing: string | undefined, value: string): string {
  if (existing === undefined || existing === value) return value;
  return `\n${existing}\n`.includes(`\n${value}\n`) ? existing : `${existing}\n${value}`;
}
