import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TocsinError, reasonOf, invalidInput } from '../lib/errors.ts';
import { CATEGORIES, REPORT_LANGUAGES, type ReportLanguage } from '../domain/index.ts';

/**
 * The words of an authority report in one language: headings, labels, prompts, category names.
 * On disk `<templates dir>/reports/<language>.json`; an incident's own file overrides the built-in
 * one string by string, and its statements add to the built-in ones (an override cannot drop one).
 * `{name}` in a string is replaced by a value; values are data, never words to look up.
 */

export { REPORT_LANGUAGES, type ReportLanguage } from '../domain/index.ts';
export const REPORT_WORDS_DIR = 'reports';

/** Sections a report can hold; those marked for a person can be written with `tocsin report sections`. */
export const REPORT_SECTIONS = ['changes', 'nature', 'subjects', 'records', 'contact', 'consequences', 'measures', 'timeline', 'evidence', 'delay'] as const;
export type ReportSectionKey = (typeof REPORT_SECTIONS)[number];

/** What a report may state only when it is true: that it goes to the one-stop-shop lead, that it is late. */
export const REPORT_CONDITIONS = ['lead', 'late'] as const;
export type ReportCondition = (typeof REPORT_CONDITIONS)[number];

const text = z.string().trim().min(1);
const words = <K extends string>(keys: readonly K[]) => z.object(Object.fromEntries(keys.map((key) => [key, text])) as Record<K, typeof text>).strict();

const LABELS = [
  'exposed', 'not_exposed', 'runs', 'subjects_all', 'subjects_here', 'subjects_eea', 'by_jurisdiction', 'member_state', 'data_subjects', 'records',
  'categories', 'records_all', 'records_here', 'records_eea', 'controller', 'contact', 'missing_controller', 'missing_contact', 'measure', 'notices',
  'notices_value', 'occurred_from', 'occurred_to', 'discovered_at', 'aware_at', 'contained_at', 'evidence_value', 'deadline', 'prepared', 'late_by',
  'late_by_value', 'consider', 'changes_none_label', 'changes_none', 'changed_runs', 'changed_subjects_all', 'changed_subjects_here',
  'changed_records_all', 'changed_records_here', 'now_exposed', 'now_not_exposed', 'evidence_added', 'evidence_name', 'notices_sent',
  'notices_bounced', 'measure_added',
] as const;
const META = ['incident', 'jurisdiction', 'law', 'filing', 'as_of', 'rules_reviewed', 'rules_reviewed_value', 'checkpoint', 'role', 'lead_role', 'unfilled'] as const;

const sectionWords = z.object({ title: text, reference: text, prompt: z.string() }).strict();

export const reportWordsSchema = z
  .object({
    title: words(['initial', 'complementary']),
    law: words(['eu-gdpr', 'uk-gdpr']),
    reference: text,
    needs_human: text,
    none_recorded: text,
    not_recorded: text,
    nothing_unfilled: text,
    disclaimer: text,
    meta: words(META),
    sections: z.object(Object.fromEntries(REPORT_SECTIONS.map((key) => [key, sectionWords])) as Record<ReportSectionKey, typeof sectionWords>).strict(),
    labels: words(LABELS),
    categories: words(CATEGORIES),
    /** What each exposed category can lead to: considerations offered to the writer, never conclusions. */
    consequences: z.object(Object.fromEntries(CATEGORIES.map((key) => [key, text.optional()]))).strict(),
    /** Phrases that state a condition's fact; a report says them only when the condition holds. */
    statements: z.object(Object.fromEntries(REPORT_CONDITIONS.map((key) => [key, z.array(text)])) as Record<ReportCondition, z.ZodArray<typeof text>>).strict(),
  })
  .strict();

export type ReportWords = z.output<typeof reportWordsSchema> & { language: ReportLanguage };

/** `{name}` replaced by `values[name]`; a name without a value stays as written, for the check to find. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([a-z_][a-z0-9_]*)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The language of a report to the authority of `jurisdiction`, by default: its own where Tocsin has it, else English. */
export function reportLanguageFor(jurisdiction: string): ReportLanguage {
  return AUTHORITY_LANGUAGES[jurisdiction.split('-')[0]] ?? 'en';
}

/**
 * Authorities that work in one language Tocsin has: the CNIL, the German federal and Land
 * authorities, Austria's and Liechtenstein's, the AEPD, the Garante. Where an authority works in
 * several (Belgium, Luxembourg, Switzerland) or in one Tocsin lacks, the report is in English.
 */
const AUTHORITY_LANGUAGES: Readonly<Record<string, ReportLanguage>> = { FR: 'fr', DE: 'de', AT: 'de', LI: 'de', ES: 'es', IT: 'it' };

/** A `--locale` as typed (`fr`, `fr-FR`, `EN`): its language, if Tocsin writes reports in it. */
export function reportLanguage(tag: string): ReportLanguage {
  let language: string | undefined;
  try {
    language = new Intl.Locale(tag.trim().replaceAll('_', '-')).language;
  } catch {
    language = undefined;
  }
  const found = REPORT_LANGUAGES.find((candidate) => candidate === language);
  if (!found) throw invalidInput('UNKNOWN_REPORT_LOCALE', `locale: reports are written in ${REPORT_LANGUAGES.join(', ')}; '${tag}' is none of them`);
  return found;
}

/** A reading problem with a words file, in the shape `templates check` lists. */
export interface ReportWordsProblem {
  file: string;
  message: string;
}

/**
 * The words of `language` from `dirs`, the incident's own directory first and the built-in one last,
 * with what is wrong with them (an unreadable file, JSON that is not words). Never throws for a
 * file's content: `reportWords` does, `templates check` lists.
 */
export function readReportWords(dirs: readonly string[], language: ReportLanguage): { words: ReportWords | null; problems: ReportWordsProblem[] } {
  const problems: ReportWordsProblem[] = [];
  const layers: Record<string, unknown>[] = [];
  for (const dir of dirs) {
    const file = join(dir, REPORT_WORDS_DIR, `${language}.json`);
    if (!existsSync(file)) continue;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      layers.push(parsed as Record<string, unknown>);
    } catch (error) {
      problems.push({ file, message: `${file}: not report words (${reasonOf(error)})` });
    }
  }
  const parsed = reportWordsSchema.safeParse(merge(layers));
  if (!parsed.success) {
    const where = join(dirs.at(-1) ?? '', REPORT_WORDS_DIR, `${language}.json`);
    for (const issue of parsed.error.issues) problems.push({ file: where, message: `report words '${language}': ${issue.path.join('.') || '(file)'}: ${issue.message}` });
    return { words: null, problems };
  }
  return { words: { ...parsed.data, language }, problems };
}

/** The words of `language` as read; `checkedReportWords` is what reports use, so that words the check refuses are never used. */
export function reportWords(dirs: readonly string[], language: ReportLanguage): ReportWords {
  const { words: found, problems } = readReportWords(dirs, language);
  if (found === null || problems.length > 0) {
    throw new TocsinError('REPORT_WORDS_INVALID', `the report words in '${language}' cannot be read; the templates check lists why:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`, { kind: 'invalid' });
  }
  return found;
}

/** Later layers (the built-in words) fill what earlier ones (an override) leave out; statements from every layer add up. */
function merge(layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of [...layers].reverse()) {
    for (const [key, value] of Object.entries(layer)) {
      const before = merged[key];
      if (key === 'statements' && isObject(before) && isObject(value)) {
        merged[key] = Object.fromEntries([...new Set([...Object.keys(before), ...Object.keys(value)])].map((name) => [name, [...asList(before[name]), ...asList(value[name])]]));
      } else if (isObject(before) && isObject(value)) {
        merged[key] = { ...before, ...Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, isObject(before[name]) && isObject(inner) ? { ...before[name], ...inner } : inner])) };
      } else {
        merged[key] = value;
      }
    }
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
