import { Command } from 'commander';
import { NOT_LEGAL_ADVICE } from '../compliance/index.ts';
import { configWith, type Config } from '../config.ts';
import { addDemoAdmin, copyDemo, DEMO_BOUNTY, DEMO_INCIDENT, DEMO_SHOP_ADDRESS, demoReportView, demoShopView, generateDemoShop, runDemo, type DemoWorkspace } from '../demo/index.ts';
import { assessmentTable } from './compliance.ts';
import { formatFields, printJson, printLine, progressBar, say } from './io.ts';
import { commandConfig, wholeNumber, withConfigContext, withServerFlags, type GlobalOptions } from './options.ts';

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
  const demo = new Command('demo')
    .description('run the whole job on a generated shop in a fresh workspace, showing what each stage did; with --serve, then serve it as tocsin serve does')
    .option('--dir <dir>', 'the demo workspace, emptied first', './tocsin-demo')
    .option('--orders <n>', 'number of orders', wholeNumber('--orders'), 50_000)
    .option('--log-lines <n>', 'number of access log lines', wholeNumber('--log-lines'), 500_000)
    .option('--seed <n>', 'seed of the generated shop', wholeNumber('--seed'), DEFAULT_SEED)
    .option('--json', 'print the steps as JSON')
    .option('--from <dir>', "copy the workspace an earlier 'tocsin demo --dir DIR' made, as it stands, instead of running every stage again")
    .option('--serve', "then serve the demo's database until Ctrl-C, with a new admin account whose password is printed once (npm start)");
  return withServerFlags(demo).action(async (options, cmd: Command) => {
    const config = commandConfig(cmd).config;
    const { workspace, incidentId } = options.from ? await copied(options) : await ranAndShown(options, cmd, config);
    if (options.serve) await serveDemo(demoServerConfig(workspace, config), incidentId);
  });
}

/** The demo copied from an earlier one's workspace (--from), said in a line. */
async function copied(options: { from: string; dir: string; json?: boolean }): Promise<{ workspace: DemoWorkspace; incidentId: string }> {
  const copy = await copyDemo(options.from, options.dir);
  if (options.json) printJson({ copied_from: options.from, workspace: copy.workspace.root, incident_id: copy.incidentId });
  else say(`copied the demo in ${options.from} to ${copy.workspace.root}`);
  return copy;
}

/** Every stage run on a newly generated shop, each shown as it ends, then who must be told by when. */
async function ranAndShown(options: { dir: string; orders: number; logLines: number; seed: number; json?: boolean }, cmd: Command, config: Config): Promise<{ workspace: DemoWorkspace; incidentId: string }> {
  const bar = progressBar('generating the shop', options.orders + options.logLines, { quiet: options.json || !config.progress });
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
  if (options.json) {
    printJson(demoReportView(report));
  } else {
    say(`\nWho must be told, by when (as of ${report.assessment.as_of}):\n`);
    say(assessmentTable(report.assessment));
    say(`\n${NOT_LEGAL_ADVICE}`);
    say(`\nThe demo is in ${report.workspace.root}; run it again any time with 'npm start'.`);
  }
  return report;
}

/**
 * The demo's own configuration (its SQLite database, secret key and file outbox: the shop name,
 * sender and SMTP server of a real tocsin.yml never meet the demo's made-up customers) with the
 * server's settings as given (flags, environment, tocsin.yml). Jobs started through the API may
 * name the demo shop's files by path.
 */
function demoServerConfig(workspace: DemoWorkspace, given: Config): Config {
  return configWith({
    data_dir: workspace.data,
    actor: given.actor,
    log_level: given.log_level,
    listen: given.listen,
    public_listen: given.public_listen,
    tls: given.tls,
    trust_proxy: given.trust_proxy,
    upload_limit: given.upload_limit,
    processes: given.processes,
    import_dirs: [workspace.shop, ...given.import_dirs],
    public_url: given.public_url,
    // The portal's pages are the demo shop's.
    shop: { name: DEMO_INCIDENT.controller ?? undefined, domains: [DEMO_SHOP_ADDRESS] },
    // The phishing desk's lookups (the watch) ask the DNS servers the installation names.
    phishing: { dns_servers: given.phishing.dns_servers },
    // So is the bug bounty programme, with its reports.
    bounty: DEMO_BOUNTY,
  });
}

/**
 * Serves the demo as `tocsin serve` does, with the demo incident's page published on the portal
 * and a new admin whose password is shown here once (it is stored only hashed).
 */
async function serveDemo(config: Config, incidentId: string): Promise<void> {
  // Loaded only to serve: `tocsin demo` alone never starts the server.
  const { serveUntilStopped } = await import('./serve.ts');
  const { publishPage } = await import('../portal/index.ts');
  await withConfigContext(config, async (ctx) => {
    const admin = await addDemoAdmin(ctx);
    const page = await publishPage(ctx, incidentId);
    await serveUntilStopped(ctx, ({ staffUrl, publicUrl }) => {
      say(`incident page: ${publicUrl}${page.path}`);
      say(`API docs: ${staffUrl}/api/docs`);
      say("sign in as the demo's admin (in the console, or POST /api/session); the password is shown this once and kept only as a hash:");
      say(`  email: ${admin.email}`);
      say(`  password: ${admin.password}`);
    });
  });
}
