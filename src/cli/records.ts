import { Command, Option } from 'commander';
import { importRecords, importView, listQuarantine, parseMapEntries, presetNames, presetsHelp, PRESTASHOP_ORDERS_QUERY, quarantineView } from '../records/index.ts';
import { loadScopeFile, ruleColumns } from '../scoping/index.ts';
import { formatFields, formatTable, printJson, printLine, progressBar, say } from './io.ts';
import { withContext } from './options.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function importCommand(): Command {
  return new Command('import')
    .description("import the shop's records (an order export) for an incident: who each row belongs to and which data it holds")
    .argument('<id>', 'incident id')
    .argument('<file>', 'CSV or NDJSON export')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'ndjson']))
    .option('--encoding <encoding>', 'utf-8 or latin1 (Windows-1252)', 'utf-8')
    .option('--delimiter <c>', "CSV delimiter: ',', ';' or tab (default: detected from the header)")
    .option('--preset <name>', `column names of a shop platform's export (a platform picks its exporter from the header): ${presetNames().join(', ')}`)
    .option('--key <column>', "the column with the record's own key (order number)")
    .option('--subject <column>', "the column with the customer's email")
    .option('--locale <column>', "the column with the customer's locale")
    .option('--country <column>', "the column with the customer's country (ISO 3166-1)")
    .option('--region <column>', "the column with the customer's region (ISO 3166-2, e.g. US-CA)")
    .option('--map <column=category>', 'classify a column into a data category (repeatable)', collect)
    .option('--rules <file>', 'keep the columns the scope file’s rules bind (e.g. imei), so scoping can find records by them')
    .option('--keep <column>', 'keep an unmapped column for rules to bind (repeatable)', collect)
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', () => `\nPresets (column → category; a column an export lacks is skipped):\n\n${presetsHelp()}\n\nPrestaShop's SQL Manager query (Advanced Parameters › Database › SQL Manager):\n\n${PRESTASHOP_ORDERS_QUERY}\n`)
    .action(async (id: string, file: string, options, cmd: Command) => {
      const keep = [...(options.keep ?? [])];
      if (options.rules) keep.push(...ruleColumns((await loadScopeFile(options.rules)).scope));
      await withContext(cmd, async (ctx) => {
        const bar = progressBar('importing', 1, { quiet: options.json || !ctx.config.progress });
        const summary = await importRecords(ctx, id, file, {
          format: options.format,
          encoding: options.encoding,
          delimiter: options.delimiter,
          preset: options.preset,
          key: options.key,
          subject: options.subject,
          locale: options.locale,
          country: options.country,
          region: options.region,
          map: parseMapEntries(options.map ?? []),
          ruleColumns: keep,
          onProgress: (bytes, total) => bar.update(bytes, total),
        }).finally(() => bar.stop());
        if (options.json) return printJson(importView(summary));
        printLine(
          formatFields([
            ['import', summary.importId],
            ['file', `${summary.path} (sha256 ${summary.sha256})`],
            ['preset', presetLine(options.preset, summary.mapping.preset)],
            ['rows read', summary.rowsRead],
            ['imported', summary.imported],
            ['quarantined', summary.quarantined],
            ['subjects', summary.subjects],
            ['kept for rules', summary.mapping.keep.join(', ') || '—'],
          ]),
        );
        if (summary.quarantined > 0) say(`${summary.quarantined} rows were quarantined; 'tocsin quarantine ${id}' lists them with line and reason`);
      });
    });
}

/** The preset used, and whether the header chose it among a platform's. */
function presetLine(asked: string | undefined, used: string | null): string | null {
  if (used === null) return null;
  return asked === used ? used : `${used} (detected from the header)`;
}

export function quarantineCommand(): Command {
  return new Command('quarantine')
    .description('list the rows imports set aside, with file, line and reason')
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const rows = await listQuarantine(ctx, id);
        if (options.json) return printJson(quarantineView(rows));
        if (rows.length === 0) return say('no quarantined rows');
        printLine(formatTable(['IMPORT', 'FILE:LINE', 'REASON'], rows.map((row) => [String(row.importId), `${row.path}:${row.line}`, row.reason])));
      });
    });
}
