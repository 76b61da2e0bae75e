import { invalidInput } from '../lib/errors.ts';
import { CATEGORIES, type Category, isCategory } from '../domain/index.ts';
import { PRESETS, presetNames, presetsOf, unfitExport, type Preset } from './presets.ts';
import { columnLabel } from './record-assembler.ts';

/** What the user said about the file's columns: a preset, and options that override its entries. */
export interface MappingOptions {
  preset?: string;
  key?: string;
  subject?: string;
  locale?: string;
  country?: string;
  region?: string;
  /** Column → category name, from `--map COLUMN=CATEGORY`. */
  map?: Readonly<Record<string, string>>;
  /** Unmapped columns exposure rules match on (`imei`, `order_id`): kept as the records' rule values. */
  ruleColumns?: readonly string[];
}

/** Which header column plays which part; every column named here is in the header. */
export interface ColumnMapping {
  /** The preset used: the one named, or the one the header showed among a platform's. */
  preset: string | null;
  key: string;
  subject: string;
  locale: string | null;
  country: string | null;
  region: string | null;
  map: Record<string, Category>;
  /** Mapped columns whose values are parts of one value, joined with their category's separator (PART_SEPARATORS). */
  parts: string[][];
  /** The rule columns the header has. */
  keep: string[];
}

/**
 * How the parts of one value are joined, for the categories whose values come in parts: a
 * name reads as written ("Antonín Dvořák"), an address on one line. Other categories' columns
 * hold whole values of their own (two phones), kept apart on lines of their own.
 */
export const PART_SEPARATORS: Partial<Record<Category, string>> = { name: ' ', postal_address: ', ' };

type Role = 'key' | 'subject' | 'locale' | 'country' | 'region';

/**
 * Checks the options against the file's header and settles the mapping. Problems the user must
 * fix before anything can be read are usage errors that say what to do, naming the header's
 * columns when a column is unknown.
 */
export function resolveMapping(options: MappingOptions, header: readonly string[]): ColumnMapping {
  const presetName = options.preset === undefined ? null : presetFor(options.preset, header);
  const preset = presetName === null ? null : PRESETS[presetName];
  const columns = new Header(header, presetName);
  const required = (role: 'key' | 'subject') => {
    const column = options[role] ?? preset?.[role];
    if (column === undefined) {
      throw invalidInput('IMPORT_COLUMN', `say which column holds the ${ROLE_NAMES[role]} with --${role} COLUMN, or use --preset. ${columns.list()}`);
    }
    return columns.require(column, role, options[role] === undefined);
  };
  // A preset's optional columns may be missing from an export; one the user names may not.
  const optional = (role: Exclude<Role, 'key' | 'subject'>) => {
    const explicit = options[role];
    if (explicit !== undefined) return columns.require(explicit, role, false);
    const column = preset?.[role];
    return column !== undefined && columns.has(column) ? column : null;
  };
  const key = required('key');
  const subject = required('subject');
  const map: Record<string, Category> = {};
  for (const [column, category] of Object.entries(preset?.map ?? {})) {
    if (columns.has(column)) map[column] = category;
  }
  for (const [column, category] of Object.entries(options.map ?? {})) {
    if (!isCategory(category)) {
      throw invalidInput('IMPORT_CATEGORY', `--map ${column}=${category}: unknown category '${category}'; use one of ${CATEGORIES.join(', ')}`);
    }
    map[columns.require(column, 'map', false)] = category;
  }
  return {
    preset: presetName,
    key,
    subject,
    locale: optional('locale'),
    country: optional('country'),
    region: optional('region'),
    map,
    parts: partsOf(preset, options.map ?? {}, map, header),
    keep: [...new Set(options.ruleColumns ?? [])].filter((column) => columns.has(column)),
  };
}

/**
 * `--map` values into the map option. A column name may itself hold `=`, a category never
 * does: the last `=` separates them.
 */
export function parseMapEntries(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    if (at <= 0 || at === entry.length - 1) {
      throw invalidInput('IMPORT_MAP', `--map ${entry}: write COLUMN=CATEGORY, e.g. --map "Billing Phone=phone"`);
    }
    map[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return map;
}

/**
 * The preset `name` means for a file with `header`: the one named, or among a platform's the
 * first whose key and email columns the header has. An export known not to serve is refused
 * with its reason.
 */
function presetFor(name: string, header: readonly string[]): string {
  const candidates = presetsOf(name);
  if (candidates.length === 0) {
    throw invalidInput('IMPORT_PRESET', `unknown preset '${name}'; use one of ${presetNames().join(', ')}, or name the columns with --key, --subject and --map`);
  }
  if (candidates.length === 1) return candidates[0];
  const fitting = candidates.find((candidate) => header.includes(PRESETS[candidate].key) && header.includes(PRESETS[candidate].subject));
  if (fitting !== undefined) return fitting;
  const exporters = candidates.map((candidate) => `${candidate} (${columnLabel(PRESETS[candidate].key)} and ${columnLabel(PRESETS[candidate].subject)})`).join(', ');
  const unfit = unfitExport(name, header);
  const problem = unfit ?? `the header fits none of the ${name} exports`;
  throw invalidInput('IMPORT_PRESET', `${problem}. Export the orders with one of these, whose columns Tocsin knows: ${exporters}; or name the columns with --key, --subject and --map`);
}

/**
 * The groups of mapped columns whose values are parts of one: the preset's, as far as the
 * header has them and the map still classifies them alike, and the columns --map puts in a
 * category that comes in parts, in the header's order (first name, then last).
 */
function partsOf(preset: Preset | null, mapped: Readonly<Record<string, string>>, map: Record<string, Category>, header: readonly string[]): string[][] {
  const parts: string[][] = [];
  for (const group of preset?.parts ?? []) {
    const present = group.filter((column) => !Object.hasOwn(mapped, column) && Object.hasOwn(map, column));
    if (present.length > 1) parts.push(present);
  }
  for (const category of Object.keys(PART_SEPARATORS) as Category[]) {
    const columns = header.filter((column) => Object.hasOwn(mapped, column) && map[column] === category);
    if (columns.length > 1) parts.push(columns);
  }
  return parts;
}

const ROLE_NAMES: Record<Role, string> = {
  key: "record's key (the order number)",
  subject: "customer's email address",
  locale: "customer's locale",
  country: "customer's country",
  region: "customer's region",
};

// A header of thousands of columns (an NDJSON file's first objects may bring them) is not all shown.
const LISTED_COLUMNS = 50;

/** The header's column names, with the checks and messages that refer to them. */
class Header {
  readonly #names: readonly string[];
  readonly #preset: string | null;

  constructor(names: readonly string[], preset: string | null) {
    this.#names = names;
    this.#preset = preset;
  }

  has(column: string): boolean {
    return this.#names.includes(column);
  }

  /** `column`, once sure the header has it exactly once; `fromPreset` words the error for a preset's column. */
  require(column: string, option: Role | 'map', fromPreset: boolean): string {
    const count = this.#names.filter((name) => name === column).length;
    if (count === 1) return column;
    if (count > 1) {
      const remedy = 'rename the copies in the file';
      throw invalidInput('IMPORT_COLUMN', `column '${column}' appears ${count} times in the header, so its values are ambiguous; ${remedy}`);
    }
    const source =
      fromPreset && option !== 'map'
        ? `the ${this.#preset} preset expects a column '${column}' (${ROLE_NAMES[option]})`
        : `--${option}: there is no column '${column}'`;
    const sameLetters = this.#names.find((name) => name.toLowerCase() === column.toLowerCase());
    const hint = sameLetters === undefined ? '.' : `; did you mean ${columnLabel(sameLetters)}?`;
    throw invalidInput('IMPORT_COLUMN', `${source}${hint} ${this.list()}`);
  }

  /** The header's columns as the file names them, as many as a message can show. */
  list(): string {
    const count = this.#names.length === 1 ? '1 column' : `${this.#names.length} columns`;
    const listed = this.#names.slice(0, LISTED_COLUMNS).map(columnLabel).join(', ');
    const more = this.#names.length > LISTED_COLUMNS ? `, and ${this.#names.length - LISTED_COLUMNS} more` : '';
    return `The header has ${count}: ${listed}${more}`;
  }
}
