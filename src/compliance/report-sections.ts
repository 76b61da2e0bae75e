import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from '../context.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { reasonOf, invalidInput } from '../lib/errors.ts';
import type { ReportLanguage, ReportSectionKey } from './report-words.ts';

/** The sections a report marks for a person to write: all but the records, which are Tocsin's counts alone. */
export const WRITABLE_SECTIONS = ['nature', 'subjects', 'contact', 'consequences', 'measures', 'timeline', 'evidence', 'delay', 'changes'] as const satisfies readonly ReportSectionKey[];
export type WritableSection = (typeof WRITABLE_SECTIONS)[number];

/** Long enough for any section an authority's form takes; a larger file is likely the wrong one. */
const MAX_BYTES = 64 * 1024;

export interface WrittenSection {
  section: WritableSection;
  locale: ReportLanguage;
  text: string;
  updated_at: string;
  updated_by: string;
}

/** `consequences=FILE` as the CLI takes it. */
export function sectionAssignment(assignment: string): { section: WritableSection; file: string } {
  const at = assignment.indexOf('=');
  const name = at > 0 ? assignment.slice(0, at).trim().toLowerCase() : '';
  const section = WRITABLE_SECTIONS.find((candidate) => candidate === name);
  if (!section) {
    throw invalidInput('BAD_REPORT_SECTION', `--set '${assignment}': write SECTION=FILE, SECTION one of ${WRITABLE_SECTIONS.join(', ')}`);
  }
  return { section, file: assignment.slice(at + 1) };
}

/** A section name as typed, for --clear. */
export function writableSection(name: string): WritableSection {
  const section = WRITABLE_SECTIONS.find((candidate) => candidate === name.trim().toLowerCase());
  if (!section) throw invalidInput('BAD_REPORT_SECTION', `'${name}' is not a section a person writes; use one of ${WRITABLE_SECTIONS.join(', ')}`);
  return section;
}

/**
 * The text of a section file: UTF-8 plain text, paragraphs separated by blank lines. Control
 * characters other than line breaks and tabs are refused with their line: they would reach a
 * terminal or an authority's form as something other than text.
 */
export function readSectionFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw invalidInput('SECTION_UNREADABLE', `cannot read the section file ${file} (${reasonOf(error)})`);
  }
  if (bytes.length > MAX_BYTES) throw invalidInput('BAD_SECTION_TEXT', `${file}: ${bytes.length} bytes; a report section takes at most ${MAX_BYTES}`);
  return sectionText(bytes, file);
}

/** The core of readSectionFile: bytes to the text stored, or a usage error naming the file and line. */
export function sectionText(bytes: Uint8Array, file: string): string {
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidInput('BAD_SECTION_TEXT', `${file}: not UTF-8 text; save it as UTF-8`);
  }
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).map((line) => line.replaceAll('\t', ' ').trimEnd());
  const bad = lines.findIndex((line) => CONTROL_CHARACTER.test(line));
  if (bad >= 0) throw invalidInput('BAD_SECTION_TEXT', `${file}, line ${bad + 1}: holds a control character; a report section is plain text`);
  const text = lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  if (text === '') throw invalidInput('BAD_SECTION_TEXT', `${file}: is empty; to remove a section's text use --clear`);
  return text;
}

/** Writes (or replaces) a section in one language, in the audit trail with the text's hash, never the text. */
export async function setReportSection(ctx: Context, incidentId: string, section: WritableSection, locale: ReportLanguage, text: string): Promise<{ replaced: boolean }> {
  const now = ctx.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const incident = await getIncident({ db: trx }, incidentId);
    const key = { incident_id: incident.id, section, locale };
    const before = await trx.selectFrom('report_sections').select('text').where('incident_id', '=', incident.id).where('section', '=', section).where('locale', '=', locale).executeTakeFirst();
    if (before?.text === text) return { replaced: false };
    await trx
      .insertInto('report_sections')
      .values({ ...key, text, updated_at: now, updated_by: ctx.actor })
      .onConflict((conflict) => conflict.columns(['incident_id', 'section', 'locale']).doUpdateSet({ text, updated_at: now, updated_by: ctx.actor }))
      .execute();
    const sha256 = createHash('sha256').update(text).digest('hex');
    await appendAudit(trx, ctx, incident.id, { action: 'report.section_set', details: { section, locale, sha256, characters: text.length, replaced: before !== undefined } });
    return { replaced: before !== undefined };
  });
}

/** Removes a section's text in one language, so reports ask for it again; in the audit trail. */
export async function clearReportSection(ctx: Context, incidentId: string, section: WritableSection, locale: ReportLanguage): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const incident = await getIncident({ db: trx }, incidentId);
    const removed = await trx.deleteFrom('report_sections').where('incident_id', '=', incident.id).where('section', '=', section).where('locale', '=', locale).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) {
      throw invalidInput('NO_REPORT_SECTION', `incident ${incident.id} has no '${section}' written in '${locale}'; the list of its sections says what it has`, {
      next: { action: 'list_report_sections', incident_id: incident.id, locale },
    });
    }
    await appendAudit(trx, ctx, incident.id, { action: 'report.section_cleared', details: { section, locale } });
  });
}

/** The sections written for an incident, in one language or all. */
export async function writtenSections(ctx: Pick<Context, 'db'>, incidentId: string, locale?: ReportLanguage): Promise<WrittenSection[]> {
  let query = ctx.db.selectFrom('report_sections').selectAll().where('incident_id', '=', incidentId);
  if (locale) query = query.where('locale', '=', locale);
  const rows = await query.orderBy('locale').orderBy('section').execute();
  return rows.map((row) => ({ section: row.section as WritableSection, locale: row.locale as ReportLanguage, text: row.text, updated_at: row.updated_at, updated_by: row.updated_by }));
}
