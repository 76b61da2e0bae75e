import { readFileSync } from 'node:fs';
import type { Context } from '../context.ts';
import type { IncidentNarrativesTable } from '../db/index.ts';
import { TocsinError, reasonOf, invalidInput } from '../lib/errors.ts';
import { canonicalLocale } from '../domain/index.ts';
import { appendAudit } from './audit.ts';
import { getIncident } from './incidents.ts';

/**
 * An incident's story as its notices tell it, in one locale. `what_happened` is the incident's
 * own and has no default; a part left out of the others takes the templates' default, which is
 * true of any breach. Each part is a list of paragraphs (or list items), each on one line.
 */
export const NARRATIVE_PARTS = ['what_happened', 'what_we_did', 'what_we_are_doing', 'what_you_can_do'] as const;
export type NarrativePart = (typeof NARRATIVE_PARTS)[number];
export type Narrative = Partial<Record<NarrativePart, string[]>>;

/** How a narrative file names each part, as `## What happened` headings (or the part's id). */
export const NARRATIVE_HEADINGS: Readonly<Record<NarrativePart, string>> = {
  what_happened: 'What happened',
  what_we_did: 'What we did',
  what_we_are_doing: 'What we are doing',
  what_you_can_do: 'What you can do',
};

const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/;

/** What is wrong with a narrative's text, at its line (null for the text as a whole). */
export interface NarrativeProblem {
  line: number | null;
  message: string;
}

/**
 * Reads a narrative file: Markdown or plain text. `## What happened`, `## What we did`,
 * `## What we are doing` and `## What you can do` headings start the parts; a file without a
 * heading is all `what_happened`. Paragraphs are separated by blank lines, lines within one are
 * joined, and each list item (`- `, `* `, `1. `) is a paragraph of its own. Markup is not
 * interpreted: text reaches the notice as written, as data.
 */
export function parseNarrative(source: string, file: string): Narrative {
  const { narrative, problems } = checkNarrative(source);
  if (problems.length === 0) return narrative;
  const [{ line, message }] = problems;
  throw invalidInput('BAD_NARRATIVE', `${file}${line === null ? '' : `, line ${line}`}: ${message}`);
}

/** A narrative's text read as parseNarrative reads it, with every problem found at its line (what the console's editor shows as one types). */
export function checkNarrative(source: string): { narrative: Narrative; problems: NarrativeProblem[] } {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const narrative: Narrative = {};
  const problems: NarrativeProblem[] = [];
  let part: NarrativePart | undefined;
  let paragraph: string[] = [];
  const flush = () => {
    const text = paragraph.join(' ').trim();
    paragraph = [];
    if (text === '') return;
    part ??= 'what_happened';
    (narrative[part] ??= []).push(text);
  };
  lines.forEach((line, index) => {
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const found = partNamed(heading[1]);
      if (!found) {
        problems.push({
          line: index + 1,
          message: `'${heading[1].slice(0, 60)}' is not a part of a narrative; use ${Object.values(NARRATIVE_HEADINGS).map((name) => `'## ${name}'`).join(', ')}`,
        });
      } else if (narrative[found]) {
        problems.push({ line: index + 1, message: `'${NARRATIVE_HEADINGS[found]}' comes twice; keep one` });
      } else {
        part = found;
      }
      return;
    }
    if (line.trim() === '') return flush();
    if (LIST_ITEM.test(line)) {
      flush();
      paragraph.push(line.replace(LIST_ITEM, ''));
      return;
    }
    paragraph.push(line.trim());
  });
  flush();
  if (Object.keys(narrative).length === 0 && problems.length === 0) problems.push({ line: null, message: 'the narrative is empty; write at least what happened' });
  return { narrative, problems };
}

/** A narrative as the Markdown parseNarrative reads back the same: each part under its heading, a paragraph each. */
export function narrativeMarkdown(narrative: Narrative): string {
  return NARRATIVE_PARTS.filter((part) => narrative[part])
    .map((part) => `## ${NARRATIVE_HEADINGS[part]}\n\n${narrative[part]!.join('\n\n')}\n`)
    .join('\n');
}

function partNamed(heading: string): NarrativePart | undefined {
  const wanted = heading.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  return NARRATIVE_PARTS.find((part) => NARRATIVE_HEADINGS[part].toLowerCase() === wanted || part.replaceAll('_', ' ') === wanted);
}

/** `fr=story.md` as the CLI takes it: a locale tag and a file. */
export function readNarrativeFile(assignment: string): { locale: string; narrative: Narrative } {
  const at = assignment.indexOf('=');
  const locale = at > 0 ? canonicalLocale(assignment.slice(0, at).trim()) : undefined;
  if (!locale) throw invalidInput('BAD_NARRATIVE', `--narrative-file '${assignment}': write LOCALE=FILE, e.g. en=narrative.md or fr-FR=recit.md`);
  const file = assignment.slice(at + 1);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidInput('NARRATIVE_UNREADABLE', `cannot read the narrative file ${file} (${reasonOf(error)})`);
  }
  return { locale, narrative: parseNarrative(source, file) };
}

/** A narrative given as text for a language tag (the API's `narratives` field), checked as a file is. */
export function narrativeFromText(tag: string, source: string): { locale: string; narrative: Narrative } {
  const locale = canonicalLocale(tag);
  if (!locale) throw invalidInput('BAD_NARRATIVE', `narratives: '${tag}' is not a language tag such as en or fr-FR`);
  return { locale, narrative: parseNarrative(source, `narratives.${locale}`) };
}

/** Replaces the incident's narrative in `locale` (parts left out go back to their defaults), in the audit trail. */
export async function setNarrative(ctx: Context, incidentId: string, locale: string, narrative: Narrative): Promise<void> {
  const row: IncidentNarrativesTable = { incident_id: '', locale, updated_at: ctx.now().toISOString(), ...storedParts(narrative) };
  await ctx.db.transaction().execute(async (trx) => {
    const incident = await getIncident({ db: trx }, incidentId);
    row.incident_id = incident.id;
    await trx
      .insertInto('incident_narratives')
      .values(row)
      .onConflict((conflict) => conflict.columns(['incident_id', 'locale']).doUpdateSet(row))
      .execute();
    const parts = NARRATIVE_PARTS.filter((part) => narrative[part]);
    await appendAudit(trx, ctx, incident.id, { action: 'incident.narrative_set', details: { locale, parts } });
  });
}

/** The incident's narratives by locale. */
export async function narrativesOf(ctx: Pick<Context, 'db'>, incidentId: string): Promise<Map<string, Narrative>> {
  const rows = await ctx.db.selectFrom('incident_narratives').selectAll().where('incident_id', '=', incidentId).orderBy('locale').execute();
  return new Map(rows.map((row) => [row.locale, narrativeOf(row)]));
}

function storedParts(narrative: Narrative): Record<NarrativePart, string | null> {
  return Object.fromEntries(NARRATIVE_PARTS.map((part) => [part, narrative[part]?.join('\n\n') ?? null])) as Record<NarrativePart, string | null>;
}

function narrativeOf(row: IncidentNarrativesTable): Narrative {
  const narrative: Narrative = {};
  for (const part of NARRATIVE_PARTS) if (row[part] !== null) narrative[part] = row[part].split('\n\n');
  return narrative;
}

/** The narrative notices in `locale` tell: written for it, or for its language (`en` serves `en-GB`). */
export function narrativeFor(narratives: ReadonlyMap<string, Narrative>, locale: string): Narrative | undefined {
  return narratives.get(locale) ?? narratives.get(new Intl.Locale(locale).language);
}

/** Build refuses a locale whose notices would not say what happened: naming the command that fills it. */
export function narrativeMissing(incidentId: string, locale: string): TocsinError {
  return new TocsinError(
    'NARRATIVE_MISSING',
    `incident ${incidentId} has no narrative in '${locale}' saying what happened, and notices in '${locale}' need one; write it (see README, "Narrative") and set it`,
    { kind: 'conflict', next: { action: 'set_narrative', incident_id: incidentId, locale } },
  );
}
