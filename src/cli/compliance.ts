import { Command, Option } from 'commander';
import { assessIncident, type Assessment, assessmentView, authorityReport, breachRegister, clearReportSection, firstDue, jurisdictionRules, type JurisdictionLine, NOT_LEGAL_ADVICE, prepareAuthorityReport, readSectionFile, type RecipientLine, renderRegister, renderReport, REPORT_LANGUAGES, reportLanguage, reportLanguageFor, reportSectionsStatus, type ReportLanguage, type ReportPhase, reportSubmitted, sectionAssignment, setReportSection, writableSection, WRITABLE_SECTIONS } from '../compliance/index.ts';
import type { Clock } from '../domain/index.ts';
import { invalidInput } from '../lib/errors.ts';
import { commandIo, exitWith, formatTable, printJson, printLine, say, writeOutFile } from './io.ts';
import { withContext } from './options.ts';

/** The first dated deadline, marked when the date is a regulator's working assumption rather than the law's period. */
function deadline(clocks: readonly Clock[]): string {
  const clock = clocks.find((c) => c.due_at !== null);
  return clock ? `${clock.due_at}${clock.assumption ? ' (assumed)' : ''}` : '—';
}

function timeLeft(clocks: readonly Clock[]): string {
  const clock = clocks.find((c) => c.due_at !== null);
  // The law's wording of an undated duty ("without undue delay") is in --json and the report.
  if (!clock) return clocks.length > 0 ? 'no fixed period' : '—';
  const hours = clock.hours_left ?? 0;
  const magnitude = Math.abs(hours) >= 48 ? `${Math.round(Math.abs(hours) / 24)} d` : `${Math.round(Math.abs(hours))} h`;
  return hours < 0 ? `OVERDUE by ${magnitude}` : `due in ${magnitude}`;
}

function row(line: JurisdictionLine): string[] {
  const role = line.authority.role === 'own' ? '' : ` (${line.authority.role})`;
  return [
    line.jurisdiction,
    `${line.authority.duty}${role}`,
    deadline(line.authority.clocks),
    timeLeft(line.authority.clocks),
    line.individuals.duty,
    String(line.subjects),
    String(line.records),
    line.authority.name,
  ];
}

/**
 * Other recipients with a dated deadline that applies, then every duty of the sector regimes the incident
 * names (whoever was affected, dated or for counsel to check): a table of their own.
 */
function recipientRows(assessment: Assessment): string[][] {
  const recipient = (where: string, line: RecipientLine) => [where, line.duty, deadline(line.clocks), timeLeft(line.clocks), line.who];
  return [
    ...assessment.lines.flatMap((line) =>
      line.recipients.filter((other) => other.duty !== 'not-required' && firstDue(other.clocks) !== null).map((other) => recipient(line.jurisdiction, other)),
    ),
    ...assessment.sectors.flatMap((sector) => sector.duties.map((duty) => recipient(sector.regulator, duty))),
  ];
}

/** The incident flag that records the event a clock counts from. */
const eventFlag = (needs: NonNullable<Clock['needs']>, where: string) => (needs === 'assessed_at' ? '--assessed-at ISO' : `--reported-at ${where}=ISO`);

/** Clocks of duties that apply but count from an event the incident does not record yet, and how to record it. */
function undatedLines(assessment: Assessment): string[] {
  const duties = [
    ...assessment.lines.flatMap((line) => [line.authority, line.individuals, ...line.recipients].map((duty) => [line.jurisdiction, duty] as const)),
    ...assessment.sectors.flatMap((sector) => sector.duties.map((duty) => [sector.regulator, duty] as const)),
  ];
  return duties.flatMap(([where, duty]) =>
    duty.clocks.flatMap((clock) => (clock.needs ? [`${where}: ${clock.label} has no date until the incident records it ('tocsin incident update ID ${eventFlag(clock.needs, where)}')`] : [])),
  );
}

/** The assessment as people read it: one line per jurisdiction, then other recipients and sector regimes. */
export function assessmentTable(assessment: Assessment): string {
  const table = formatTable(['JURISDICTION', 'AUTHORITY DUTY', 'DEADLINE', 'TIME LEFT', 'INDIVIDUALS', 'PEOPLE', 'RECORDS', 'AUTHORITY'], assessment.lines.map(row));
  const others = recipientRows(assessment);
  const recipients = others.length > 0 ? `\n\n${formatTable(['WHERE', 'RECIPIENT DUTY', 'DEADLINE', 'TIME LEFT', 'RECIPIENT'], others)}` : '';
  const undated = undatedLines(assessment);
  const waiting = undated.length > 0 ? `\n\n${undated.join('\n')}` : '';
  const note = (table + recipients).includes('(assumed)') ? "\n(assumed): a regulator's working reading of a period the law leaves open, not the law's own; see --json" : '';
  const lead = assessment.lead_authority ? `\nlead authority (one-stop shop): ${assessment.lead_authority.name} (${assessment.lead_authority.jurisdiction})` : '';
  return table + recipients + waiting + note + lead;
}

export function assessCommand(): Command {
  return new Command('assess')
    .description('who must be told, by when: per jurisdiction where affected people live, from the latest scope run')
    .argument('<id>', 'incident id')
    .option(
      '--in-force-from <code=date>',
      "a commencement date you have confirmed, over the one the rules assume (IN=2026-11-13: India's DPDP breach duties); repeatable",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--as-of <iso>', 'read every clock as of this instant instead of now: a past or demo-dated incident as it stood then')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const assessment = await assessIncident(ctx, id, { inForceFrom: options.inForceFrom, asOf: options.asOf });
        if (options.json) return printJson(assessmentView(assessment));
        if (options.asOf !== undefined) printLine(`as of ${assessment.as_of}:\n`);
        printLine(assessmentTable(assessment));
        if (assessment.overdue) say(`\nsome deadlines have passed: the report must give the reasons for the delay (GDPR Art. 33(1)); 'tocsin report ${id} --jurisdiction CODE'`);
        say(`\n${NOT_LEGAL_ADVICE}`);
      });
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description("the report to one jurisdiction's authority, in its language, filled from what Tocsin knows and what a person wrote ('report sections'); what is still to write is marked")
    .argument('<id>', 'incident id')
    .option('--jurisdiction <code>', 'ISO code of the jurisdiction, e.g. FR, GB, US-CA')
    .addOption(new Option('--phase <phase>', 'initial, or complementary (states what changed since the initial report)').choices(['initial', 'complementary']).default('initial'))
    .option('--locale <language>', `the report's language over the authority's own: ${REPORT_LANGUAGES.join(', ')}`)
    .option('--as-of <iso>', 'date the report, and read its deadline, as of this instant instead of now: a past or demo-dated incident as it stood then')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .option('--json', 'the same as --format json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--preview', 'only to look at it: neither its facts (for a later complementary report) nor the audit trail record it')
    .option('--require-complete', 'exit 1 while a section still needs a person to write it')
    .option('--submitted-at <iso>', 'record instead that the report was submitted to the authority at this instant (in the register and the audit trail): only then do notices say it was reported')
    .addCommand(reportSectionsCommand())
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const jurisdiction = requireJurisdiction(options.jurisdiction, id);
        if (options.submittedAt !== undefined) {
          const submitted = await reportSubmitted(ctx, id, jurisdiction, options.submittedAt);
          return say(`recorded: the report to ${submitted.authority} (${submitted.jurisdiction}) was submitted at ${submitted.submitted_at}; notices built from now on say so`);
        }
        const reportOptions = { locale: options.locale, asOf: options.asOf };
        const report = options.preview ? (await prepareAuthorityReport(ctx, id, jurisdiction, options.phase, reportOptions)).report : await authorityReport(ctx, id, jurisdiction, options.phase, reportOptions);
        const text = renderReport(report, options.json ? 'json' : options.format);
        if (options.out) {
          writeOutFile(options.out, text);
          say(`${options.phase} report to ${report.authority.name} (${report.language}) written to ${options.out}`);
        } else {
          commandIo().stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        }
        if (report.unfilled.length > 0) {
          say(`${report.unfilled.length} section(s) still to write in '${report.language}': ${report.unfilled.join(', ')}; 'tocsin report sections ${id} --jurisdiction ${report.jurisdiction} --set SECTION=FILE'`);
          if (options.requireComplete) exitWith(1);
        }
      });
    });
}

function requireJurisdiction(jurisdiction: string | undefined, id: string): string {
  if (jurisdiction === undefined) throw invalidInput('NO_JURISDICTION', `give the authority's jurisdiction: 'tocsin report ${id} --jurisdiction FR' ('tocsin assess ${id}' lists them)`);
  return jurisdiction;
}

/**
 * The sections of the reports a person writes, per report language: set from a file, replace, clear,
 * list. With --jurisdiction, the language is that authority's and the list says which its report
 * still lacks. The report command's own options (--jurisdiction, --locale, --json) apply here.
 */
function reportSectionsCommand(): Command {
  return new Command('sections')
    .description(`the sections of the reports a person writes (${WRITABLE_SECTIONS.join(', ')}), per language: set, replace, clear, list what a report still lacks`)
    .argument('<id>', 'incident id')
    .option('--set <section=file>', 'write a section from a UTF-8 text file (paragraphs separated by blank lines), replacing what it had; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--clear <section>', "remove a section's text so reports ask for it again; repeatable", (value: string, previous: string[] = []) => [...previous, value])
    .action(async (id: string, options, cmd: Command) => {
      const shared = cmd.optsWithGlobals<{ jurisdiction?: string; locale?: string; json?: boolean; phase: ReportPhase; asOf?: string }>();
      await withContext(cmd, async (ctx) => {
        if (shared.jurisdiction !== undefined) jurisdictionRules(shared.jurisdiction, id); // an unknown one refused before anything is written
        const language = sectionsLanguage(shared, id);
        const assignments = ((options.set as string[] | undefined) ?? []).map(sectionAssignment).map((entry) => ({ ...entry, text: readSectionFile(entry.file) }));
        const clears = ((options.clear as string[] | undefined) ?? []).map(writableSection);
        for (const { section, text } of assignments) {
          const { replaced } = await setReportSection(ctx, id, section, language, text);
          say(`${replaced ? 'replaced' : 'set'}: ${section} in '${language}'`);
        }
        for (const section of clears) {
          await clearReportSection(ctx, id, section, language);
          say(`cleared: ${section} in '${language}'`);
        }
        const status = await reportSectionsStatus(ctx, id, language, { jurisdiction: shared.jurisdiction, phase: shared.phase, asOf: shared.asOf });
        const { sections: rows, missing: unfilled } = status;
        if (shared.json) return printJson(status);
        printLine(formatTable(['SECTION', 'WRITTEN', 'UPDATED', 'BY', ...(unfilled ? ['REPORT'] : [])], rows.map((row) => [
          row.section,
          row.written ? 'yes' : 'no',
          row.updated_at ?? '—',
          row.updated_by ?? '—',
          ...(unfilled ? [row.missing === null ? '—' : row.missing ? 'missing' : 'complete'] : []),
        ])));
        if (unfilled) say(unfilled.length > 0 ? `\nthe report to ${shared.jurisdiction} in '${language}' still lacks: ${unfilled.join(', ')}` : `\nthe report to ${shared.jurisdiction} in '${language}' has every section`);
      });
    });
}

/** The language sections are written in: --locale, else the language of --jurisdiction's report. */
function sectionsLanguage(options: { jurisdiction?: string; locale?: string }, id: string): ReportLanguage {
  if (options.locale !== undefined) return reportLanguage(options.locale);
  if (options.jurisdiction !== undefined) return reportLanguageFor(options.jurisdiction.trim().toUpperCase());
  throw invalidInput('NO_REPORT_LOCALE', `say which language the sections are in: --locale (${REPORT_LANGUAGES.join(', ')}), or --jurisdiction CODE for its authority's; e.g. 'tocsin report sections ${id} --jurisdiction FR'`);
}

export function registerCommand(): Command {
  return new Command('register')
    .description('the breach register (GDPR Art. 33(5)): every incident with its facts, effects and remedial action')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .option('--json', 'the same as --format json')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const entries = await breachRegister(ctx);
        if (options.json || options.format === 'json') return printJson(entries);
        if (entries.length === 0) return say('no incidents yet');
        printLine(renderRegister(entries, options.format));
      });
    });
}
