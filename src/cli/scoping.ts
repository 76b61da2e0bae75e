import { Command, Option } from 'commander';
import { LOG_FORMATS, type LogFormat, parseLogFields } from '../evidence/index.ts';
import { invalidInput } from '../lib/errors.ts';
import { withNextStep } from './next-step.ts';
import { AFFECTED_CSV_HEADER, affectedCsvCells, affectedSubjects, affectedView, listScopeRuns, scopeRunsView, CLIENT_ADDRESS_SOURCES, clientAddressRule, detectionView, detectSuspects, diffRuns, evidenceFiles, evidenceView, explainSubject, explanationView, type FileStats, type LogOptions, planPurge, type PurgedReach, purgedWarning, purgeUnaffected, purgeView, quarantinedWarning, runDiffView, runScope, scopeRunView, unknownReads, type UnknownRead } from '../scoping/index.ts';
import { commandIo, csvText, formatFields, formatTable, jsonText, printJson, printLine, progressBar, say, writeOutFile } from './io.ts';
import { wholeNumber, withContext } from './options.ts';

/** The options saying which logs to read and how, shared by scope and detect. */
function withLogOptions(command: Command): Command {
  return command
    .option('--logs <files...>', "access logs, plain or .gz, in any order; '-' reads standard input")
    .addOption(new Option('--log-format <format>', 'how the logs are written').choices(LOG_FORMATS).default('combined'))
    .option('--log-fields <mapping>', 'JSON field names, for --log-format json: FIELD=NAME,… e.g. time=ts,ip=request.remote_ip,target=request.uri,status=status')
    .addOption(new Option('--client-ip-from <source>', "the client's address: the peer's, or X-Forwarded-For behind --trusted-proxies").choices(CLIENT_ADDRESS_SOURCES).default('peer'))
    .option('--trusted-proxies <cidrs...>', 'your load balancers and proxies, whose X-Forwarded-For is believed (right-most untrusted address, as nginx real_ip)')
    .option('--allow-unparsed', 'go on when no line, or most lines, of a log parse (the run says so in its evidence)');
}

/** The log options as the services take them; `--log-fields` alone means `--log-format json`. */
function logOptions(options: Record<string, unknown>, cmd: Command): LogOptions {
  let format = options.logFormat as LogFormat;
  if (options.logFields !== undefined) {
    if (cmd.getOptionValueSource('logFormat') === 'default') format = 'json';
    if (format !== 'json') throw invalidInput('LOG_FIELDS_UNUSED', `--log-fields is for --log-format json; ${format} has its own fields`);
  }
  return {
    logs: options.logs as string[],
    reading: { format, ...(options.logFields !== undefined ? { fields: parseLogFields(options.logFields as string) } : {}) },
    clientAddress: clientAddressRule(options.clientIpFrom as string, (options.trustedProxies as string[] | undefined) ?? []),
    allowUnparsed: options.allowUnparsed === true,
    stdin: commandIo().stdin,
  };
}

export function scopeCommand(): Command {
  return withLogOptions(
    new Command('scope')
      .description('find who the attacker reached and which of their data: rules × indicators × access logs, kept as a numbered run')
      .argument('<id>', 'incident id')
      .option('--rules <file>', 'the scope file: exposure rules and attacker indicators (YAML)'),
  )
    .option('--diff', 'instead of scoping, show who became or stopped being affected between two runs, by default the last two')
    .option('--from <run>', 'with --diff: the earlier run (default: the one before --to)', wholeNumber('--from'))
    .option('--to <run>', 'with --diff: the later run (default: the latest)', wholeNumber('--to'))
    .option('--runs', "instead of scoping, list the incident's scope runs, newest first")
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (options.runs) {
          const runs = await listScopeRuns(ctx, id);
          if (options.json) return printJson(scopeRunsView(runs));
          if (runs.length === 0) return say(`incident ${id} has no scope run yet`);
          printLine(
            formatTable(
              ['RUN', 'AT', 'AFFECTED', 'RECORDS', 'REQUESTS', 'UNKNOWN', 'LOGS', 'RULES'],
              runs.map((r) => [String(r.run), r.at, String(r.affected), String(r.exposedRecords), String(r.attackerRequests), String(r.unknownValues), String(r.logs), `${r.rulesPath} (${r.rulesSha256.slice(0, 12)})`]),
            ),
          );
          return;
        }
        if (options.diff) {
          const diff = await diffRuns(ctx, id, { from: options.from as number | undefined, to: options.to as number | undefined });
          sayPurgedWarning(id, diff.to, diff.purged);
          if (options.json) return printJson(runDiffView(diff));
          printLine(`run ${diff.from} → run ${diff.to}: ${diff.added.length} newly affected, ${diff.removed.length} no longer affected, ${diff.changed.length} with other data`);
          for (const { subject, exposed } of diff.added) printLine(`+ ${subject}  ${exposed.join(';')}`);
          for (const { subject, exposed } of diff.removed) printLine(`- ${subject}  ${exposed.join(';')}`);
          for (const { subject, before, after } of diff.changed) printLine(`~ ${subject}  ${before.join(';')} → ${after.join(';')}`);
          return;
        }
        if (!options.rules || !options.logs) {
          throw invalidInput('SCOPE_USAGE', "give the rules and the logs: 'tocsin scope ID --rules scope.yml --logs access.log…' (or --diff)");
        }
        const bar = progressBar('scanning', 1, { quiet: options.json || !ctx.config.progress });
        const summary = await runScope(ctx, id, {
          ...logOptions(options, cmd),
          rulesPath: options.rules,
          onProgress: (bytes, total) => bar.update(bytes, total),
        }).finally(() => bar.stop());
        sayPurgedWarning(id, summary.run, summary.purged);
        const quarantined = quarantinedWarning(summary.run, summary.quarantined);
        if (quarantined) say(withNextStep(quarantined, { action: 'list_unknown', incident_id: id }));
        if (options.json) return printJson(scopeRunView(summary));
        printLine(
          formatFields([
            ['scope run', summary.run],
            ['attacker requests', summary.attackerRequests],
            ['affected people', summary.affected],
            ['records read', summary.exposedRecords],
            ['unknown values', summary.unknownValues > 0 ? `${summary.unknownValues} (read but matching no record: 'tocsin unknown ${id}' lists them)` : 0],
            ['purged records reached', summary.purged.requests > 0 ? `${summary.purged.requests} requests` : null],
            ['missing from the list', summary.quarantined.rows > 0 ? `${summary.quarantined.rows} people the attacker read (their rows were quarantined)` : null],
            ...summary.categories.map(({ category, subjects }): [string, string] => [`exposed ${category}`, `${subjects} people`]),
          ]),
        );
        sayBrokenLines(summary.files, `; 'tocsin evidence ${id}' lists every file`);
        say(`next: 'tocsin affected ${id}' lists them, 'tocsin explain ${id} EMAIL' shows why`);
      });
    });
}

export function affectedCommand(): Command {
  return new Command('affected')
    .description('list the people the latest scope run found affected, with what was and was not exposed')
    .argument('<id>', 'incident id')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--json', 'the same as --format json')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { run, subjects } = await affectedSubjects(ctx, id);
        const screen = !options.out;
        const text = options.json || options.format === 'json' ? jsonText(affectedView({ run, subjects }), screen) : csvText(AFFECTED_CSV_HEADER, subjects.map(affectedCsvCells), screen);
        if (screen) return commandIo().stdout.write(text);
        writeOutFile(options.out, text);
        say(`${subjects.length} affected people of scope run ${run} written to ${options.out}`);
      });
    });
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('why one person is or is not affected: each attacker request that named their records, with file and line')
    .argument('<id>', 'incident id')
    .argument('<email>', "the person's email address")
    .option('--json', 'print JSON')
    .action(async (id: string, email: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const explanation = await explainSubject(ctx, id, email);
        if (options.json) return printJson(explanationView(explanation));
        const { subject, run, records, requests } = explanation;
        if (records.length === 0) {
          printLine(`${subject}: not affected: no imported record belongs to this address (scope run ${run})`);
          return;
        }
        if (!explanation.affected) {
          const misses = requests.length > 0 ? `; ${requests.length} attacker requests named them but revealed nothing (below)` : '';
          printLine(`${subject}: not affected in scope run ${run}: no attacker request revealed any of their ${records.length} records (${records.join(', ')})${misses}`);
        } else {
          printLine(`${subject}: affected in scope run ${run}`);
          printLine(`  exposed:     ${explanation.exposed.join(', ')}`);
          printLine(`  not exposed: ${explanation.notExposed.join(', ') || '—'}`);
          printLine(`  records:     ${records.join(', ')}`);
        }
        if (requests.length === 0) return;
        printLine();
        printLine(
          formatTable(
            ['FILE:LINE', 'AT', 'RECORD', 'RULE', 'STATUS', 'EXPOSED', 'INDICATOR', 'REQUEST'],
            requests.map((r) => [`${r.file}:${r.line}`, r.at, r.record, r.rule, String(r.status ?? '-'), r.exposes ? 'yes' : 'no', r.indicator, r.request]),
          ),
        );
      });
    });
}

export function unknownCommand(): Command {
  return new Command('unknown')
    .description('the values the attacker read that matched no imported record, with file and line: people who may be missing from the affected list')
    .argument('<id>', 'incident id')
    .option('--run <n>', 'a scope run (default: the latest)', wholeNumber('--run'))
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { run, reads } = await unknownReads(ctx, id, options.run);
        if (options.json) return printJson({ run, reads });
        if (reads.length === 0) return printLine(`scope run ${run}: every value the attacker read named an imported record`);
        const rows = new Set(reads.flatMap((r) => (r.quarantined_row ? [`${r.quarantined_row.file}:${r.quarantined_row.line}`] : [])));
        const quarantined = rows.size > 0 ? ` ${rows.size} belong to rows the import quarantined: people the attacker read who are missing from the list.` : '';
        say(
          `scope run ${run}: ${reads.length} values the attacker read named no imported record.${quarantined} Each may be a person missing from the affected list: ` +
            `find the record in the shop's data; if its row was quarantined ('tocsin quarantine ${id}'), fix the row and import again, then scope again`,
        );
        printLine(formatTable(['FILE:LINE', 'AT', 'RULE', 'COLUMN', 'VALUE', 'STATUS', 'NOTE'], reads.map((r) => [`${r.file}:${r.line}`, r.at, r.rule, r.column, r.value, String(r.status ?? '-'), unknownReadNote(r)])));
      });
    });
}

export function evidenceCommand(): Command {
  return new Command('evidence')
    .description('every input file of an incident with its SHA-256, size, lines read and unparseable, time span')
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const files = await evidenceFiles(ctx, id);
        if (options.json) return printJson(evidenceView(files));
        if (files.length === 0) return say(`no evidence yet; 'tocsin import ${id} FILE' and 'tocsin scope ${id}' add it`);
        printLine(
          formatTable(
            ['KIND', 'SHA-256', 'BYTES', 'LINES', 'BAD', 'FROM', 'UNTIL', 'USED BY', 'FILE'],
            files.map((f) => [
              f.kind,
              f.sha256,
              String(f.bytes),
              String(f.lines ?? '—'),
              String((f.unparseable ?? 0) + (f.truncated ?? 0)),
              f.firstTime ?? '—',
              f.lastTime ?? '—',
              f.usedBy,
              f.error ? `${f.path} (${f.error})` : f.path,
            ]),
          ),
        );
      });
    });
}

export function purgeCommand(): Command {
  return new Command('purge')
    .description("delete the imported data of everyone the latest scope run did not find affected and who has no notice (data minimization)")
    .argument('<id>', 'incident id')
    .requiredOption('--unaffected', 'purge the records of unaffected people (the only purge there is; say it to confirm)')
    .option('--dry-run', 'list who would be purged, with their number of records, and change nothing')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (options.dryRun) {
          const plan = await planPurge(ctx, id);
          if (options.json) return printJson(purgeView(plan));
          if (plan.people.length > 0) printLine(formatTable(['PERSON', 'RECORDS'], plan.people.map((person) => [person.subject, String(person.records)])));
          say(`would delete ${plan.records} records of ${plan.subjects} people not affected in scope run ${plan.run}${keptNote(plan.keptWithNotice)}; nothing was changed`);
          return;
        }
        const result = await purgeUnaffected(ctx, id);
        if (options.json) return printJson(purgeView(result));
        say(
          result.purge === null
            ? `nobody left to purge: everyone not affected in scope run ${result.run} is purged already or has a notice${keptNote(result.keptWithNotice)}`
            : `deleted ${result.records} records of ${result.subjects} people not affected in scope run ${result.run} (purge ${result.purge})${keptNote(result.keptWithNotice)}; recorded in the audit log`,
        );
        if (!result.reclaimed) {
          say(`warning: a transaction of another process still reads the database, so the purged rows remain in its files; run 'tocsin purge ${id} --unaffected' again once it has ended`);
        }
      });
    });
}

const keptNote = (kept: number) => (kept > 0 ? `; kept ${kept} people not affected who already have a notice` : '');

/** The loud word when a run's attacker reached records a purge deleted; on stderr, so --json output stays JSON. */
/** Why a value the attacker read named no record, where Tocsin knows. */
function unknownReadNote(read: UnknownRead): string {
  if (read.purged_at) return `its record was purged on ${read.purged_at.slice(0, 10)}`;
  if (read.quarantined_row) return `belongs to quarantined row ${read.quarantined_row.file}:${read.quarantined_row.line} (${read.quarantined_row.reason})`;
  return '';
}

function sayPurgedWarning(id: string, run: number, reach: PurgedReach): void {
  const warning = purgedWarning(run, reach);
  if (warning) say(withNextStep(warning, { action: 'import_records', incident_id: id }));
}

export function detectCommand(): Command {
  return withLogOptions(
    new Command('detect')
      .description('when the attacker is not known yet: rank clients by how many records they reached through the rules, and suggest indicators')
      .argument('<id>', 'incident id')
      .requiredOption('--rules <file>', 'the scope file; only its rules are used'),
  )
    .option('--top <n>', 'how many suspects to show', wholeNumber('--top'), 10)
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const bar = progressBar('scanning', 1, { quiet: options.json || !ctx.config.progress });
        if (!options.logs) throw invalidInput('DETECT_USAGE', "give the logs: 'tocsin detect ID --rules scope.yml --logs access.log…'");
        const detection = await detectSuspects(ctx, id, {
          ...logOptions(options, cmd),
          rulesPath: options.rules,
          top: options.top,
          onProgress: (bytes, total) => bar.update(bytes, total),
        }).finally(() => bar.stop());
        if (options.json) return printJson(detectionView(detection));
        if (detection.suspects.length === 0) return say('no request in these logs matched a rule');
        printLine(
          formatTable(
            ['RECORDS', 'REQUESTS', '2XX', '404', 'SWEEP', 'PER MIN', 'FIRST SEEN', 'LAST SEEN', 'IP', 'ACCOUNT', 'USER AGENT'],
            detection.suspects.map((s) => [
              String(s.records),
              String(s.requests),
              percent(s.successRatio),
              percent(s.missRatio),
              s.sweep.toFixed(2),
              s.perMinute.toFixed(1),
              new Date(s.firstSeen).toISOString(),
              new Date(s.lastSeen).toISOString(),
              s.ip ?? '-',
              s.account ?? '-',
              s.userAgent ?? '-',
            ]),
          ),
        );
        printLine();
        if (detection.indicators) printLine(detection.indicators.trimEnd());
        else say('no client stands out from ordinary customers (many records, keys in sequence, or many misses): no indicators to suggest');
        sayBrokenLines(detection.files);
      });
    });
}

/** A word on each log with lines that could not be read, or that could not be read at all. */
function sayBrokenLines(files: FileStats[], hint = ''): void {
  for (const file of files) {
    if (file.unparseable > 0 || file.truncated > 0 || file.error) {
      say(`${file.file}: ${file.unparseable} unparseable lines, ${file.truncated} truncated${file.error ? `, ${file.error}` : ''}${hint}`);
    }
  }
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
