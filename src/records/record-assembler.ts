import type { Category } from './categories.ts';
import type { ColumnMapping } from './mapping.ts';
import { normalizeEmail } from './subject.ts';

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
  /** Mapped values; distinct values of one category (address lines, two phones) are joined with '\n'. */
  fields: Partial<Record<Category, string>>;
  /** Values of the rule columns, joined with '\n' like fields when rows of one order differ. */
  ruleValues: Record<string, string>;
}

/** `line` is the 1-based line of the file where the row starts. Reasons name columns, never values. */
export type ImportEvent =
  | { type: 'record'; line: number; record: ImportedRecord }
  | { type: 'quarantined'; line: number; reason: string };

/** A row's value in header column `column`, trimmed; '' when empty or absent. */
export type ValueAt = (column: number) => string;

/** The mapping as header positions: what a row is read through. -1 marks an absent column. */
export interface ColumnPlan {
  names: readonly string[];
  key: number;
  subject: number;
  locale: number;
  country: number;
  region: number;
  categories: readonly { column: number; category: Category }[];
  rules: readonly { column: number; name: string }[];
}

export function planColumns(mapping: ColumnMapping, header: readonly string[]): ColumnPlan {
  const at = (column: string | null) => (column === null ? -1 : header.indexOf(column));
  return {
    names: header,
    key: at(mapping.key),
    subject: at(mapping.subject),
    locale: at(mapping.locale),
    country: at(mapping.country),
    region: at(mapping.region),
    categories: Object.entries(mapping.map).map(([column, category]) => ({ column: at(column), category })),
    rules: mapping.keep.map((name) => ({ column: at(name), name })),
  };
}

type RecordEvent = Extract<ImportEvent, { type: 'record' }>;

/**
 * Turns rows into records and quarantined rows, in file order. Rows that repeat the key of
 * the row before continue its order — Shopify writes one row per line item, with the
 * addresses on the first only — and are merged into it; such a row may leave the email empty,
 * but not give another one. So a record is complete, and emitted, only once a row with
 * another key (or the end) comes.
 */
export class RecordAssembler {
  readonly #plan: ColumnPlan;
  #events: ImportEvent[] = [];
  #pending: RecordEvent | null = null;

  constructor(plan: ColumnPlan) {
    this.#plan = plan;
  }

  addRow(line: number, valueAt: ValueAt): void {
    const plan = this.#plan;
    const key = valueAt(plan.key);
    if (key === '') return this.quarantine(line, `column '${plan.names[plan.key]}' is empty`);
    const email = valueAt(plan.subject);
    const subject = email === '' ? null : normalizeEmail(email);
    const pending = this.#pending;
    if (pending !== null && pending.record.key === key && (email === '' || subject === pending.record.subject)) {
      return this.#continue(pending.record, valueAt);
    }
    if (email === '') return this.quarantine(line, `column '${plan.names[plan.subject]}' is empty`);
    if (subject === null) return this.quarantine(line, `column '${plan.names[plan.subject]}' is not an email address`);
    if (pending?.record.key === key) {
      return this.quarantine(line, `the row continues the order on line ${pending.line} with another email address`);
    }
    if (pending !== null) this.#events.push(pending);
    const record: ImportedRecord = {
      key,
      subject,
      email,
      locale: optional(valueAt, plan.locale),
      country: optional(valueAt, plan.country),
      region: optional(valueAt, plan.region),
      fields: {},
      ruleValues: {},
    };
    this.#collect(record, valueAt);
    this.#pending = { type: 'record', line, record };
  }

  quarantine(line: number, reason: string): void {
    this.#events.push({ type: 'quarantined', line, reason });
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

  /** A row continuing `record`'s order adds its values, and what the first rows left empty. */
  #continue(record: ImportedRecord, valueAt: ValueAt): void {
    const plan = this.#plan;
    record.locale ??= optional(valueAt, plan.locale);
    record.country ??= optional(valueAt, plan.country);
    record.region ??= optional(valueAt, plan.region);
    this.#collect(record, valueAt);
  }

  #collect(record: ImportedRecord, valueAt: ValueAt): void {
    for (const { column, category } of this.#plan.categories) {
      const value = valueAt(column);
      if (value !== '') record.fields[category] = joinDistinct(record.fields[category], value);
    }
    for (const { column, name } of this.#plan.rules) {
      const value = valueAt(column);
      if (value !== '') record.ruleValues[name] = joinDistinct(record.ruleValues[name], value);
    }
  }
}

const optional = (valueAt: ValueAt, column: number) => (column < 0 ? null : valueAt(column) || null);

/** `value` added on a line of its own, unless `existing` already has it (billing and shipping name alike). */
function joinDistinct(existing: string | undefined, value: string): string {
  if (existing === undefined || existing === value) return value;
  return `\n${existing}\n`.includes(`\n${value}\n`) ? existing : `${existing}\n${value}`;
}
