import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { TocsinError } from '../../lib/errors.ts';
import { regulatorSchema, REGULATOR_ID, rulesSchema, type JurisdictionRules, type Regulator } from './schema.ts';

/** The rules shipped with Tocsin: one YAML file per jurisdiction, shared regimes in `regimes/`. */
export const RULES_DIR = fileURLToPath(new URL('../jurisdictions/', import.meta.url));

/** The region code CLDR uses for "unknown": people whose country is missing or not an ISO code. */
export const UNKNOWN_REGION = 'ZZ';

export interface RuleBook {
  /** Every jurisdiction with a rules file, by ISO 3166 code. */
  readonly jurisdictions: ReadonlyMap<string, JurisdictionRules>;
  /** The rules for a code: its own file, or the "unknown" rules naming that country. */
  rulesFor(code: string): JurisdictionRules;
  /** Sector regimes whose covered entities owe duties of their own, by the id an incident names them with. */
  readonly regulators: ReadonlyMap<string, Regulator>;
}

type Data = Record<string, unknown>;

export function loadRuleBook(dir: string = RULES_DIR): RuleBook {
  const regulators = loadRegulators(dir);
  const regimes = new Map(yamlFiles(join(dir, 'regimes')).map((path) => [basename(path, '.yml'), readData(path)]));
  const jurisdictions = new Map<string, JurisdictionRules>();
  for (const path of yamlFiles(dir)) {
    const rules = validate(resolveExtends(readData(path), regimes, path), path);
    if (rules.jurisdiction !== basename(path, '.yml')) {
      throw badRules(path, `declares jurisdiction ${rules.jurisdiction}; name the file ${rules.jurisdiction}.yml`);
    }
    jurisdictions.set(rules.jurisdiction, rules);
  }

  const unknownPath = join(dir, 'regimes', 'unknown.yml');
  const unknown = regimes.get('unknown');
  if (!unknown) throw badRules(unknownPath, 'is missing; Tocsin needs it for countries it has no rules for');
  const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
  const unknownRules = (code: string) =>
    validate({ ...unknown, jurisdiction: code, name: code === UNKNOWN_REGION ? 'Country unknown' : (regionNames.of(code) ?? code) }, unknownPath);
  unknownRules(UNKNOWN_REGION); // fail at load, not in the middle of an assessment

  const instantiated = new Map<string, JurisdictionRules>();
  return {
    jurisdictions,
    regulators,
    rulesFor(code) {
      const known = jurisdictions.get(code) ?? instantiated.get(code);
      if (known) return known;
      const rules = unknownRules(code);
      instantiated.set(code, rules);
      return rules;
    },
  };
}

/** The files of `regulators/`, one per regulator, named by its id: what an incident's `regulated_by` may name. */
export function loadRegulators(dir: string = RULES_DIR): ReadonlyMap<string, Regulator> {
  const regulators = new Map<string, Regulator>();
  const folder = join(dir, 'regulators');
  if (!existsSync(folder)) return regulators;
  for (const path of yamlFiles(folder)) {
    const id = basename(path, '.yml');
    if (!REGULATOR_ID.test(id)) throw badRules(path, 'must be named by the regulator\'s id: country and regulator in lower case, such as us-nydfs.yml');
    const result = regulatorSchema.safeParse(readData(path));
    if (!result.success) throw badRules(path, issueText(result.error.issues[0]));
    regulators.set(id, result.data);
  }
  return regulators;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yml'))
    .map((entry) => join(dir, entry.name))
    .sort();
}

function readData(path: string): Data {
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw badRules(path, `is not valid YAML: ${(error as Error).message}`, error);
  }
  if (!isPlainObject(data)) throw badRules(path, 'must be a YAML mapping');
  return data;
}

function resolveExtends(own: Data, regimes: ReadonlyMap<string, Data>, path: string): Data {
  const { extends: name, ...rest } = own;
  if (name === undefined) return rest;
  const base = typeof name === 'string' ? regimes.get(name) : undefined;
  if (!base) throw badRules(path, `extends '${String(name)}', which is not a file in regimes/`);
  return mergeOver(base, rest);
}

/** A country file over its regime: nested maps merge key by key, notes and sources add up, anything else is replaced. */
function mergeOver(base: Data, own: Data): Data {
  const merged: Data = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const inherited = base[key];
    if ((key === 'notes' || key === 'sources') && Array.isArray(inherited) && Array.isArray(value)) merged[key] = [...inherited, ...value];
    else if (isPlainObject(inherited) && isPlainObject(value)) merged[key] = { ...inherited, ...value };
    else merged[key] = value;
  }
  return merged;
}

function validate(data: Data, path: string): JurisdictionRules {
  const result = rulesSchema.safeParse(data);
  if (result.success) return result.data;
  throw badRules(path, issueText(result.error.issues[0]));
}

function issueText(issue: { path: readonly PropertyKey[]; message: string }): string {
  return `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`;
}

function isPlainObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRules(path: string, problem: string, cause?: unknown): TocsinError {
  return new TocsinError('BAD_RULES', `jurisdiction rules ${path} ${problem}`, { kind: 'failed', cause });
}
