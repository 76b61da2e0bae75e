import { isAbsolute, relative, sep } from 'node:path';
import type { IncidentTemplates } from './templates.ts';

/**
 * What `templates check` reports: the locales each variant offers (keyed by variant), where they were read from, the problems found (the notices' and the authority reports').
 * Each problem's `name` is its file as the template editor names it (`fr/notice.txt.liquid`), null when it is no one file of the set.
 */
export function templatesCheckView<Problem extends { kind: string; message: string; file?: string }>(templates: IncidentTemplates, problems: readonly Problem[]) {
  const variants = Object.fromEntries(Object.entries(templates.sets).map(([variant, set]) => [variant, [...set.locales.keys()]]));
  return { variants, dirs: templates.dirs, problems: problems.map((problem) => ({ ...problem, name: templateName(templates.dirs, problem.file) })) };
}

/** `file` relative to the directory of `dirs` it lies in; a relative file is such a name already. */
function templateName(dirs: readonly string[], file: string | undefined): string | null {
  if (file === undefined) return null;
  if (!isAbsolute(file)) return file;
  for (const dir of dirs) {
    const name = relative(dir, file);
    if (name !== '' && !name.startsWith('..') && !isAbsolute(name)) return name.split(sep).join('/');
  }
  return null;
}
