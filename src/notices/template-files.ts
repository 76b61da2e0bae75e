import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Context } from '../context.ts';
import { getIncident, recordRun } from '../incidents/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { BUILT_IN_TEMPLATES_DIR, incidentTemplatesDir } from '../lib/template-dirs.ts';
import { checkTemplatesIn, filesUnder, incidentTemplates, noticesBuiltFromOtherTemplates, templatesIn, type TemplatesCheck } from './templates.ts';

// The template editor's files: the built-in set's, each read from the incident's own copy when it
// has one. Only names of the built-in set are written, so a name is looked up, never resolved as a
// path (`..`, absolute paths and encodings of them name nothing), and no symbolic link is followed.

/** The largest template file taken: ten times the largest built-in one. */
export const TEMPLATE_FILE_MAX_BYTES = 256 * 1024;

export interface TemplateFile {
  /** Relative to a template directory, with `/`: `fr/notice.txt.liquid`, `variants/us-ca/en-US/notice.html.liquid`, `reports/fr.json`. */
  name: string;
  /** Whether the incident has its own copy, which notices use instead of the built-in one. */
  overridden: boolean;
  /** Of the file notices use; null when a symbolic link is on the way to the incident's copy, which the editor does not follow. */
  sha256: string | null;
}

/** The names of the built-in set, which are the names the editor reads and writes. */
export function templateFileNames(): string[] {
  return filesUnder(BUILT_IN_TEMPLATES_DIR).map((file) => relative(BUILT_IN_TEMPLATES_DIR, file).split(sep).join('/'));
}

/** Every template file an incident's notices and reports use, and whether the incident has its own copy. */
export async function listTemplateFiles(ctx: Pick<Context, 'db' | 'dataDir'>, incidentId: string): Promise<{ items: TemplateFile[]; notices_stale: boolean }> {
  const incident = await getIncident(ctx, incidentId);
  const dir = incidentTemplatesDir(ctx.dataDir, incident.id);
  const items = templateFileNames().map((name) => {
    const own = ownCopy(dir, name);
    if (own === 'link') return { name, overridden: true, sha256: null };
    return { name, overridden: own !== null, sha256: sha256(own ?? readFileSync(join(BUILT_IN_TEMPLATES_DIR, name), 'utf8')) };
  });
  return { items, notices_stale: await noticesStale(ctx, incident.id) };
}

/** One template file's text: the incident's copy, else the built-in one. */
export async function readTemplateFile(ctx: Pick<Context, 'db' | 'dataDir'>, incidentId: string, name: string): Promise<TemplateFile & { text: string }> {
  const incident = await getIncident(ctx, incidentId);
  knownName(name);
  const dir = incidentTemplatesDir(ctx.dataDir, incident.id);
  refuseLinks(dir, name, true);
  const own = ownCopy(dir, name);
  const text = typeof own === 'string' ? own : readFileSync(join(BUILT_IN_TEMPLATES_DIR, name), 'utf8');
  return { name, overridden: own !== null, sha256: sha256(text), text };
}

export interface TemplateWrite {
  file: TemplateFile;
  /** False for a dry run, which wrote nothing. */
  written: boolean;
  /** `templates check` on the templates as written (as they would be, for a dry run). */
  check: TemplatesCheck;
  /** Whether notices not yet sent were built from other templates: sending refuses them until they are built again. */
  notices_stale: boolean;
}

/**
 * Writes `text` as the incident's own copy of the template file `name`, whole or not at all, and
 * records who did in the audit trail. A dry run writes nothing and checks the templates as they
 * would be: what the editor shows as one types.
 */
export async function writeTemplateFile(ctx: Context, incidentId: string, name: string, text: string, options: { dryRun?: boolean } = {}): Promise<TemplateWrite> {
  const incident = await getIncident(ctx, incidentId);
  knownName(name);
  checkText(name, text);
  const dir = incidentTemplatesDir(ctx.dataDir, incident.id);
  refuseLinks(dir, name, true);
  const file = { name, overridden: true, sha256: sha256(text) };
  if (options.dryRun) return { file, written: false, check: checkDraft(dir, name, text), notices_stale: await noticesStale(ctx, incident.id) };
  const target = join(dir, name);
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  // Written aside, then renamed: notices being built read the old file or the new one, never half of one.
  const part = `${target}.${randomUUID()}.part`;
  writeFileSync(part, text, { flag: 'wx', mode: 0o600 });
  renameSync(part, target);
  await recordRun(ctx, incident.id, { action: 'templates.file_written', details: { name, sha256: file.sha256, bytes: Buffer.byteLength(text) } });
  return { file, written: true, check: checkTemplatesIn(incidentTemplates(ctx.dataDir, incident.id)), notices_stale: await noticesStale(ctx, incident.id) };
}

/** Deletes the incident's copy of `name`, so notices use the built-in file again; recorded in the audit trail when there was a copy. */
export async function revertTemplateFile(ctx: Context, incidentId: string, name: string): Promise<TemplateWrite> {
  const incident = await getIncident(ctx, incidentId);
  knownName(name);
  const dir = incidentTemplatesDir(ctx.dataDir, incident.id);
  // The copy itself may be a link (unlinking removes the link, not what it points to); a directory on the way may not.
  refuseLinks(dir, name, false);
  const had = ownCopy(dir, name) !== null;
  if (had) {
    unlinkSync(join(dir, name));
    await recordRun(ctx, incident.id, { action: 'templates.file_reverted', details: { name } });
  }
  const file = { name, overridden: false, sha256: sha256(readFileSync(join(BUILT_IN_TEMPLATES_DIR, name), 'utf8')) };
  return { file, written: had, check: checkTemplatesIn(incidentTemplates(ctx.dataDir, incident.id)), notices_stale: await noticesStale(ctx, incident.id) };
}

function knownName(name: string): void {
  if (templateFileNames().includes(name)) return;
  throw new TocsinError('UNKNOWN_TEMPLATE_FILE', `'${name.slice(0, 100)}' is not a template file: name one of the built-in set, such as fr/notice.txt.liquid`, { kind: 'not_found' });
}

function checkText(name: string, text: string): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > TEMPLATE_FILE_MAX_BYTES) {
    throw new TocsinError('TEMPLATE_FILE_TOO_LARGE', `${name}: ${bytes} bytes; a template file may have ${TEMPLATE_FILE_MAX_BYTES}`, { kind: 'too_large' });
  }
  // Tabs and line ends are text; other control characters would reach a notice's headers and HTML as they are.
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(text);
  if (control) {
    const line = text.slice(0, control.index).split('\n').length;
    throw invalidInput('TEMPLATE_FILE_NOT_TEXT', `${name}, line ${line}: the control character 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')}; a template is text`);
  }
}

/** Refuses a symbolic link on the way to the incident's copy of `name` (and the copy itself, with `file`): the editor writes only inside the incident's directory. */
function refuseLinks(dir: string, name: string, file: boolean): void {
  const link = linkOnTheWay(dir, name, file);
  if (link !== null) {
    throw new TocsinError('TEMPLATE_FILE_LINK', `${link} is a symbolic link; the editor reads and writes only files inside the incident's template directory: replace the link by a file`, { kind: 'conflict' });
  }
}

/** The first symbolic link from the incident's directory's parent down to `name`'s directory (and the file itself, with `file`); null when there is none. */
function linkOnTheWay(dir: string, name: string, file: boolean): string | null {
  const parts = name.split('/');
  const paths = [dirname(dir), dir, ...parts.slice(0, file ? parts.length : -1).map((_, index) => join(dir, ...parts.slice(0, index + 1)))];
  for (const path of paths) {
    try {
      if (lstatSync(path).isSymbolicLink()) return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw error;
    }
  }
  return null;
}

/** The incident's copy of `name`: its text, 'link' when a symbolic link is on the way, null when there is none. */
function ownCopy(dir: string, name: string): string | 'link' | null {
  if (linkOnTheWay(dir, name, true) !== null) return 'link';
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}

/** `templates check` on the incident's templates with `name` as `text`, from a scratch copy, with the scratch directory named as the incident's in what it says. */
function checkDraft(dir: string, name: string, text: string): TemplatesCheck {
  const scratch = mkdtempSync(join(tmpdir(), 'tocsin-template-draft-'));
  try {
    if (existsSync(dir)) cpSync(dir, scratch, { recursive: true, verbatimSymlinks: true });
    mkdirSync(dirname(join(scratch, name)), { recursive: true });
    writeFileSync(join(scratch, name), text);
    const check = checkTemplatesIn(templatesIn([scratch, BUILT_IN_TEMPLATES_DIR]));
    // Paths sit in files, directories and messages alike; the scratch name is unique, so replacing it in the JSON finds each.
    return JSON.parse(JSON.stringify(check).replaceAll(JSON.stringify(scratch).slice(1, -1), JSON.stringify(dir).slice(1, -1)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function noticesStale(ctx: Pick<Context, 'db' | 'dataDir'>, incidentId: string): Promise<boolean> {
  return noticesBuiltFromOtherTemplates(ctx, incidentId, incidentTemplates(ctx.dataDir, incidentId).sha256);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
