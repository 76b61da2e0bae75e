import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  awardReport,
  markAwardPaid,
  programmeMetrics,
  publishDisclosure,
  reportDisclosure,
  reportSla,
  requestDisclosure,
  writeDisclosureText,
  type AwardView,
  type DisclosureView,
  type SlaMeasure,
} from '../bounty/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { parseInstant } from '../lib/time.ts';
import { formatFields, formatTable, printJson, printLine, say } from './io.ts';
import { withContext } from './options.ts';

/** `tocsin bounty sla|award|disclose`: the programme's response times, rewards and coordinated disclosure. */
export function addOutcomeCommands(command: Command): void {
  command
    .command('sla')
    .description("the programme's response times against its targets (median, 90th percentile, share within target, overdue), or one report's")
    .argument('[reference]', "a report: when each target is due, done, met or missed")
    .option('--since <instant>', 'only reports submitted from then on (the last 365 days by default)')
    .option('--json', 'print JSON, as GET /api/bounty/metrics does')
    .action(async (reference: string | undefined, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (reference !== undefined) {
          const measures = await reportSla(ctx, reference);
          if (options.json) return printJson({ reference, sla: measures });
          return printLine(formatSla(measures));
        }
        const metrics = await programmeMetrics(ctx, { since: options.since === undefined ? undefined : new Date(parseInstant(options.since, '--since')) });
        if (options.json) return printJson(metrics);
        say(`${metrics.reports} reports submitted from ${metrics.since.slice(0, 10)} to ${metrics.until.slice(0, 10)} (spam left out)`);
        const hours = (value: number | null) => (value === null ? '' : `${value} h`);
        printLine(
          formatTable(
            ['TARGET', 'DAYS', 'DONE', 'MEDIAN', 'P90', 'WITHIN', 'OVERDUE'],
            metrics.targets.map((target) => [target.target, String(target.target_days), String(target.done), hours(target.median_hours), hours(target.p90_hours), target.within_target === null ? '' : `${Math.round(target.within_target * 100)}%`, String(target.overdue)]),
          ),
        );
      });
    });

  command
    .command('award')
    .description('award a triaged or resolved report (changed until paid), or record its award paid with --paid; the researcher is mailed either way')
    .argument('<reference>', 'the report')
    .argument('[amount]', 'whole units of the currency; the report view shows the reward the table suggests')
    .option('--bonus <amount>', 'whole units on top of the amount')
    .option('--currency <code>', "ISO 4217; the reward table's by default")
    .option('--paid', 'record the award paid (the payment itself happens outside Tocsin)')
    .option('--json', 'print {"award": …} as the API does')
    .action(async (reference: string, amount: string | undefined, options, cmd: Command) => {
      if (options.paid && (amount !== undefined || options.bonus !== undefined || options.currency !== undefined)) {
        throw invalidInput('BAD_ARGUMENTS', '--paid records the award as it is: award first (tocsin bounty award REFERENCE AMOUNT), then --paid alone');
      }
      if (!options.paid && amount === undefined) throw invalidInput('BAD_ARGUMENTS', 'give the AMOUNT to award, or --paid to record the award paid');
      await withContext(cmd, async (ctx) => {
        const award = options.paid
          ? await markAwardPaid(ctx, reference)
          : await awardReport(ctx, reference, { amount: wholeNumber(amount!, 'AMOUNT'), bonus: options.bonus === undefined ? undefined : wholeNumber(options.bonus, '--bonus'), currency: options.currency });
        if (options.json) return printJson({ award });
        printLine(formatAward(award));
      });
    });

  command
    .command('disclose')
    .description("a report's coordinated disclosure: ask for it (or agree to the researcher's request), write the redacted text, publish it; with no option, show where it stands")
    .argument('<reference>', 'the report (resolved or informative)')
    .option('--request', "ask for disclosure, or agree to the researcher's request")
    .option('--title <title>', 'the public title (with --text-file)')
    .option('--text-file <file>', 'the redacted Markdown text: all that is published of the report')
    .option('--publish', 'publish it: once both sides agreed or the deadline passed')
    .option('--json', 'print {"disclosure": …}')
    .action(async (reference: string, options, cmd: Command) => {
      if ((options.title === undefined) !== (options.textFile === undefined)) throw invalidInput('BAD_ARGUMENTS', '--title and --text-file go together: the public title and its text');
      const text = options.textFile === undefined ? undefined : readText(options.textFile);
      await withContext(cmd, async (ctx) => {
        if (options.request) await requestDisclosure(ctx, reference, { kind: 'team' });
        if (text !== undefined) await writeDisclosureText(ctx, reference, { title: options.title, text });
        if (options.publish) await publishDisclosure(ctx, reference);
        const disclosure = await reportDisclosure(ctx.db, reference);
        if (disclosure === null) {
          throw new TocsinError('NO_DISCLOSURE_REQUESTED', 'no one asked for this report to be disclosed: ask with `tocsin bounty disclose REFERENCE --request`', { kind: 'not_found' });
        }
        if (options.json) return printJson({ disclosure });
        printLine(formatDisclosure(disclosure));
      });
    });
}

function wholeNumber(text: string, name: string): number {
  if (!/^[0-9]{1,8}$/.test(text)) throw invalidInput('BAD_AMOUNT', `${name}: a whole number of units of the currency, e.g. 1500`);
  return Number(text);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidInput('FILE_UNREADABLE', `cannot read --text-file ${file} (${reasonOf(error)})`);
  }
}

export function formatAward(award: AwardView): string {
  return formatFields([
    ['award', `${award.total} ${award.currency}${award.bonus > 0 ? ` (${award.amount} + ${award.bonus} bonus)` : ''}`],
    ['awarded', award.awarded_at],
    ['paid', award.paid_at ?? 'not yet'],
  ]);
}

export function formatSla(measures: SlaMeasure[]): string {
  return formatTable(['TARGET', 'DUE', 'DONE', 'HOURS', 'STATUS'], measures.map((entry) => [entry.target, entry.due_at, entry.done_at ?? '', entry.hours === null ? '' : String(entry.hours), entry.status]));
}

/** A disclosure's state; with `url` (the team's view in `tocsin bounty show`), where it is published. */
export function formatDisclosure(disclosure: DisclosureView & { url?: string | null }): string {
  return formatFields([
    ['requested', `${disclosure.requested_at} by the ${disclosure.requested_by}`],
    ['researcher agreed', disclosure.researcher_agreed_at ?? 'not yet'],
    ['team agreed', disclosure.team_agreed_at ?? 'not yet'],
    ['deadline', disclosure.deadline_at],
    ['public title', disclosure.public_title ?? 'not written'],
    ['published', disclosure.published_at ?? 'not yet'],
    ...(disclosure.url ? [['public page', disclosure.url] as [string, string]] : []),
  ]);
}
