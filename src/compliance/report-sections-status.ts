import type { Context } from '../context.ts';
import { getIncident } from '../incidents/index.ts';
import type { ReportPhase } from './authority-report.ts';
import { prepareAuthorityReport } from './incident-compliance.ts';
import { WRITABLE_SECTIONS, writtenSections } from './report-sections.ts';
import type { ReportLanguage } from './report-words.ts';

/**
 * Each section a person writes, in one language: its text (null when not written), when and by whom, and,
 * given a jurisdiction, whether that authority's report has the section and still lacks its text
 * (`missing`: true or false; null when its report has no such section, or none was named).
 */
export async function reportSectionsStatus(ctx: Context, incidentId: string, language: ReportLanguage, options: { jurisdiction?: string; phase?: ReportPhase; asOf?: string } = {}) {
  const incident = await getIncident(ctx, incidentId);
  const written = await writtenSections(ctx, incident.id, language);
  const report = options.jurisdiction ? (await prepareAuthorityReport(ctx, incident.id, options.jurisdiction, options.phase ?? 'initial', { locale: language, asOf: options.asOf })).report : null;
  const missing = (section: string) => (report?.sections.some((entry) => entry.key === section) ? report.unfilled.includes(section) : null);
  const sections = WRITABLE_SECTIONS.map((section) => {
    const entry = written.find((candidate) => candidate.section === section);
    return { section, written: entry !== undefined, text: entry?.text ?? null, updated_at: entry?.updated_at ?? null, updated_by: entry?.updated_by ?? null, missing: missing(section) };
  });
  return { locale: language, jurisdiction: report?.jurisdiction ?? null, sections, missing: report?.unfilled ?? null };
}
