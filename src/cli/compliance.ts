import { Command, Option } from 'commander';
import type { Assessment } from '../compliance/assess.ts';
import type { Clock } from '../compliance/clock.ts';
import { NOT_LEGAL_ADVICE } from '../compliance/disclaimer.ts';
import { assessIncident, authorityReport, breachRegister } from '../compliance/incident-compliance.ts';
import type { JurisdictionLine } from '../compliance/jurisdiction-line.ts';
import { renderReport } from '../compliance/render-report.ts';
import { formatTable, printJson, printLine, say, writeOutFile } from './io.ts';
import { withContext } from './options.ts';

/** The JSON contract of `tocsin assess --json`: one object per jurisdiction, plus the full line for detail. */
function assessmentJson(assessment: Assessment & { run: number }) {
  return {
    run: assessment.run,
    aware_at: assessment.aware_at,
    assessed_at: assessment.assessed_at,
    lead_authority: assessment.lead_authority,
    overdue: assessment.overdue,
    disclaimer: assessment.disclaimer,
    jurisdictions: assessment.lines.map((line) => ({
      jurisdiction: line.jurisdiction,
      authority: line.authority.name,
      authority_required: line.authority.duty === 'required',
      authority_duty: line.authority.duty,
      authority_deadline: firstDue(line.authority.clocks),
      individuals: line.individuals.duty,
      individuals_deadline: firstDue(line.individuals.clocks),
      subjects: line.subjects,
      records: line.records,
      reasons: [...line.authority.reasons, ...line.individuals.reasons],
      sources: line.sources,
      overdue: line.overdue,
      notice: line.notice,
      detail: line,
    })),
  };
}

const firstDue = (clocks: readonly Clock[]) => clocks.find((clock) => clock.due_at !== null)?.due_at ?? null;

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
    firstDue(line.authority.clocks) ?? '—',
    timeLeft(line.authority.clocks),
    line.individuals.duty,
    String(line.subjects),
    String(line.records),
    line.authority.name,
  ];
}

/** Other recipients with a dated deadline that applies, such as DFS's 72 hours: a table of their own. */
function recipientRows(lines: readonly JurisdictionLine[]): string[][] {
  return lines.flatMap((line) =>
    line.recipients
      .filter((recipient) => recipient.duty !== 'not-required' && firstDue(recipient.clocks) !== null)
      .map((recipient) => [line.jurisdiction, recipient.duty, firstDue(recipient.clocks) ?? '—', timeLeft(recipient.clocks), recipient.who]),
  );
}

/** The assessment as people read it: one line per jurisdiction, then other recipients with deadlines. */
export function assessmentTable(assessment: Assessment): string {
  const table = formatTable(['JURISDICTION', 'AUTHORITY DUTY', 'DEADLINE', 'TIME LEFT', 'INDIVIDUALS', 'PEOPLE', 'RECORDS', 'AUTHORITY'], assessment.lines.map(row));
  const others = recipientRows(assessment.lines);
  const recipients = others.length > 0 ? `\n\n${formatTable(['JURISDICTION', 'RECIPIENT DUTY', 'DEADLINE', 'TIME LEFT', 'RECIPIENT'], others)}` : '';
  const lead = assessment.lead_authority ? `\nlead authority (one-stop shop): ${assessment.lead_authority.name} (${assessment.lead_authority.jurisdiction})` : '';
  return table + recipients + lead;
}

export function assessCommand(): Command {
  return new Command('assess')
    .description('who must be told, by when: per jurisdiction where affected people live, from the latest scope run')
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const assessment = await assessIncident(ctx, id);
        if (options.json) return printJson(assessmentJson(assessment));
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
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const report = await authorityReport(ctx, id, options.jurisdiction, options.phase);
        const text = renderReport(report, options.format);
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
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const entries = await breachRegister(ctx);
        if (options.format === 'json') return printJson(entries);
        if (entries.length === 0) return say('no incidents yet');
        printLine(entries.map((entry) => renderReport(entry, options.format)).join(options.format === 'md' ? '\n---\n\n' : '\n'));
      });
    });
}
