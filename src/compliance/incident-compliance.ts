import { z } from 'zod';
import type { Context } from '../context.ts';
import { auditCheckpointLine, getIncident, listIncidents, recordRun, regulatorsOf, reportsOf } from '../incidents/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { type Category, sortCategories } from '../domain/index.ts';
import { parseInstant } from '../lib/time.ts';
import { BUILT_IN_TEMPLATES_DIR, incidentTemplatesDir } from '../lib/template-dirs.ts';
import { affectedSubjects, evidenceFiles } from '../scoping/index.ts';
import { assess, type Assessment } from './assess.ts';
import { withCompetentAuthority } from './competent-authority.ts';
import { buildAuthorityReport, type AuthorityReport, type ReportPhase } from './authority-report.ts';
import type { IncidentFacts } from './facts.ts';
import { jurisdictionOf } from './jurisdiction-of.ts';
import { leadAuthority } from './one-stop-shop.ts';
import { placeName } from './report-facts.ts';
import { writtenSections } from './report-sections.ts';
import { checkedReportWords } from './report-check.ts';
import { reportLanguage, reportLanguageFor, reportWords } from './report-words.ts';
import { registerEntry, type RegisterEntry } from './register-entry.ts';
import { recordReportSubmitted, submittedReports, type SubmittedReport } from './report-submitted.ts';
import { loadRuleBook, type RuleBook } from './rules/load.ts';
import type { JurisdictionRules } from './rules/schema.ts';
import type { SubjectGroup } from './subject-group.ts';

let ruleBook: RuleBook | null = null;
/** The jurisdiction files, read once per process. */
function rules(): RuleBook {
  ruleBook ??= loadRuleBook();
  return ruleBook;
}

/** The latest scope run's affected people grouped by place and exposed categories: what the rules need. */
async function subjectGroups(ctx: Context, incidentId: string): Promise<{ run: number; groups: SubjectGroup[] }> {
  const { run, subjects } = await affectedSubjects(ctx, incidentId);
  const groups = new Map<string, SubjectGroup>();
  for (const subject of subjects) {
    const key = `${subject.country}|${subject.region}|${subject.exposed.join()}`;
    const group = groups.get(key);
    if (group) {
      group.subjects++;
      group.records += subject.records.length;
    } else {
      groups.set(key, { country: subject.country, region: subject.region, exposed: subject.exposed, subjects: 1, records: subject.records.length });
    }
  }
  return { run, groups: [...groups.values()] };
}

/**
 * Who must be told what, by when, for every place the latest scope run's affected people live.
 * `inForceFrom` holds commencement dates the user confirmed, as `IN=2026-11-13`; `asOf`, the instant
 * to read the clocks at instead of now.
 */
export async function assessIncident(ctx: Context, incidentId: string, options: { inForceFrom?: readonly string[]; asOf?: string } = {}): Promise<Assessment & { run: number }> {
  const inForceFrom = confirmedCommencements(options.inForceFrom ?? [], rules());
  const incident = await getIncident(ctx, incidentId);
  const asOf = clockInstant(options.asOf, incident.aware_at);
  const { run, groups } = await subjectGroups(ctx, incident.id);
  const assessment = assess({
    incident: {
      awareAt: incident.aware_at,
      controllerCountry: incident.controller_country,
      controllerRegion: incident.controller_region,
      euEstablishment: incident.eu_establishment,
      regulatedBy: regulatorsOf(incident),
      assessedAt: incident.assessed_at,
      reportedAt: reportsOf(incident),
    },
    subjects: groups,
    now: ctx.now(),
    ...(asOf && { asOf: new Date(asOf) }),
    rules: rules(),
    inForceFrom,
  });
  return { ...assessment, run };
}

/** The instant a user asked clocks to be read at (`--as-of`): none before the incident's aware-at, when no clock has started. */
function clockInstant(asOf: string | undefined, awareAt: string): string | undefined {
  if (asOf === undefined) return undefined;
  const at = parseInstant(asOf, 'as-of');
  if (at < awareAt) throw invalidInput('BAD_AS_OF', `as-of: ${at} is before the incident's aware-at ${awareAt}, when no clock has started; give an instant from then on`);
  return at;
}

/** `IN=2026-11-13` pairs, for jurisdictions whose rules assume a commencement date; anything else is a usage error. */
export function confirmedCommencements(pairs: readonly string[], book: RuleBook): Record<string, string> {
  const assuming = [...book.jurisdictions.values()].filter((jurisdiction) =>
    [jurisdiction.authority, jurisdiction.individuals, ...jurisdiction.recipients].some((duty) => duty.in_force_from !== undefined),
  );
  const choices = assuming.map((jurisdiction) => `${jurisdiction.jurisdiction} (${jurisdiction.name})`).join(', ');
  const confirmed: Record<string, string> = {};
  for (const pair of pairs) {
    const [key = '', date = ''] = pair.split('=');
    const code = key.trim().toUpperCase();
    if (!z.iso.date().safeParse(date.trim()).success) {
      throw invalidInput('BAD_IN_FORCE_FROM', `in-force-from: '${pair}' is not CODE=YYYY-MM-DD; write e.g. IN=2026-11-13`);
    }
    if (!assuming.some((jurisdiction) => jurisdiction.jurisdiction === code)) {
      throw invalidInput('BAD_IN_FORCE_FROM', `in-force-from: ${code} has no duty whose commencement the rules assume; only ${choices}`);
    }
    confirmed[code] = date.trim();
  }
  return confirmed;
}

/** Everything Tocsin knows about an incident now, dated `asOf` (now by default): the input of reports and of the register. */
export async function gatherFacts(ctx: Context, incidentId: string, asOf = ctx.now().toISOString()): Promise<IncidentFacts> {
  const incident = await getIncident(ctx, incidentId);
  const runs = await ctx.db.selectFrom('scope_runs').select('run').where('incident_id', '=', incident.id).execute();
  const facts: IncidentFacts = {
    as_of: asOf,
    incident: {
      id: incident.id,
      title: incident.title,
      controller: incident.controller,
      contact_email: incident.contact_email,
      occurred_from: incident.occurred_from,
      occurred_to: incident.occurred_to,
      discovered_at: incident.discovered_at,
      aware_at: incident.aware_at,
      contained_at: incident.contained_at,
    },
    scope: { runs: runs.length, subjects: 0, records: 0, by_jurisdiction: [] },
    categories: { exposed: [], not_exposed: [] },
    evidence: (await evidenceFiles(ctx, incident.id)).map((file) => ({ path: file.path, sha256: file.sha256, bytes: file.bytes })),
    notices: await noticeCounts(ctx, incident.id),
    submitted_reports: await submittedReports(ctx, rules(), incident.id),
    measures: [],
  };
  if (runs.length === 0) return facts;

  const { subjects } = await affectedSubjects(ctx, incident.id);
  const byJurisdiction = new Map<string, { jurisdiction: string; subjects: number; records: number }>();
  const exposed = new Set<Category>();
  const notExposed = new Set<Category>();
  for (const subject of subjects) {
    const code = jurisdictionOf(subject, rules());
    const entry = byJurisdiction.get(code) ?? { jurisdiction: code, subjects: 0, records: 0 };
    entry.subjects++;
    entry.records += subject.records.length;
    byJurisdiction.set(code, entry);
    for (const category of subject.exposed) exposed.add(category);
    for (const category of subject.notExposed) notExposed.add(category);
  }
  facts.scope = {
    runs: runs.length,
    subjects: subjects.length,
    records: subjects.reduce((sum, subject) => sum + subject.records.length, 0),
    by_jurisdiction: [...byJurisdiction.values()].sort((a, b) => a.jurisdiction.localeCompare(b.jurisdiction)),
  };
  facts.categories = { exposed: sortCategories(exposed), not_exposed: sortCategories([...notExposed].filter((category) => !exposed.has(category))) };
  return facts;
}

async function noticeCounts(ctx: Context, incidentId: string): Promise<IncidentFacts['notices']> {
  const rows = await ctx.db
    .selectFrom('notices')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('incident_id', '=', incidentId)
    .groupBy('state')
    .execute();
  const count = (state: string) => Number(rows.find((row) => row.state === state)?.n ?? 0);
  return { built: rows.reduce((sum, row) => sum + Number(row.n), 0), sent: count('sent'), bounced: count('bounced') };
}

export interface ReportOptions {
  /** The report's language, over the authority's own (`--locale`). */
  locale?: string;
  /** The instant the report is dated and its deadline read at, instead of now (`--as-of`). */
  asOf?: string;
}

/**
 * The report to one authority, in its language (or `options.locale`), with the sections a person
 * wrote in that language, and for the one-stop-shop lead every EU/EEA member state's figures.
 * Nothing is recorded: `authorityReport` records what it makes.
 */
export async function prepareAuthorityReport(ctx: Context, incidentId: string, jurisdiction: string, phase: ReportPhase, options: ReportOptions = {}): Promise<{ report: AuthorityReport; facts: IncidentFacts }> {
  const incident = await getIncident(ctx, incidentId);
  const known = jurisdictionRules(jurisdiction, incident.id);
  const code = known.jurisdiction;
  const language = options.locale === undefined ? reportLanguageFor(code) : reportLanguage(options.locale);
  const words = checkedReportWords(reportWordsDirs(ctx, incident.id), language, rules().rulesFor('FR'));
  const asOf = clockInstant(options.asOf, incident.aware_at);
  const facts = { ...(await gatherFacts(ctx, incident.id, asOf)), audit_checkpoint: await auditCheckpointLine(ctx, incident.id) };
  let previous: IncidentFacts | undefined;
  if (phase === 'complementary') {
    const initial = await ctx.db
      .selectFrom('authority_reports')
      .select('facts')
      .where('incident_id', '=', incident.id)
      .where('jurisdiction', '=', code)
      .where('phase', '=', 'initial')
      .orderBy('at', 'desc')
      .executeTakeFirst();
    if (!initial) {
      throw new TocsinError('NO_INITIAL_REPORT', `no initial report to ${code} yet; make it first`, { kind: 'conflict', next: { action: 'make_report', incident_id: incident.id, jurisdiction: code } });
    }
    previous = JSON.parse(initial.facts) as IncidentFacts;
  }
  const lead = leadAuthority({ controllerCountry: incident.controller_country, euEstablishment: incident.eu_establishment }, rules());
  const eea =
    lead?.jurisdiction === code
      ? facts.scope.by_jurisdiction
          .filter((entry) => rules().rulesFor(entry.jurisdiction).regime === 'eu-gdpr')
          .map((entry) => ({ ...entry, name: placeName(entry.jurisdiction, rules().rulesFor(entry.jurisdiction).name, words) }))
      : undefined;
  const written = Object.fromEntries((await writtenSections(ctx, incident.id, language)).map((entry) => [entry.section, entry.text]));
  const report = buildAuthorityReport({ facts, rules: withCompetentAuthority(known, incident.controller_region), phase, words, previous, eea, written });
  return { report, facts };
}

/**
 * The report to one authority, recorded: the initial report's facts are kept, so that a
 * complementary report states what changed since; making a report is in the audit log.
 */
export async function authorityReport(ctx: Context, incidentId: string, jurisdiction: string, phase: ReportPhase, options: ReportOptions = {}): Promise<AuthorityReport> {
  const { report, facts } = await prepareAuthorityReport(ctx, incidentId, jurisdiction, phase, options);
  const id = facts.incident.id;
  // Made again for the same instant (the same --as-of, or a fixed clock): the latest facts stand.
  await ctx.db
    .insertInto('authority_reports')
    .values({ incident_id: id, jurisdiction: report.jurisdiction, phase, at: facts.as_of, facts: JSON.stringify(facts) })
    .onConflict((conflict) => conflict.columns(['incident_id', 'jurisdiction', 'phase', 'at']).doUpdateSet({ facts: JSON.stringify(facts) }))
    .execute();
  await recordRun(ctx, id, {
    action: 'report.made',
    details: { jurisdiction: report.jurisdiction, phase, language: report.language, unfilled: report.unfilled, subjects: facts.scope.subjects, records: facts.scope.records },
  });
  return report;
}

/** The rules of the jurisdiction a report goes to, as typed (`fr`), or a usage error naming the command that lists them. */
export function jurisdictionRules(jurisdiction: string, incidentId: string): JurisdictionRules {
  const known = rules().jurisdictions.get(jurisdiction.trim().toUpperCase());
  if (!known) {
    throw invalidInput('UNKNOWN_JURISDICTION', `no rules for jurisdiction '${jurisdiction}'; the assessment lists the ones concerned (ISO codes like FR, GB, US-CA)`, {
      next: { action: 'assess', incident_id: incidentId },
    });
  }
  return known;
}

/** The directories report words are read from: the incident's own templates, then the built-in ones. */
export function reportWordsDirs(ctx: Pick<Context, 'dataDir'>, incidentId: string): string[] {
  return [incidentTemplatesDir(ctx.dataDir, incidentId), BUILT_IN_TEMPLATES_DIR];
}

/** Records that the report to one jurisdiction's authority was submitted: notices may say so from then on. */
export async function reportSubmitted(ctx: Context, incidentId: string, jurisdiction: string, submittedAt: string): Promise<SubmittedReport> {
  return recordReportSubmitted(ctx, rules(), incidentId, jurisdiction, submittedAt);
}

/** The Art. 33(5) record: every incident with its facts, effects and remedial action. */
export async function breachRegister(ctx: Context): Promise<RegisterEntry[]> {
  const incidents = await listIncidents(ctx);
  const words = reportWords([BUILT_IN_TEMPLATES_DIR], 'en');
  return Promise.all(incidents.map(async (incident) => registerEntry(await gatherFacts(ctx, incident.id), words)));
}

/** The jurisdictions whose authority has had the initial report: recorded as submitted, or dated on the incident (reported-at). */
export async function reportedJurisdictions(ctx: Context, incidentId: string): Promise<Set<string>> {
  const incident = await getIncident(ctx, incidentId);
  const submitted = await submittedReports(ctx, rules(), incident.id);
  return new Set([...submitted.map((report) => report.jurisdiction), ...Object.keys(reportsOf(incident))]);
}
