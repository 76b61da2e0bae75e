import { Command } from 'commander';
import { NOT_LEGAL_ADVICE } from '../compliance/index.ts';
import { demoReportView, demoShopView, generateDemoShop, runDemo } from '../demo/index.ts';
import { assessmentTable } from './compliance.ts';
import { formatFields, printJson, printLine, progressBar, say } from './io.ts';
import { commandConfig, wholeNumber, type GlobalOptions } from './options.ts';

const DEFAULT_SEED = 2019;

export function demoDataCommand(): Command {
  return new Command('demo-data')
    .description('write a synthetic shop that went through the 2019 breach: orders, access logs, rules and ground truth')
    .requiredOption('--out <dir>', 'directory to write into (created if missing; files in it are replaced)')
    .option('--orders <n>', 'number of orders', wholeNumber('--orders'), 100_000)
    .option('--log-lines <n>', 'number of access log lines, over three rotated files', wholeNumber('--log-lines'), 1_000_000)
    .option('--seed <n>', 'the same seed always writes the same bytes', wholeNumber('--seed'), DEFAULT_SEED)
    .option('--json', 'print the summary as JSON')
    .action(async (options, cmd: Command) => {
      const bar = progressBar('writing', options.orders + options.logLines, { quiet: options.json || !commandConfig(cmd).config.progress });
      const started = performance.now();
      const summary = await generateDemoShop({
        outDir: options.out,
        orders: options.orders,
        logLines: options.logLines,
        seed: options.seed,
        onProgress: (done) => bar.update(done),
      }).finally(() => bar.stop());
      const seconds = (performance.now() - started) / 1000;
      if (options.json) return printJson(demoShopView(summary, seconds));
      say(`wrote the demo shop in ${seconds.toFixed(1)} s`);
      printLine(
        formatFields([
          ['directory', summary.outDir],
          ['orders', summary.orders],
          ['customers', summary.customers],
          ['log lines', summary.logLines],
          ['attack requests', summary.attackRequests],
          ['affected customers', summary.affectedSubjects],
          ['affected orders', summary.affectedRecords],
          ...summary.files.map(({ path, bytes }): [string, string] => ['file', `${path} (${bytes.toLocaleString('en')} bytes)`]),
        ]),
      );
    });
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the whole job on a generated shop in a fresh workspace, showing what each stage did')
    .option('--dir <dir>', 'the demo workspace, emptied first', './tocsin-demo')
    .option('--orders <n>', 'number of orders', wholeNumber('--orders'), 50_000)
    .option('--log-lines <n>', 'number of access log lines', wholeNumber('--log-lines'), 500_000)
    .option('--seed <n>', 'seed of the generated shop', wholeNumber('--seed'), DEFAULT_SEED)
    .option('--json', 'print the steps as JSON')
    .action(async (options, cmd: Command) => {
      const bar = progressBar('generating the shop', options.orders + options.logLines, { quiet: options.json || !commandConfig(cmd).config.progress });
      let generating = true;
      const report = await runDemo({
        dir: options.dir,
        orders: options.orders,
        logLines: options.logLines,
        seed: options.seed,
        actor: cmd.optsWithGlobals<GlobalOptions>().actor,
        onProgress: (done) => bar.update(done),
        onStep: (step) => {
          if (generating) bar.stop();
          generating = false;
          if (!options.json) say(`\n▸ ${step.stage}: ${step.did}\n  ${step.where}`);
        },
      });
      if (options.json) return printJson(demoReportView(report));
      say(`\nWho must be told, by when (as of ${report.assessment.as_of}):\n`);
      say(assessmentTable(report.assessment));
      say(`\n${NOT_LEGAL_ADVICE}`);
      say(`\nThe demo is in ${report.workspace.root}; run it again any time with 'npm start'.`);
    });
}
