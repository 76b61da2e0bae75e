import { LiquidError, UndefinedVariableError } from 'liquidjs';
import { invalidInput } from '../lib/errors.ts';
import { liquidFor } from './liquid.ts';
import { NOTICE_VARIABLES, noticeContext, noticeValues, type NoticeContext, type NoticeVars } from './notice-vars.ts';
import { singleLine } from '../lib/single-line.ts';
import { PART_FILES, type LocaleTemplates, type NoticePart, type TemplateSet } from './template-set.ts';

export interface RenderedNotice {
  /** One line, ready for the Subject header. */
  subject: string;
  text: string;
  html: string;
}

/**
 * Renders one customer's notice in `locale`. Values reach templates only as variables, never
 * as template source, so a name like `{{ verification_code }}` prints as written; the HTML
 * part escapes every value. Throws a TocsinError naming the locale, file, variable or phrase
 * at fault rather than return a notice with a part missing.
 */
export function renderNotice(set: TemplateSet, locale: string, vars: NoticeVars): RenderedNotice {
  const templates = localeTemplates(set, locale);
  const context = noticeContext(vars, set.variant ?? 'default', templates);
  return {
    subject: subjectOf(templates, context),
    text: tidyText(renderPart(templates, 'text', context)),
    html: renderPart(templates, 'html', context),
  };
}

/**
 * The subject line alone, as renderNotice wrote it for a notice built before: only the variables
 * the subject reads are worked out (the portal writes a sent notice's subject again on every
 * genuine check), and the notice is not checked again.
 */
export function renderNoticeSubject(set: TemplateSet, locale: string, vars: NoticeVars): string {
  const templates = localeTemplates(set, locale);
  const variant = set.variant ?? 'default';
  const reads = subjectVariables(templates);
  return subjectOf(templates, reads ? noticeValues(vars, variant, templates, reads) : noticeContext(vars, variant, templates));
}

function localeTemplates(set: TemplateSet, locale: string): LocaleTemplates {
  const templates = set.locales.get(locale);
  if (!templates) {
    throw invalidInput(
      'NOTICE_LOCALE_MISSING',
      `no notice templates for locale '${locale}'; the template set has: ${[...set.locales.keys()].join(', ') || '(none)'}`,
    );
  }
  return templates;
}

function subjectOf(templates: LocaleTemplates, context: Partial<NoticeContext>): string {
  const reads = subjectVariables(templates);
  const key = reads && JSON.stringify(reads.map((name) => context[name as keyof NoticeContext]));
  const kept = key === null ? undefined : keptSubjects.get(templates)?.get(key);
  if (kept !== undefined) return kept;
  const subject = singleLine(renderPart(templates, 'subject', context));
  if (subject === '') throw invalidInput('NOTICE_EMPTY_SUBJECT', `${templates.parts.subject?.file}: the subject renders empty`);
  if (key !== null) keepSubject(templates, key, subject);
  return subject;
}

/**
 * Subjects already written, by locale's templates and the values of the variables their subject
 * reads: the portal writes a sent notice's subject again on every check, and a subject reads few
 * variables (the controller's name), the same for most notices. At most KEPT_SUBJECTS a locale.
 */
const keptSubjects = new WeakMap<LocaleTemplates, Map<string, string>>();
const KEPT_SUBJECTS = 1000;

function keepSubject(templates: LocaleTemplates, key: string, subject: string): void {
  const kept = keptSubjects.get(templates) ?? new Map<string, string>();
  if (kept.size >= KEPT_SUBJECTS) kept.clear();
  kept.set(key, subject);
  keptSubjects.set(templates, kept);
}

/** The variables the subject template reads (Liquid's own analysis; the engines read no files), or null when it cannot tell: then nothing is kept. */
const subjectReads = new WeakMap<LocaleTemplates, string[] | null>();

function subjectVariables(templates: LocaleTemplates): string[] | null {
  if (subjectReads.has(templates)) return subjectReads.get(templates)!;
  const loaded = templates.parts.subject;
  let reads: string[] | null = null;
  if (loaded && !('syntaxError' in loaded)) {
    try {
      reads = liquidFor('subject').globalVariablesSync(loaded.templates);
    } catch {
      reads = null;
    }
  }
  subjectReads.set(templates, reads);
  return reads;
}

function renderPart(templates: LocaleTemplates, part: NoticePart, context: Partial<NoticeContext>): string {
  const loaded = templates.parts[part];
  if (!loaded) {
    throw invalidInput('NOTICE_TEMPLATE_MISSING', `locale '${templates.locale}' has no ${PART_FILES[part]}; every locale needs a subject, a text and an HTML part`);
  }
  if ('syntaxError' in loaded) throw invalidInput('NOTICE_TEMPLATE_INVALID', `${loaded.file}: ${loaded.syntaxError}`);
  try {
    return liquidFor(part).renderSync(loaded.templates, context);
  } catch (error) {
    if (!(error instanceof LiquidError)) throw error;
    const hint = error instanceof UndefinedVariableError ? `; the variables are: ${Object.keys(NOTICE_VARIABLES).join(', ')}` : '';
    throw invalidInput('NOTICE_TEMPLATE_FAILED', `${loaded.file}: ${error.message}${hint}`);
  }
}

/** Conditional blocks leave runs of blank lines behind; a letter has at most one between paragraphs. */
export function tidyText(text: string): string {
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
