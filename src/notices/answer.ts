import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LiquidError, type Template } from 'liquidjs';
import type { NoticesTable } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { singleLine } from '../lib/single-line.ts';
import { ANSWER_PART_FILES } from '../lib/template-dirs.ts';
import { liquidFor } from './liquid.ts';
import { noticeContext, type NoticeContext } from './notice-vars.ts';
import { tidyText, type RenderedNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { BUILT_IN_TEMPLATES_DIR, NOTICE_PARTS, STATEMENTS_FILE, loadTemplateSet, type LocaleTemplates, type NoticePart, type TemplateProblem } from './template-set.ts';
import type { IncidentTemplates } from './templates.ts';
import type { StoredVars } from './compose.ts';
import type { VerificationCode } from './verification-code.ts';

/**
 * The portal's answer to "Was I affected?": one message to the address asked about, saying
 * either which incidents involved it (from each incident's notice to that person: the facts the
 * notice was built from) or that it was not affected. Its templates live beside the notices'
 * in each locale (answer.subject.liquid, answer.txt.liquid, answer.html.liquid); answers span
 * incidents, so only the built-in directory has them.
 */
export interface AnswerContext {
  locale: string;
  affected: boolean;
  /** The shop as the portal names it. */
  shop: string;
  verification_code: string;
  verify_address: string;
  /** One per incident the reader was told about: the notice's variables in the answer's locale. Empty when not affected. */
  incidents: NoticeContext[];
}

export const ANSWER_VARIABLES: Readonly<Record<keyof AnswerContext, string>> = {
  locale: "the answer's locale, e.g. 'fr' (for <html lang>)",
  affected: 'true when the address was involved in an incident the shop has told its customers about',
  shop: "the shop's name",
  verification_code: "this answer's code, which the portal's verify page recognises",
  verify_address: 'the verification page as customers type it, e.g. shop.example.com/verify (never a link)',
  incidents:
    "when affected, each incident as a notice's variables (exposed, not_exposed, exposed_categories, occurred_from, occurred_to, discovered_at, controller, contact_email, …); print them with {% for incident in incidents %}",
};

/** What every answer's body must show: without the code and where to check it, an answer cannot be told from phishing. */
const REQUIRED_IN_BODY = ['affected', 'verification_code', 'verify_address', 'incidents'] as const;

/** The variables of one incident in an answer: its notice's, in the answer's locale (its phrases), carrying the answer's code. */
export function answerIncident(notice: Pick<NoticesTable, 'variant' | 'vars'>, templates: Pick<IncidentTemplates, 'sets'>, locale: string, code: VerificationCode): NoticeContext {
  // A variant written in its jurisdiction's language alone (us-ca: en-US) leaves the answer's language to the default set.
  const localeTemplates = templates.sets[notice.variant].locales.get(locale) ?? templates.sets.default.locales.get(locale);
  if (!localeTemplates) throw new TocsinError('ANSWER_LOCALE_MISSING', `no notice templates for locale '${locale}', whose phrases an answer uses`, { kind: 'failed' });
  return noticeContext({ ...(JSON.parse(notice.vars) as StoredVars), verificationCode: code }, notice.variant, localeTemplates);
}

/**
 * A kind of letter the portal and the desk send, beside the notices in each locale's directory:
 * its three files, its variables, those every body must show, and samples that exercise it.
 * `code` begins its errors' codes (ANSWER_TEMPLATE_MISSING, PHISHING_REPLY_TEMPLATE_MISSING, …).
 */
export interface LetterKind<C extends { locale: string }> {
  code: string;
  files: Readonly<Record<NoticePart, string>>;
  variables: Readonly<Record<keyof C & string, string>>;
  required: readonly (keyof C & string)[];
  samples(templates: LocaleTemplates): C[];
}

type LetterTemplates = Partial<Record<NoticePart, { file: string; templates: Template[] } | { file: string; syntaxError: string }>>;

function loadLetterTemplates(files: Readonly<Record<NoticePart, string>>, dir: string, locale: string): LetterTemplates {
  const parts: LetterTemplates = {};
  for (const part of NOTICE_PARTS) {
    const file = join(dir, locale, files[part]);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) continue;
    const key = `${part}\0${file}`;
    const kept = parsedLetters.get(key);
    if (kept?.mtimeMs === stat.mtimeMs && kept.size === stat.size) parts[part] = kept.parsed;
    else {
      parts[part] = parseLetterPart(part, file);
      parsedLetters.set(key, { mtimeMs: stat.mtimeMs, size: stat.size, parsed: parts[part] });
    }
  }
  return parts;
}

/**
 * Each letter file as parsed, kept while its modification time and size stay the same: a rush of
 * lookups would otherwise read and parse the same three files for every answer.
 */
const parsedLetters = new Map<string, { mtimeMs: number; size: number; parsed: NonNullable<LetterTemplates[NoticePart]> }>();

function parseLetterPart(part: NoticePart, file: string): NonNullable<LetterTemplates[NoticePart]> {
  try {
    return { file, templates: liquidFor(part).parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) };
  } catch (error) {
    if (!(error instanceof LiquidError)) throw error;
    return { file, syntaxError: error.message };
  }
}

/** A letter in its context's locale, every value a variable (HTML-escaped in the HTML part); throws naming the file at fault. */
export function renderLetter<C extends { locale: string }>(kind: LetterKind<C>, context: C, dir: string = BUILT_IN_TEMPLATES_DIR): RenderedNotice {
  const parts = loadLetterTemplates(kind.files, dir, context.locale);
  const render = (part: NoticePart): string => {
    const loaded = parts[part];
    if (!loaded) throw new TocsinError(`${kind.code}_TEMPLATE_MISSING`, `locale '${context.locale}' has no ${kind.files[part]}`, { kind: 'failed' });
    if ('syntaxError' in loaded) throw new TocsinError(`${kind.code}_TEMPLATE_INVALID`, `${loaded.file}: ${loaded.syntaxError}`, { kind: 'failed' });
    try {
      return liquidFor(part).renderSync(loaded.templates, context);
    } catch (error) {
      if (!(error instanceof LiquidError)) throw error;
      throw new TocsinError(`${kind.code}_TEMPLATE_FAILED`, `${loaded.file}: ${error.message}`, { kind: 'failed' });
    }
  };
  const subject = singleLine(render('subject'));
  if (subject === '') throw new TocsinError(`${kind.code}_EMPTY_SUBJECT`, `${context.locale}/${kind.files.subject}: the subject renders empty`, { kind: 'failed' });
  return { subject, text: tidyText(render('text')), html: render('html') };
}

/** The answer in `locale`, every value a variable (HTML-escaped in the HTML part); throws naming the file at fault. */
export function renderAnswer(context: AnswerContext, dir: string = BUILT_IN_TEMPLATES_DIR): RenderedNotice {
  return renderLetter(ANSWER_LETTER, context, dir);
}

/** Answers that exercise the templates: not affected; affected by the sample notices' incidents, with no fact recorded beyond the minimum. */
function sampleAnswers(templates: LocaleTemplates): AnswerContext[] {
  const base = { locale: templates.locale, shop: 'Example Phone Shop', verification_code: SAMPLE_NOTICE_VARS[0].verificationCode, verify_address: SAMPLE_NOTICE_VARS[0].verifyAddress };
  const incidents = SAMPLE_NOTICE_VARS.map((vars) => noticeContext({ ...vars, reportedTo: [], authorityDuty: false, lawEnforcementDelay: null }, 'default', templates));
  return [
    { ...base, affected: false, incidents: [] },
    { ...base, affected: true, incidents: incidents.slice(0, 1) },
    { ...base, affected: true, incidents },
  ];
}

const ANSWER_LETTER: LetterKind<AnswerContext> = { code: 'ANSWER', files: ANSWER_PART_FILES, variables: ANSWER_VARIABLES, required: REQUIRED_IN_BODY, samples: sampleAnswers };

/**
 * What `templates check` finds wrong with a kind of letter's templates in `dir`: a missing part,
 * a syntax error, an unknown variable, a body that never shows what it must, a sample that fails
 * to render, and a statement of fact (statements.json) said though no fact is recorded.
 */
export function checkLetterTemplates<C extends { locale: string }>(kind: LetterKind<C>, dir: string = BUILT_IN_TEMPLATES_DIR): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const set = loadTemplateSet([dir]);
  const locales = existsSync(dir) ? readdirSync(dir).filter((entry) => NOTICE_PARTS.some((part) => existsSync(join(dir, entry, kind.files[part])))) : [];
  for (const locale of locales.sort()) {
    const parts = loadLetterTemplates(kind.files, dir, locale);
    const found: TemplateProblem[] = [];
    for (const part of NOTICE_PARTS) {
      const loaded = parts[part];
      const file = `${locale}/${kind.files[part]}`;
      if (!loaded) {
        found.push({ kind: 'missing-part', locale, file, message: `locale '${locale}' has no ${kind.files[part]}` });
        continue;
      }
      if ('syntaxError' in loaded) {
        found.push({ kind: 'syntax', locale, file, message: `${file}: ${loaded.syntaxError}` });
        continue;
      }
      const { globals } = liquidFor(part).analyzeSync(loaded.templates, { partials: false });
      for (const [name, uses] of Object.entries(globals)) {
        if (name in kind.variables) continue;
        const { row, col } = uses[0].location;
        found.push({ kind: 'unknown-variable', locale, file, message: `${file}, line ${row}, column ${col}: unknown variable '${name}'; the variables are: ${Object.keys(kind.variables).join(', ')}` });
      }
      if (part === 'subject') continue;
      for (const name of kind.required) {
        if (!(name in globals)) found.push({ kind: 'missing-variable', locale, file, message: `${file}: never shows '${name}'; every letter of its kind must (${kind.variables[name]})` });
      }
    }
    const templates = set.locales.get(locale);
    if (!templates) found.push({ kind: 'missing-part', locale, message: `locale '${locale}' has ${kind.files.text} but no notice templates, whose phrases it uses` });
    problems.push(...found);
    if (found.length === 0 && templates) problems.push(...renderedLetterProblems(kind, templates, dir));
  }
  return [...new Map(problems.map((problem) => [problem.message, problem])).values()];
}

/** What `templates check` finds wrong with the portal's answers' templates in `dir`. */
export function checkAnswerTemplates(dir: string = BUILT_IN_TEMPLATES_DIR): TemplateProblem[] {
  return checkLetterTemplates(ANSWER_LETTER, dir);
}

function renderedLetterProblems<C extends { locale: string }>(kind: LetterKind<C>, templates: LocaleTemplates, dir: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const context of kind.samples(templates)) {
    let letter: RenderedNotice;
    try {
      letter = renderLetter(kind, context, dir);
    } catch (error) {
      if (!(error instanceof TocsinError)) throw error;
      problems.push({ kind: 'render', locale: templates.locale, message: error.message });
      continue;
    }
    for (const part of ['text', 'html'] as const) {
      const body = letter[part].toLowerCase();
      const file = `${templates.locale}/${kind.files[part]}`;
      for (const phrase of Object.values(templates.statements).flat()) {
        if (body.includes(phrase.toLowerCase())) {
          problems.push({ kind: 'unguarded-statement', locale: templates.locale, file, message: `${file}: says '${phrase}' (${templates.locale}/${STATEMENTS_FILE}), a fact this letter has no record of; leave it to the notices` });
        }
      }
    }
  }
  return problems;
}
