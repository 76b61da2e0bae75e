import { TocsinError } from '../lib/errors.ts';
import { CATEGORIES } from '../domain/index.ts';
import { liquidFor } from './liquid.ts';
import { NOTICE_VARIABLES } from './notice-vars.ts';
import { renderNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { FACT_CONDITIONS, NOTICE_PARTS, PART_FILES, PHRASES_FILE, STATEMENTS_FILE, type FactCondition, type LocaleTemplates, type TemplateProblem, type TemplateSet } from './template-set.ts';

const KNOWN_VARIABLES: ReadonlySet<string> = new Set(Object.keys(NOTICE_VARIABLES));

/**
 * What the body of every notice must show: what was seen, whom to ask, and the code with the
 * address to check it at (without them the customer cannot tell a genuine notice from phishing).
 */
const REQUIRED_IN_BODY = ['exposed', 'contact_email', 'verification_code', 'verify_address'] as const;

/**
 * Everything wrong with a template set, in locale and file order; empty when it is fit to
 * send. Beyond reading problems: missing parts, syntax errors, unknown variables (with line
 * and column), required variables a body never shows, categories without a phrase, and
 * anything that still fails when sample notices are rendered, and statements of fact (the
 * locale's statements.json) that a notice makes though the fact is not recorded.
 */
export function checkTemplates(set: TemplateSet): TemplateProblem[] {
  const problems = [...set.loadProblems];
  for (const templates of set.locales.values()) {
    const found = [...staticProblems(templates), ...phraseProblems(templates)];
    problems.push(...(found.length > 0 ? found : [...renderProblems(set, templates), ...statementProblems(set, templates)]));
  }
  return problems.sort((a, b) => (a.locale ?? '').localeCompare(b.locale ?? '') || (a.file ?? '').localeCompare(b.file ?? ''));
}

function staticProblems({ locale, parts }: LocaleTemplates): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const part of NOTICE_PARTS) {
    const loaded = parts[part];
    if (!loaded) {
      problems.push({ kind: 'missing-part', locale, file: `${locale}/${PART_FILES[part]}`, message: `locale '${locale}' has no ${PART_FILES[part]}` });
      continue;
    }
    const { file } = loaded;
    if ('syntaxError' in loaded) {
      problems.push({ kind: 'syntax', locale, file, line: loaded.line, message: `${file}: ${loaded.syntaxError}` });
      continue;
    }
    const { globals } = liquidFor(part).analyzeSync(loaded.templates, { partials: false });
    for (const [name, uses] of Object.entries(globals)) {
      if (KNOWN_VARIABLES.has(name)) continue;
      const { row, col } = uses[0].location;
      problems.push({
        kind: 'unknown-variable',
        locale,
        file,
        line: row,
        message: `${file}, line ${row}, column ${col}: unknown variable '${name}'; the variables are: ${[...KNOWN_VARIABLES].join(', ')}`,
      });
    }
    if (part === 'subject') continue;
    for (const name of REQUIRED_IN_BODY) {
      if (!(name in globals)) {
        problems.push({ kind: 'missing-variable', locale, file, message: `${file}: never shows '${name}'; every notice must (${NOTICE_VARIABLES[name]})` });
      }
    }
  }
  return problems;
}

function phraseProblems({ locale, phrases }: LocaleTemplates): TemplateProblem[] {
  const missing = CATEGORIES.filter((category) => phrases[category] === undefined);
  if (missing.length === 0) return [];
  const file = `${locale}/${PHRASES_FILE}`;
  return [{ kind: 'missing-phrase', locale, file, message: `${file}: no phrase for ${missing.map((category) => `'${category}'`).join(', ')}` }];
}

/** Run only on a set that passed the static checks, so each failure here is news. */
function renderProblems(set: TemplateSet, { locale }: LocaleTemplates): TemplateProblem[] {
  const messages = new Set<string>();
  for (const vars of SAMPLE_NOTICE_VARS) {
    try {
      renderNotice(set, locale, vars);
    } catch (error) {
      if (!(error instanceof TocsinError)) throw error;
      messages.add(error.message);
    }
  }
  return [...messages].map((message) => ({ kind: 'render', locale, message }));
}

const FACT_GUARDS: Readonly<Record<FactCondition, { guard: string; unless: string }>> = {
  reported_to: { guard: '{% if reported_to != empty %}', unless: 'no report was recorded as submitted' },
  authority_duty: { guard: '{% if authority_duty %}', unless: 'no authority duty was found' },
  law_enforcement_delay: { guard: "{% if law_enforcement_delay == 'no' %}", unless: 'whether law enforcement delayed the notice was not recorded' },
};

/**
 * A notice rendered with no report recorded and no authority duty found must state neither: a
 * phrase of statements.json in it means the template says it outside its condition.
 */
function statementProblems(set: TemplateSet, templates: LocaleTemplates): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const vars of SAMPLE_NOTICE_VARS) {
    let notice;
    try {
      notice = renderNotice(set, templates.locale, { ...vars, reportedTo: [], authorityDuty: false, lawEnforcementDelay: null });
    } catch (error) {
      if (error instanceof TocsinError) continue; // renderProblems has said why
      throw error;
    }
    for (const part of ['text', 'html'] as const) {
      const body = notice[part].toLowerCase();
      const file = templates.parts[part]!.file;
      for (const condition of FACT_CONDITIONS) {
        for (const phrase of templates.statements[condition]) {
          if (!body.includes(phrase.toLowerCase())) continue;
          const { guard, unless } = FACT_GUARDS[condition];
          problems.push({
            kind: 'unguarded-statement',
            locale: templates.locale,
            file,
            message: `${file}: says '${phrase}' (${templates.locale}/${STATEMENTS_FILE}) though ${unless}; put the sentence inside ${guard} … {% endif %}`,
          });
        }
      }
    }
  }
  return [...new Map(problems.map((problem) => [problem.message, problem])).values()];
}
