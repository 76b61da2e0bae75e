import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { databaseFailure } from '../db/index.ts';
import { TocsinError, type ErrorKind } from '../lib/errors.ts';
import { commandIo, type CommandIo, printJson, withCommandIo } from './io.ts';
import { withNextStep } from './next-step.ts';
import { terminalLines } from './terminal.ts';

/**
 * Every command, in the order `--help` lists them, with the module that makes it. A command
 * line loads only its command's module (and what that imports): starting is most of what a
 * quick command like `tocsin affected` costs. `--help` and unknown commands load them all.
 */
const COMMANDS: readonly [name: string, make: () => Promise<Command>][] = [
  ['incident', async () => (await import('./incident.ts')).incidentCommand()],
  ['audit', async () => (await import('./audit.ts')).auditCommand()],
  ['import', async () => (await import('./records.ts')).importCommand()],
  ['quarantine', async () => (await import('./records.ts')).quarantineCommand()],
  ['detect', async () => (await import('./scoping.ts')).detectCommand()],
  ['scope', async () => (await import('./scoping.ts')).scopeCommand()],
  ['affected', async () => (await import('./scoping.ts')).affectedCommand()],
  ['explain', async () => (await import('./scoping.ts')).explainCommand()],
  ['unknown', async () => (await import('./scoping.ts')).unknownCommand()],
  ['evidence', async () => (await import('./scoping.ts')).evidenceCommand()],
  ['purge', async () => (await import('./scoping.ts')).purgeCommand()],
  ['templates', async () => (await import('./notices.ts')).templatesCommand()],
  ['notices', async () => (await import('./notices.ts')).noticesCommand()],
  ['send', async () => (await import('./delivery.ts')).sendCommand()],
  ['delivery', async () => (await import('./delivery.ts')).deliveryCommand()],
  ['bounces', async () => (await import('./delivery.ts')).bouncesCommand()],
  ['verify', async () => (await import('./notices.ts')).verifyCommand()],
  ['assess', async () => (await import('./compliance.ts')).assessCommand()],
  ['report', async () => (await import('./compliance.ts')).reportCommand()],
  ['register', async () => (await import('./compliance.ts')).registerCommand()],
  ['portal', async () => (await import('./portal.ts')).portalCommand()],
  ['bounty', async () => (await import('./bounty.ts')).bountyCommand()],
  ['serve', async () => (await import('./serve.ts')).serveCommand()],
  ['user', async () => (await import('./accounts.ts')).userCommand()],
  ['token', async () => (await import('./accounts.ts')).tokenCommand()],
  ['security-log', async () => (await import('./accounts.ts')).securityLogCommand()],
  ['phishing', async () => (await import('./phishing.ts')).phishingCommand()],
  ['jobs', async () => (await import('./jobs.ts')).jobsCommand()],
  ['worker', async () => (await import('./jobs.ts')).workerCommand()],
  ['db', async () => (await import('./db.ts')).dbCommand()],
  ['config', async () => (await import('./config.ts')).configCommand()],
  ['demo-data', async () => (await import('./demo.ts')).demoDataCommand()],
  ['demo', async () => (await import('./demo.ts')).demoCommand()],
];

/** The program, with the command `argv` names (or every command when it names none of them). */
async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('tocsin')
    .description('Takes an online shop through a customer-data breach: who was affected, telling them, telling the regulator.')
    .option('--config <file>', 'the configuration file (default: tocsin.yml in the data directory; TOCSIN_CONFIG)')
    .option('--data-dir <dir>', 'where Tocsin keeps its database and outputs (default: ./tocsin-data; TOCSIN_DATA_DIR)')
    .option('--actor <name>', 'who is recorded in the audit log (default: the OS user; TOCSIN_ACTOR)')
    .option('--debug', 'show stack traces and debug logs')
    .version(packageVersion(), '-V, --version', 'print the version of Tocsin');

  const named = commandName(program, argv.slice(2));
  // bin/tocsin.js holds V8's young generation at its first size (1 MB semi-spaces): a server's
  // memory stays flat while it streams uploads. Other commands are short and work through much
  // data in this thread, faster with the young generation V8 grows (its default factor, 2).
  if (named !== 'serve') setFlagsFromString('--semi-space-growth-factor=2');
  const chosen = COMMANDS.filter(([name]) => name === named);
  // `--version` alone needs no command; `--help`, no command or an unknown one lists them all.
  const versionOnly = named === undefined && argv.slice(2).some((arg) => arg === '-V' || arg === '--version');
  for (const [, make] of chosen.length > 0 || versionOnly ? chosen : COMMANDS) program.addCommand(await make());
  configureTree(program);
  return program;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The command a command line names: its first word that is neither an option nor an option's value. */
function commandName(program: Command, args: readonly string[]): string | undefined {
  const takesValue = new Set(program.options.filter((option) => option.required || option.optional).flatMap((option) => [option.long, option.short]));
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('-')) return args[i];
    if (takesValue.has(args[i])) i++;
  }
  return undefined;
}

/** Settings every command shares; commander copies them only to commands made with .command(). */
function configureTree(command: Command): void {
  command
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (text) => commandIo().stdout.write(text), writeErr: (text) => commandIo().stderr.write(text) });
  for (const sub of command.commands) configureTree(sub);
}

/** `--json`, or `--format json` as some commands spell it. */
function asksForJson(argv: readonly string[]): boolean {
  return argv.includes('--json') || argv.includes('--format=json') || argv.some((arg, i) => arg === '--format' && argv[i + 1] === 'json');
}

/** 2 when what the user gave was wrong (the command line, a file it names), 1 for any other failure: one row per kind, so a new kind is a decision. */
const EXIT_STATUS: Record<ErrorKind, 1 | 2> = {
  invalid: 2,
  not_found: 1,
  conflict: 1,
  forbidden: 1,
  unauthenticated: 1,
  throttled: 1,
  unavailable: 1,
  too_large: 1,
  unsupported_media: 1,
  failed: 1,
};

/** Runs the CLI on `io` (the process's streams and environment unless given others); returns the exit status: 0 ok, 1 failure, 2 usage error. */
export function main(argv: string[], io: CommandIo = commandIo()): Promise<number> {
  return withCommandIo(io, () => run(argv));
}

async function run(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  const { stderr } = commandIo();
  try {
    await program.parseAsync(argv);
    return commandIo().exitStatus;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help).
      return error.exitCode === 0 ? 0 : 2;
    }
    const known = error instanceof TocsinError ? error : databaseFailure(error);
    if (known) {
      // A script that asked for JSON gets the error as the server gives it, on stdout; people get the line.
      if (asksForJson(argv)) printJson({ error: known.toData() });
      stderr.write(`tocsin: ${terminalLines(withNextStep(known.message, known.next))}\n`);
      if (argv.includes('--debug')) stderr.write(`${known.stack}\n`);
      return EXIT_STATUS[known.kind];
    }
    // Anything else is a bug in Tocsin, not a user mistake: show everything.
    stderr.write(`tocsin: unexpected error, please report it:\n${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}
