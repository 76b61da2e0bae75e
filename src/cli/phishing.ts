import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Argument, Command, Option } from 'commander';
import { invalidInput, reasonOf } from '../lib/errors.ts';
import {
  analyzePendingReports,
  getCampaign,
  importMessages,
  listCampaigns,
  listReports,
  takedownPack,
  TRIAGE_STATES,
  triageReport,
  VERDICTS,
  watchedCampaigns,
  WATCH_LIST_CSV_HEADER,
  WATCH_LIST_FORMATS,
  watchListRows,
  watchListStix,
  watchShop,
  type CampaignView,
  type ReportView,
} from '../phishing/index.ts';
import { commandIo, csvText, formatFields, formatTable, jsonText, printJson, printJsonLine, printLine, say, writeOutFile } from './io.ts';
import { withContext } from './options.ts';

/** One line of the table: reasons by their codes, look-alikes by domain; no address and no content. */
function row(view: ReportView): string[] {
  return [view.id, view.received_at, view.verdict ?? '-', String(view.score ?? '-'), view.triage, view.campaign ?? '-', view.lookalikes.map((found) => `${found.domain}→${found.imitates}`).join(' ') || '-', view.leaked.map((found) => found.incident).join(' ') || '-', view.reasons.map((entry) => entry.code).join(' ')];
}

const HEADER = ['ID', 'RECEIVED', 'VERDICT', 'SCORE', 'TRIAGE', 'CAMPAIGN', 'LOOK-ALIKES', 'LEAKED FROM', 'REASONS'];

const CAMPAIGN_HEADER = ['CAMPAIGN', 'FIRST SEEN', 'LAST SEEN', 'REPORTS', 'VERDICT', 'DOMAINS', 'SAMPLE'];

function campaignCells(view: CampaignView): string[] {
  return [view.id, view.first_seen, view.last_seen, String(view.report_count), view.verdict, view.domains.join(' ') || '-', view.sample ? `${view.sample.id} ${view.sample.subject}` : '-'];
}

/** A domain as a file name: its ASCII form, and nothing a path could be made of. */
function domainFileName(domain: string): string {
  return `abuse-${domain.replace(/[^a-z0-9.-]/gi, '_').replace(/^\.+/, '')}.txt`;
}

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
    .addOption(new Option('--triage <state>', 'only reports in this triage state').choices([...TRIAGE_STATES]))
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        await analyzePendingReports(ctx);
        const views = await listReports(ctx, { verdict: options.verdict, triage: options.triage });
        if (options.json) printJson(views);
        else printLine(formatTable(HEADER, views.map(row)));
      });
    });
  command
    .command('triage')
    .description('set a report\'s triage state (recorded in the security log with who set it)')
    .argument('<report>', 'the report\'s id, R-XXXX-XXXX-XXXX')
    .addArgument(new Argument('<state>', 'the new state').choices([...TRIAGE_STATES]))
    .option('--json', 'print JSON')
    .action(async (reference: string, state: (typeof TRIAGE_STATES)[number], options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const result = await triageReport(ctx, reference, state);
        if (options.json) printJson(result);
        else printLine(`${result.id}: ${result.previous} → ${result.triage}`);
      });
    });
  command
    .command('campaigns')
    .description('the campaigns the reports were clustered into, the latest active first; one campaign with its reports; or the watch list of every campaign\'s domains and URLs')
    .argument('[campaign]', 'one campaign\'s id, PC-XXXX-XXXX-XXXX')
    .addOption(new Option('--verdict <verdict>', 'only campaigns with this verdict').choices(['phishing', 'suspicious']))
    .addOption(new Option('--export <format>', 'the watch list: every campaign\'s domains and URLs as CSV, or a STIX 2.1 bundle').choices([...WATCH_LIST_FORMATS]))
    .option('--out <file>', 'with --export: write to a file instead of stdout')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (options.export) {
          const screen = !options.out;
          const campaigns = await watchedCampaigns(ctx);
          const text = options.export === 'stix' ? jsonText(watchListStix(ctx, campaigns), screen) : csvText(WATCH_LIST_CSV_HEADER, watchListRows(campaigns), screen);
          if (screen) return void commandIo().stdout.write(text);
          writeOutFile(options.out, text);
          return say(`written to ${options.out}`);
        }
        if (id === undefined) {
          const views = await listCampaigns(ctx, { verdict: options.verdict });
          if (options.json) printJson(views);
          else printLine(formatTable(CAMPAIGN_HEADER, views.map(campaignCells)));
          return;
        }
        const view = await getCampaign(ctx, id);
        if (options.json) return printJson(view);
        printLine(
          formatFields([
            ['campaign', view.id],
            ['verdict', view.verdict],
            ['first seen', view.first_seen],
            ['last seen', view.last_seen],
            ['reports', view.report_count],
            ['domains', view.domains.join(' ')],
            ['urls', `${view.url_count}${view.urls.length > 0 ? `: ${view.urls.slice(0, 5).join(' ')}` : ''}`],
            ['sample', view.sample ? `${view.sample.id} ${view.sample.subject}` : null],
          ]),
        );
        printLine();
        printLine(formatTable(['REPORT', 'RECEIVED', 'VERDICT', 'SCORE', 'TRIAGE'], view.reports.map((report) => [report.id, report.received_at, report.verdict ?? '-', String(report.score ?? '-'), report.triage])));
      });
    });
  command
    .command('takedown')
    .description('a campaign\'s takedown pack: for each of its domains, the evidence and a plain-text abuse report to send to the registrar or host')
    .argument('<campaign>', 'the campaign\'s id, PC-XXXX-XXXX-XXXX')
    .option('--out <dir>', 'write pack.json and one abuse-DOMAIN.txt per domain into this directory')
    .option('--json', 'print the pack as JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const pack = await takedownPack(ctx, id);
        if (options.out) {
          try {
            mkdirSync(options.out, { recursive: true, mode: 0o700 });
          } catch (error) {
            throw invalidInput('OUT_UNWRITABLE', `cannot create ${options.out} (${reasonOf(error)}); choose another --out`);
          }
          writeOutFile(join(options.out, 'pack.json'), jsonText(pack, false));
          for (const domain of pack.domains) writeOutFile(join(options.out, domainFileName(domain.domain)), domain.abuse_report);
          return say(`written to ${options.out}: pack.json and ${pack.domains.length} abuse report${pack.domains.length === 1 ? '' : 's'}`);
        }
        if (options.json) return printJson(pack);
        printLine(pack.domains.map((domain) => domain.abuse_report).join(`\n${'-'.repeat(72)}\n\n`) || `campaign ${pack.campaign.id} has no domain to take down`);
      });
    });
  command
    .command('watch')
    .description('resolve the typo-squatting permutations of shop.domains (through phishing.dns_servers) and list those that exist')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const result = await watchShop(ctx);
        if (options.json) return printJson(result);
        say(`${result.checked} permutations checked, ${result.found.length} exist${result.unresolved > 0 ? `, ${result.unresolved} could not be resolved` : ''}`);
        printLine(formatTable(['DOMAIN', 'IMITATES', 'KINDS', 'A', 'MX'], result.found.map((found) => [found.domain, found.imitates, found.kinds.join(' '), [...found.a, ...found.aaaa].join(' ') || '-', found.mx.join(' ') || '-'])));
      });
    });
  return command;
}
