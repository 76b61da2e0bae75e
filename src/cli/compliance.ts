import { Command, Option } from 'commander';
import { assessIncident, type Assessment, assessmentView, authorityReport, breachRegister, firstDue, type JurisdictionLine, NOT_LEGAL_ADVICE, type RecipientLine, renderReport, reportSubmitted } from '../compliance/index.ts';
import type { Clock } from '../domain/index.ts';
import { formatTable, printJson, printLine, say, writeOutFile } from './io.ts';
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
  return hours < 0 ? `OVERDUE by ${magnitude}` : `${magnitude} left`;
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
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const assessment = await assessIncident(ctx, id, { inForceFrom: options.inForceFrom });
        if (options.json) return printJson(assessmentView(assessment));
        printLine(assessmentTable(assessment));
        if (assessment.overdue) say(`\nsome deadlines have passed: the report must give the reasons for the delay (GDPR Art. 33(1)); 'tocsin report ${id} --jurisdiction CODE'`);
        say(`\n${NOT_LEGAL_ADVICE}`);
      });
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description("the report to one jurisdiction's authority, filled from what Tocsin knows; what only a person can write is marked")
    .argument('<id>', 'incident id')
    .requiredOption('--jurisdiction <code>', 'ISO code of the jurisdiction, e.g. FR, GB, US-CA')
    .addOption(new Option('--phase <phase>', 'initial, or complementary (states what changed since the initial report)').choices(['initial', 'complementary']).default('initial'))
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .option('--json', 'the same as --format json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--submitted-at <iso>', 'record instead that the report was submitted to the authority at this instant (in the register and the audit trail): only then do notices say it was reported')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (options.submittedAt !== undefined) {
          const submitted = await reportSubmitted(ctx, id, options.jurisdiction, options.submittedAt);
          return say(`recorded: the report to ${submitted.authority} (${submitted.jurisdiction}) was submitted at ${submitted.submitted_at}; notices built from now on say so`);
        }
        const report = await authorityReport(ctx, id, options.jurisdiction, options.phase);
        const text = renderReport(report, options.json ? 'json' : options.format);
        if (!options.out) return process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        writeOutFile(options.out, text);
        say(`${options.phase} report to ${report.authority.name} written to ${options.out}; ${report.needs_human} sections need a person to write them`);
      });
    });
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
        printLine(entries.map((entry) => renderReport(entry, options.format)).join(options.format === 'md' ? '\n---\n\n' : '\n'));
      });
    });
}
