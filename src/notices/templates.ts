import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { loadRuleBook, REPORT_LANGUAGES, reportTemplateProblems, type RuleBook } from '../compliance/index.ts';
import type { Context } from '../context.ts';
import { FINAL_NOTICE_STATES, NOTICE_STATES, type NoticeState } from '../domain/index.ts';
import { getIncident, recordRun } from '../incidents/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { incidentTemplatesDir, isPortalFile } from '../lib/template-dirs.ts';
import { checkAnswerTemplates } from './answer.ts';
import { checkPhishingReplyTemplates } from './phishing-reply.ts';
import { checkTemplates } from './check-templates.ts';
import { checkVariantChecklists, checkVariantContent } from './check-variants.ts';
import { BUILT_IN_TEMPLATES_DIR, type TemplateProblem } from './template-set.ts';
import { loadVariantSets, type VariantSets } from './variant-sets.ts';
import { templatesCheckView } from './views.ts';


export interface IncidentTemplates {
  /** The set each variant's notices are written with: `sets[notice.variant]`. */
  sets: VariantSets;
  dirs: string[];
  /** Of every file the sets were read from, variants included: a notice records it, and sending refuses a change. */
  sha256: string;
}

export function incidentTemplates(dataDir: string, incidentId: string): IncidentTemplates {
  return templatesIn([incidentTemplatesDir(dataDir, incidentId), BUILT_IN_TEMPLATES_DIR]);
}

/** The templates read from `dirs`, the first overriding the next file by file. */
export function templatesIn(dirs: string[]): IncidentTemplates {
  return { sets: loadVariantSets(dirs), dirs, sha256: fingerprint(dirs) };
}

/** How long kept templates are used before their files are looked at again. */
export const TEMPLATES_RECHECK_MS = 5_000;

const kept = new Map<string, { templates: IncidentTemplates; checkedAt: number }>();

/**
 * An incident's templates as incidentTemplates reads them, kept between calls and read again
 * once their files changed, which is looked at no more than every TEMPLATES_RECHECK_MS (by
 * `now`): the portal writes a sent notice's subject again on every check, and reading and
 * parsing the files would be most of that work.
 */
export function keptTemplates(dataDir: string, incidentId: string, now: Date): IncidentTemplates {
  const key = `${dataDir}\0${incidentId}`;
  const entry = kept.get(key);
  if (entry && now.getTime() - entry.checkedAt < TEMPLATES_RECHECK_MS && now.getTime() >= entry.checkedAt) return entry.templates;
  const dirs = [incidentTemplatesDir(dataDir, incidentId), BUILT_IN_TEMPLATES_DIR];
  const templates = entry?.templates.sha256 === fingerprint(dirs) ? entry.templates : incidentTemplates(dataDir, incidentId);
  kept.set(key, { templates, checkedAt: now.getTime() });
  return templates;
}

/**
 * Everything wrong with an incident's templates: what checkTemplates finds in each variant's
 * set (once, though variants share base files), then what breaks a jurisdiction's content rules.
 */
export function templateProblems(templates: IncidentTemplates, book: RuleBook): TemplateProblem[] {
  const found = [...Object.values(templates.sets).flatMap((set) => checkTemplates(set)), ...checkVariantContent(templates.sets, book), ...checkVariantChecklists(templates.sets)];
  const problems = new Map<string, TemplateProblem>();
  for (const problem of found) {
    if (!problems.has(problem.message)) problems.set(problem.message, problem);
  }
  return [...problems.values()];
}

/** What `templates check` finds for an incident: its notice templates' problems and its authority reports' (the CLI and the API show this). */
export async function checkIncidentTemplates(ctx: Pick<Context, 'db' | 'dataDir'>, incidentId: string) {
  const incident = await getIncident(ctx, incidentId);
  return checkTemplatesIn(incidentTemplates(ctx.dataDir, incident.id));
}

export type TemplatesCheck = ReturnType<typeof checkTemplatesIn>;

/** What `templates check` finds in `templates`, wherever they were read from. */
export function checkTemplatesIn(templates: IncidentTemplates) {
  const book = loadRuleBook();
  const problems = [...templateProblems(templates, book), ...reportTemplateProblems(templates.dirs, book.rulesFor('FR')), ...checkAnswerTemplates(), ...checkPhishingReplyTemplates()];
  return { ...templatesCheckView(templates, problems), reports: REPORT_LANGUAGES };
}

/** The templates, or a usage error that lists every problem templateProblems found. */
export function checkedTemplates(dataDir: string, incidentId: string, book: RuleBook): IncidentTemplates {
  const templates = incidentTemplates(dataDir, incidentId);
  const problems = templateProblems(templates, book);
  if (problems.length > 0) {
    throw new TocsinError('TEMPLATES_INVALID', `the notice templates have ${problems.length} problem(s); fix them and check them again:\n${describeProblems(problems)}`, {
      kind: 'invalid',
      next: { action: 'check_templates', incident_id: incidentId },
    });
  }
  return templates;
}

export function describeProblems(problems: readonly TemplateProblem[]): string {
  return problems.map((problem) => `  - ${problem.message}`).join('\n');
}

/** Notices whose end is not decided yet: sending refuses to start while any was built from other templates. */
const UNSENT: readonly NoticeState[] = NOTICE_STATES.filter((state) => !FINAL_NOTICE_STATES.includes(state));

/** Whether notices not yet sent were built from templates other than those fingerprinted `sha256`: sending refuses them (templatesChanged). */
export async function noticesBuiltFromOtherTemplates(ctx: Pick<Context, 'db'>, incidentId: string, sha256: string): Promise<boolean> {
  const changed = await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', incidentId).where('state', 'in', UNSENT).where('templates_sha256', '!=', sha256).executeTakeFirst();
  return changed !== undefined;
}

/** Copies the built-in templates into the incident's directory for editing; never overwrites an edited file. */
export function initIncidentTemplates(dataDir: string, incidentId: string): { dir: string; copied: number } {
  const dir = incidentTemplatesDir(dataDir, incidentId);
  let copied = 0;
  for (const file of filesUnder(BUILT_IN_TEMPLATES_DIR)) {
    const target = join(dir, relative(BUILT_IN_TEMPLATES_DIR, file));
    if (existsSync(target)) continue;
    cpSync(file, target);
    copied++;
  }
  return { dir, copied };
}

/** Copies the built-in templates into the incident's directory for editing (templates init); the audit trail records a copy that added files. */
export async function initTemplates(ctx: Context, incidentId: string): Promise<{ dir: string; copied: number }> {
  const incident = await getIncident(ctx, incidentId);
  const result = initIncidentTemplates(ctx.dataDir, incident.id);
  if (result.copied > 0) await recordRun(ctx, incident.id, { action: 'templates.initialized', details: { copied: result.copied } });
  return result;
}

function fingerprint(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    for (const file of filesUnder(dir)) hash.update(`${relative(dir, file)}\0`).update(readFileSync(file)).update('\0');
    hash.update('\n');
  }
  return hash.digest('hex');
}

/** The files of a template directory, without the portal's words and answers (which no notice uses). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile() && !isPortalFile(basename(path)))
    .sort();
}
