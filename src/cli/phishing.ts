import { Command, Option } from 'commander';
import { analyzePendingReports, importMessages, listReports, VERDICTS, type ReportView } from '../phishing/index.ts';
import { formatTable, printJson, printJsonLine, printLine } from './io.ts';
import { withContext } from './options.ts';

/** One line of the table: reasons by their codes, look-alikes by domain; no address and no content. */
function row(view: ReportView): string[] {
  return [view.id, view.received_at, view.verdict ?? '-', String(view.score ?? '-'), view.lookalikes.map((found) => `${found.domain}→${found.imitates}`).join(' ') || '-', view.leaked.map((found) => found.incident).join(' ') || '-', view.reasons.map((entry) => entry.code).join(' ')];
}

const HEADER = ['ID', 'RECEIVED', 'VERDICT', 'SCORE', 'LOOK-ALIKES', 'LEAKED FROM', 'REASONS'];

export function phishingCommand(): Command {
  const command = new Command('phishing').description('the phishing desk: suspicious messages in, each with a verdict and its reasons');
  command
    .command('import')
    .description('analyse suspicious messages (.eml files, mbox files, or directories of them) and keep each as a report')
    .argument('<files...>', '.eml or mbox files, or directories of them')
    .option('--json', 'print one JSON object per message, one per line')
    .action(async (files: string[], options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const views: ReportView[] = [];
        await importMessages(ctx, files, (view) => (options.json ? printJsonLine(view) : views.push(view)));
        if (!options.json) printLine(formatTable(HEADER, views.map(row)));
      });
    });
  command
    .command('reports')
    .description('list the reports with their verdicts, newest first (reports not analysed yet, such as the portal\'s, are analysed first)')
    .addOption(new Option('--verdict <verdict>', 'only reports with this verdict').choices([...VERDICTS]))
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        await analyzePendingReports(ctx);
        const views = await listReports(ctx, { verdict: options.verdict });
        if (options.json) printJson(views);
        else printLine(formatTable(HEADER, views.map(row)));
      });
    });
  return command;
}
