import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LiquidError, type Template } from 'liquidjs';
import type { NoticeVariant } from '../db/index.ts';
import { TocsinError, reasonOf } from '../lib/errors.ts';
import { BUILT_IN_TEMPLATES_DIR } from '../lib/template-dirs.ts';
import { rulesSchema } from '../compliance/index.ts';
import { canonicalLocale, type Category, isCategory } from '../domain/index.ts';
import { liquidFor } from './liquid.ts';

/**
 * A template set: for each locale, the three parts of a notice and the phrases that name data
 * categories. On disk, a directory per locale:
 *
 *     <dir>/fr/notice.subject.liquid   one line: the Subject header
 *     <dir>/fr/notice.txt.liquid       the plain-text part
 *     <dir>/fr/notice.html.liquid      the HTML part, which says the same
 *     <dir>/fr/categories.json         { "postal_address": "votre adresse de livraison", … }
 *     <dir>/fr/statements.json         { "reported_to": ["notifié l'incident"], … }: phrases that state a
 *                                      fact, which a notice may say only when the fact is recorded
 *     <dir>/fr/regimes.json            { "ca-pipeda": { "authority": "…", "rights": "…" }, … }: per notice
 *                                      variant, the reader's authority as the locale names it and the
 *                                      sentence stating the rights their law gives (the `rights` variable)
 *
 * An incident overrides the built-in set file by file, and phrase by phrase. Variants a
 * jurisdiction requires live beside the locales, in `<dir>/variants/` (see variant-sets.ts).
 */

export { BUILT_IN_TEMPLATES_DIR };

export const NOTICE_PARTS = ['subject', 'text', 'html'] as const;
export type NoticePart = (typeof NOTICE_PARTS)[number];

export const PART_FILES: Readonly<Record<NoticePart, string>> = {
  subject: 'notice.subject.liquid',
  text: 'notice.txt.liquid',
  html: 'notice.html.liquid',
};
export const PHRASES_FILE = 'categories.json';
export const STATEMENTS_FILE = 'statements.json';
export const REGIMES_FILE = 'regimes.json';
/** The variables that gate a statement of fact: what must be true before a notice may say it. */
export const FACT_CONDITIONS = ['reported_to', 'authority_duty', 'law_enforcement_delay'] as const;
export type FactCondition = (typeof FACT_CONDITIONS)[number];
/** Holds the variants, not a locale (`variants` would pass for a language tag). */
export const VARIANTS_DIR = 'variants';

const SET_FILES: readonly string[] = [...Object.values(PART_FILES), PHRASES_FILE, STATEMENTS_FILE, REGIMES_FILE];

/** A part as read: parsed, or the Liquid syntax error that stopped it. */
export type LoadedPart = { file: string; templates: Template[] } | { file: string; syntaxError: string; line?: number };

export interface LocaleTemplates {
  locale: string;
  parts: Partial<Record<NoticePart, LoadedPart>>;
  /** Category → phrase, each from the first directory that has it. */
  phrases: Partial<Record<Category, string>>;
  /** Per condition, the phrases that state its fact, from every directory (an override cannot drop one). */
  statements: Record<FactCondition, string[]>;
  /** Per variant, the reader's authority and rights in this locale, each from the first directory that has it. */
  regimes: Partial<Record<NoticeVariant, RegimeText>>;
}

/** How a locale names a regime's authority, and the sentence that tells the reader what rights their law gives. */
export interface RegimeText {
  authority: string;
  rights: string;
}

export interface TemplateProblem {
  kind: 'bad-file' | 'missing-part' | 'syntax' | 'unknown-variable' | 'missing-variable' | 'missing-phrase' | 'unknown-phrase' | 'render' | 'content' | 'checklist' | 'unguarded-statement';
  /** The variant whose jurisdictions' content rules, or whose checklist, a notice breaks (kinds `content`, `checklist`). */
  variant?: NoticeVariant;
  /** The locale concerned, when there is one. */
  locale?: string;
  /** The one file at fault, or missing; a failure when rendering names its file in the message. */
  file?: string;
  /** The line of `file` at fault, when one is (a syntax error, an unknown variable). */
  line?: number;
  message: string;
}

export interface TemplateSet {
  /** The variant its notices are written in (what `variant`, `authority` and `rights` say); `default` for a set read on its own. */
  variant?: NoticeVariant;
  locales: ReadonlyMap<string, LocaleTemplates>;
  /** What reading found wrong with files as a whole (see checkTemplates for the rest). */
  loadProblems: readonly TemplateProblem[];
}

/**
 * Reads template sets from `dirs`, the incident's override directory first and the built-in
 * one last; a directory that does not exist is skipped (the incident overrides nothing).
 * Never throws for what a template author got wrong: checkTemplates reports it, and
 * renderNotice refuses to render a part that is missing or broken.
 */
export function loadTemplateSet(dirs: readonly string[]): TemplateSet {
  const locales = new Map<string, LocaleTemplates>();
  const loadProblems: TemplateProblem[] = [];
  for (const dir of dirs) {
    for (const entry of localeDirectories(dir)) {
      const path = join(dir, entry);
      const locale = canonicalLocale(entry);
      if (locale !== entry) {
        loadProblems.push({
          kind: 'bad-file',
          file: path,
          message: `${path}: '${entry}' is not a locale tag as Tocsin writes them; rename the directory to ${locale ? `'${locale}'` : "a tag like 'fr' or 'fr-FR'"}`,
        });
        continue;
      }
      const templates = locales.get(locale) ?? { locale, parts: {}, phrases: {}, statements: { reported_to: [], authority_duty: [], law_enforcement_delay: [] }, regimes: {} };
      locales.set(locale, templates);
      for (const part of NOTICE_PARTS) {
        const source = readIfPresent(join(path, PART_FILES[part]));
        if (source !== undefined && !templates.parts[part]) templates.parts[part] = parsePart(part, join(path, PART_FILES[part]), source);
      }
      const phrasesFile = join(path, PHRASES_FILE);
      const phrases = readIfPresent(phrasesFile);
      if (phrases !== undefined) mergePhrases(templates, phrasesFile, phrases, loadProblems);
      const statementsFile = join(path, STATEMENTS_FILE);
      const statements = readIfPresent(statementsFile);
      if (statements !== undefined) mergeStatements(templates, statementsFile, statements, loadProblems);
      const regimesFile = join(path, REGIMES_FILE);
      const regimes = readIfPresent(regimesFile);
      if (regimes !== undefined) mergeRegimes(templates, regimesFile, regimes, loadProblems);
    }
  }
  return { locales, loadProblems };
}

/** Subdirectories holding at least one template-set file: the locales, and never the variants' directory. */
function localeDirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== VARIANTS_DIR && SET_FILES.some((file) => existsSync(join(dir, entry.name, file))))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new TocsinError('TEMPLATES_UNREADABLE', `cannot read the template directory ${dir} (${reasonOf(error)})`, { kind: 'unavailable', cause: error });
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    // Editors on Windows may start the file with a byte order mark; it is not part of the text.
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TocsinError('TEMPLATES_UNREADABLE', `cannot read the template file ${file} (${reasonOf(error)})`, { kind: 'unavailable', cause: error });
  }
}

function parsePart(part: NoticePart, file: string, source: string): LoadedPart {
  try {
    return { file, templates: liquidFor(part).parse(source) }; // no file name here: messages start with it already
  } catch (error) {
    if (error instanceof LiquidError) return { file, syntaxError: error.message, line: error.token?.getPosition()[0] };
    throw error;
  }
}

function mergeStatements(templates: LocaleTemplates, file: string, source: string, problems: TemplateProblem[]): void {
  const shape = `must be a JSON object of condition → phrases, e.g. { "reported_to": ["reported the incident"] }, with conditions ${FACT_CONDITIONS.join(', ')}`;
  let statements: unknown;
  try {
    statements = JSON.parse(source);
  } catch (error) {
    problems.push({ kind: 'bad-file', locale: templates.locale, file, message: `${file}: not valid JSON (${(error as Error).message})` });
    return;
  }
  const entries = typeof statements === 'object' && statements !== null && !Array.isArray(statements) ? Object.entries(statements) : [];
  const bad = entries.length === 0 || entries.some(([condition, phrases]) => !(FACT_CONDITIONS as readonly string[]).includes(condition) || !Array.isArray(phrases) || !phrases.every((phrase) => typeof phrase === 'string' && phrase.trim() !== ''));
  if (bad) {
    problems.push({ kind: 'bad-file', locale: templates.locale, file, message: `${file}: ${shape}` });
    return;
  }
  for (const [condition, phrases] of entries as [FactCondition, string[]][]) templates.statements[condition].push(...phrases);
}

/** The file's JSON object; undefined once `bad` has been told it is not one (`shape` says what it should be). */
function jsonObject(source: string, bad: (message: string) => void, shape: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    bad(`not valid JSON (${(error as Error).message})`);
    return undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  bad(`must be a JSON object of ${shape}`);
  return undefined;
}

function mergeRegimes(templates: LocaleTemplates, file: string, source: string, problems: TemplateProblem[]): void {
  const bad = (message: string) => problems.push({ kind: 'bad-file', locale: templates.locale, file, message: `${file}: ${message}` });
  const regimes = jsonObject(source, bad, 'variant → { "authority": "…", "rights": "…" }');
  if (!regimes) return;
  const known: readonly string[] = rulesSchema.shape.notice.shape.variant.options;
  for (const [variant, text] of Object.entries(regimes)) {
    const { authority, rights } = (typeof text === 'object' && text !== null ? text : {}) as Record<string, unknown>;
    if (!known.includes(variant)) {
      bad(`'${variant}' is not a notice variant; the variants are: ${known.join(', ')}`);
    } else if (typeof authority !== 'string' || authority.trim() === '' || typeof rights !== 'string' || rights.trim() === '') {
      bad(`'${variant}' must have a non-empty "authority" and "rights"`);
    } else if (!rights.includes(authority)) {
      bad(`the "rights" of '${variant}' must name its "authority" ('${authority}') as written`);
    } else {
      templates.regimes[variant as NoticeVariant] ??= { authority, rights };
    }
  }
}

function mergePhrases(templates: LocaleTemplates, file: string, source: string, problems: TemplateProblem[]): void {
  const bad = (message: string) => problems.push({ kind: 'bad-file', locale: templates.locale, file, message: `${file}: ${message}` });
  const phrases = jsonObject(source, bad, 'category → phrase, e.g. { "postal_address": "your shipping address" }');
  if (!phrases) return;
  for (const [category, phrase] of Object.entries(phrases)) {
    if (!isCategory(category)) {
      problems.push({ kind: 'unknown-phrase', locale: templates.locale, file, message: `${file}: '${category}' is not a data category; check its spelling` });
    } else if (typeof phrase !== 'string' || phrase.trim() === '') {
      bad(`the phrase for '${category}' must be a non-empty string`);
    } else {
      templates.phrases[category] ??= phrase;
    }
  }
}
