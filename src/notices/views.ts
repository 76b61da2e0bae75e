import type { IncidentTemplates } from './templates.ts';

/** What `templates check` reports: the locales each variant offers (keyed by variant), where they were read from, the problems found (the notices' and the authority reports'). */
export function templatesCheckView<Problem extends { kind: string; message: string }>(templates: IncidentTemplates, problems: readonly Problem[]) {
  const variants = Object.fromEntries(Object.entries(templates.sets).map(([variant, set]) => [variant, [...set.locales.keys()]]));
  return { variants, dirs: templates.dirs, problems };
}
