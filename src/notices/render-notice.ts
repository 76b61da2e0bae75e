import { LiquidError, UndefinedVariableError } from 'liquidjs';
import { invalidInput } from '../lib/errors.ts';
import { liquidFor } from './liquid.ts';
import { NOTICE_VARIABLES, noticeContext, type NoticeContext, type NoticeVars } from './notice-vars.ts';
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

/** The subject line alone, as renderNotice writes it. */
export function renderNoticeSubject(set: TemplateSet, locale: string, vars: NoticeVars): string {
  const templates = localeTemplates(set, locale);
  return subjectOf(templates, noticeContext(vars, set.variant ?? 'default', templates));
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

function subjectOf(templates: LocaleTemplates, context: NoticeContext): string {
  const subject = singleLine(renderPart(templates, 'subject', context));
  if (subject === '') throw invalidInput('NOTICE_EMPTY_SUBJECT', `${templates.parts.subject?.file}: the subject renders empty`);
  return subject;
}

function renderPart(templates: LocaleTemplates, part: NoticePart, context: NoticeContext): string {
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
