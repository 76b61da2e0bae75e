import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rulesSchema } from '../compliance/index.ts';
import type { NoticeVariant } from '../db/index.ts';
import { loadTemplateSet, VARIANTS_DIR, type TemplateProblem, type TemplateSet } from './template-set.ts';

/** Every variant a jurisdiction rules file may name. */
export const NOTICE_VARIANTS: readonly NoticeVariant[] = rulesSchema.shape.notice.shape.variant.options;

export type VariantSets = Readonly<Record<NoticeVariant, TemplateSet>>;

/**
 * The template set of every variant, read from `dirs` (the incident's override directory first).
 * A variant's own templates live in `<dir>/variants/<variant>/<locale>/` and override the base
 * files of their locale file by file. Its set offers only the locales it has templates of its
 * own for: a Massachusetts resident who reads French gets the Massachusetts notice in English,
 * not the French base notice that says what Massachusetts forbids. A variant with no templates
 * of its own (`gdpr` and `default`, as shipped) is the base set.
 */
export function loadVariantSets(dirs: readonly string[]): VariantSets {
  const base = loadTemplateSet(dirs);
  const strays = strayVariantProblems(dirs);
  const sets = NOTICE_VARIANTS.map((variant) => {
    const set = loadVariantSet(dirs, variant, base);
    return [variant, { ...set, variant, loadProblems: [...strays, ...set.loadProblems] }];
  });
  return Object.fromEntries(sets) as Record<NoticeVariant, TemplateSet>;
}

function loadVariantSet(dirs: readonly string[], variant: NoticeVariant, base: TemplateSet): TemplateSet {
  const variantDirs = dirs.map((dir) => join(dir, VARIANTS_DIR, variant));
  const own = loadTemplateSet(variantDirs);
  if (own.locales.size === 0) return { locales: base.locales, loadProblems: [...own.loadProblems, ...base.loadProblems] };
  const merged = loadTemplateSet([...variantDirs, ...dirs]);
  return { locales: new Map([...merged.locales].filter(([locale]) => own.locales.has(locale))), loadProblems: merged.loadProblems };
}

/** A misspelt variant directory would otherwise be ignored, and the built-in variant sent instead of the edited one. */
function strayVariantProblems(dirs: readonly string[]): TemplateProblem[] {
  const known: ReadonlySet<string> = new Set(NOTICE_VARIANTS);
  return dirs.flatMap((dir) => {
    const parent = join(dir, VARIANTS_DIR);
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !known.has(entry.name))
      .map((entry): TemplateProblem => {
        const file = join(parent, entry.name);
        return { kind: 'bad-file', file, message: `${file}: '${entry.name}' is not a notice variant; the variants are: ${NOTICE_VARIANTS.join(', ')}` };
      });
  });
}
