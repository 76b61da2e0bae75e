import { Command, CommanderError, Option } from 'commander';
import { TocsinError } from '../lib/errors.ts';
import { auditCommand } from './audit.ts';
import { assessCommand, registerCommand, reportCommand } from './compliance.ts';
import { dbCommand } from './db.ts';
import { bouncesCommand, deliveryCommand, sendCommand } from './delivery.ts';
import { demoCommand, demoDataCommand } from './demo.ts';
import { incidentCommand } from './incident.ts';
import { noticesCommand, templatesCommand, verifyCommand } from './notices.ts';
import { importCommand, quarantineCommand } from './records.ts';
import { affectedCommand, detectCommand, evidenceCommand, explainCommand, purgeCommand, scopeCommand } from './scoping.ts';

export function buildProgram(): Command {
  const program = new Command('tocsin')
    .description('Takes an online shop through a customer-data breach: who was affected, telling them, telling the regulator.')
    .addOption(new Option('--data-dir <dir>', 'where Tocsin keeps its database and outputs').env('TOCSIN_DATA_DIR').default('./tocsin-data'))
    .option('--actor <name>', 'who is recorded in the audit log (default: the OS user)')
    .option('--debug', 'show stack traces and debug logs');

  program.addCommand(incidentCommand());
  program.addCommand(auditCommand());
  program.addCommand(importCommand());
  program.addCommand(quarantineCommand());
  program.addCommand(detectCommand());
  program.addCommand(scopeCommand());
  program.addCommand(affectedCommand());
  program.addCommand(explainCommand());
  program.addCommand(evidenceCommand());
  program.addCommand(purgeCommand());
  program.addCommand(templatesCommand());
  program.addCommand(noticesCommand());
  program.addCommand(sendCommand());
  program.addCommand(deliveryCommand());
  program.addCommand(bouncesCommand());
  program.addCommand(verifyCommand());
  program.addCommand(assessCommand());
  program.addCommand(reportCommand());
  program.addCommand(registerCommand());
  program.addCommand(dbCommand());
  program.addCommand(demoDataCommand());
  program.addCommand(demoCommand());
  configureTree(program);
  return program;
}

/** Settings every command shares; commander copies them only to commands made with .command(). */
function configureTree(command: Command): void {
  command.exitOverride().showHelpAfterError('(add --help for usage)').configureHelp({ showGlobalOptions: true });
  for (const sub of command.commands) configureTree(sub);
}

/** Runs the CLI; returns the exit status: 0 ok, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof TocsinError) {
      process.stderr.write(`tocsin: ${error.message}\n`);
      if (argv.includes('--debug')) process.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    // Anything else is a bug in Tocsin, not a user mistake: show everything.
    process.stderr.write(`tocsin: unexpected error, please report it:\n${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}
