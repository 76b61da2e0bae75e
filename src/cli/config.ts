import { Command } from 'commander';
import { describeConfig } from '../config.ts';
import { formatTable, printJson, printLine, say } from './io.ts';
import { commandConfig } from './options.ts';

export function configCommand(): Command {
  const command = new Command('config').description('the configuration in effect: defaults < tocsin.yml < environment < flags');
  command
    .command('show', { isDefault: true })
    .description('print each setting, its value (secrets hidden) and where it came from: default, file, env or flag')
    .option('--json', 'print JSON')
    .action((options, cmd: Command) => {
      const loaded = commandConfig(cmd);
      const settings = describeConfig(loaded);
      if (options.json) return printJson({ file: loaded.file, settings });
      say(loaded.file ? `configuration file: ${loaded.file}` : 'no configuration file (tocsin.yml in the data directory, or --config FILE)');
      printLine(formatTable(['KEY', 'VALUE', 'FROM'], settings.map(({ key, value, source }) => [key, value === null ? '-' : typeof value === 'string' ? value : JSON.stringify(value), source])));
    });
  return command;
}
