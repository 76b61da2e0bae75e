import { checkNoticeContent, type JurisdictionRules, type NoticeCheck, type RuleBook } from '../compliance/index.ts';
import type { NoticeVariant } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';
import type { NoticeVars } from './notice-vars.ts';
import { renderNotice, type RenderedNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import type { LocaleTemplates, NoticePart, TemplateProblem, TemplateSet } from './template-set.ts';
import { jurisdictionsByVariant } from './variant-rules.ts';
import { rulesFor } from './variant-checklist.ts';
import { NOTICE_VARIANTS, type VariantSets } from './variant-sets.ts';

/**
 * Renders the sample notices of every variant in each of its locales and checks them against
 * the content rules of the jurisdictions that variant writes to: a Massachusetts notice that
 * states how many people were affected, or a California one without its headings, is caught
 * before anything is built. Each problem names the file the offending part came from.
 */
export function checkVariantContent(sets: VariantSets, book: RuleBook): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const [variant, jurisdictions] of jurisdictionsByVariant(book)) {
    const set = sets[variant];
    for (const templates of set.locales.values()) {
      for (const notice of renderedSamples(set, templates.locale)) {
        for (const rules of jurisdictions) problems.push(...noticeProblems(rules, notice, templates, variant));
      }
    }
  }
  return problems;
}

/**
 * Renders the sample notices of every variant in each of its locales and checks them against the
 * variant's checklist (variant-checklist.ts): what a notice in that regime must and must not say,
 * whatever the language, with the provision each item comes from.
 */
export function checkVariantChecklists(sets: VariantSets): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const variant of NOTICE_VARIANTS) {
    const set = sets[variant];
    const rules = rulesFor(variant);
    for (const templates of set.locales.values()) {
      for (const vars of SAMPLE_NOTICE_VARS) {
        const [notice] = renderedSamples(set, templates.locale, [vars]);
        if (!notice) continue;
        for (const part of ['text', 'html'] as const) {
          const file = templates.parts[part]!.file; // the notice rendered, so every part was there
          for (const rule of rules) {
            const found = rule.check({ part, body: notice[part] }, vars, templates, variant);
            if (found) problems.push({ kind: 'checklist', variant, locale: templates.locale, file, message: `${file}: ${variant} notice ${found} [${rule.id}: ${rule.source}]` });
          }
        }
      }
    }
  }
  return [...new Map(problems.map((problem) => [problem.message, problem])).values()];
}

/** Samples that fail to render are checkTemplates' to report; there is nothing here to check in them. */
function renderedSamples(set: TemplateSet, locale: string, samples: readonly NoticeVars[] = SAMPLE_NOTICE_VARS): RenderedNotice[] {
  return samples.flatMap((vars) => {
    try {
      return [renderNotice(set, locale, vars)];
    } catch (error) {
      if (error instanceof TocsinError) return [];
      throw error;
    }
  });
}

/** The bodies must meet every rule; the subject line, which carries no headings, need only avoid what is forbidden. */
function noticeProblems(rules: JurisdictionRules, notice: RenderedNotice, templates: LocaleTemplates, variant: NoticeVariant): TemplateProblem[] {
  const forbidsOnly = { name: rules.name, notice: { ...rules.notice, title: undefined, headings: [], must_mention: [] } };
  const checks: [NoticePart, NoticeCheck][] = [
    ['subject', checkNoticeContent(forbidsOnly, notice.subject)],
    ['text', checkNoticeContent(rules, notice.text)],
    ['html', checkNoticeContent(rules, notice.html)],
  ];
  return checks.flatMap(([part, { problems }]) => {
    const file = templates.parts[part]!.file; // the notice rendered, so every part was there
    return problems.map((problem) => ({
      kind: 'content' as const,
      variant,
      locale: templates.locale,
      file,
      message: `${file}: ${problem.message}${problem.excerpt ? ` ("${problem.excerpt}")` : ''}`,
    }));
  });
}
