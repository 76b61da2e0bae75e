import type { TemplateProblem } from './template-set.ts';
import type { IncidentTemplates } from './templates.ts';

/** What `templates check` reports: the locales each variant offers (keyed by variant), where they were read from, the problems found. */
export function templatesCheckView(templates: IncidentTemplates, problems: TemplateProblem[]) {
  const variants = Object.fromEntries(Object.entries(templates.sets).map(([variant, set]) => [variant, [...set.locales.keys()]]));
  return { variants, dirs: templates.dirs, problems };
}
