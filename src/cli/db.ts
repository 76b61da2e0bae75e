import { Command } from 'commander';
import { migrateToLatest, migrations, migrationStatus, openDatabase } from '../db/index.ts';
import { formatFields, formatTable, printJson, printLine, say } from './io.ts';
import { commandConfig, databaseConfig } from './options.ts';

export function dbCommand(): Command {
  const command = new Command('db').description('database schema: migrate and show status');

  command
    .command('migrate')
    .description('apply pending migrations (also done automatically on first use)')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      const { config } = commandConfig(cmd);
      const database = await openDatabase(databaseConfig(config));
      try {
        const applied = await migrateToLatest(database, migrations(config.data_dir, config));
        if (options.json) return printJson({ dialect: database.dialect, location: database.location, applied });
        say(applied.length > 0 ? `applied ${applied.join(', ')}` : 'the schema is up to date');
      } finally {
        await database.close();
      }
    });

  command
    .command('status')
    .description('show the dialect, where the database is, and which migrations are applied')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      const database = await openDatabase(databaseConfig(commandConfig(cmd).config));
      try {
        const migrations = await migrationStatus(database);
        if (options.json) return printJson({ dialect: database.dialect, location: database.location, migrations });
        const pending = migrations.filter((m) => !m.applied_at).length;
        printLine(formatFields([['dialect', database.dialect], ['location', database.location], ['pending', pending]]));
        printLine();
        printLine(formatTable(['MIGRATION', 'APPLIED AT'], migrations.map((m) => [m.name, m.applied_at ?? 'pending'])));
      } finally {
        await database.close();
      }
    });

  return command;
}
