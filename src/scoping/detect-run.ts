import type { Context } from '../context.ts';
import { getIncident, recordRun } from '../incidents/index.ts';
import { ClientTally, indicatorsBlock, type Suspect } from './detect.ts';
import { bindableColumns, checkRuleColumns, indexMappedColumns, keysForValues, lookupKey } from './records-index.ts';
import { scanLogs, type FileStats } from './scan.ts';
import { checkParsed, scanOptions, scopeRules, withLogFiles, type LogOptions, type RulesSource } from './scope-run.ts';

export interface DetectOptions extends LogOptions, RulesSource {
  top?: number;
  onProgress?: (bytes: number, total: number) => void;
}

export interface Detection {
  /** The top clients by score, whether they stand out or not. */
  suspects: Suspect[];
  /**
   * A ready `indicators:` block for the clients that stand out (any, not only the top), to
   * review and paste into the scope file; empty when none does.
   */
  indicators: string;
  files: FileStats[];
}

/**
 * Detection, for when the attacker is not known yet: every request through the rules, from
 * every client, tallied and ranked by how much it looks like enumeration.
 */
export async function detectSuspects(ctx: Context, incidentId: string, options: DetectOptions): Promise<Detection> {
  const incident = await getIncident(ctx, incidentId);
  const rules = await scopeRules(options);
  await indexMappedColumns(ctx.db, ctx.dialect, incident.id, rules.scope.rules.flatMap((rule) => rule.columns));
  const columns = await bindableColumns(ctx.db, incident.id);
  checkRuleColumns(columns, rules.scope.rules.flatMap((rule) => rule.columns.map((column): [string, string] => [rule.name, column])), options.rulesPath);

  const tally = new ClientTally();
  const scan = await withLogFiles(ctx, incident.id, options, (logs) =>
    scanLogs(
      logs.map((log) => log.path),
      rules.scope,
      { ...scanOptions(logs, options), mode: 'all', onProgress: options.onProgress, onHits: (hits) => hits.forEach((hit) => tally.add(hit)) },
    ),
  );
  checkParsed(scan.files, options);
  const found = await keysForValues(ctx.db, incident.id, columns, tally.valuesRead());
  const { suspects, standouts } = tally.rank((column, value) => found.has(lookupKey(column, value)), options.top ?? 10);
  await recordRun(ctx, incident.id, {
    action: 'detect.run',
    details: {
      rules: rules.path,
      logs: scan.files.map((file) => ({ path: file.file, sha256: file.sha256, lines: file.lines })),
      suspects: suspects.length,
      standouts: standouts.length,
    },
  });
  return { suspects, indicators: standouts.length > 0 ? indicatorsBlock(standouts) : '', files: scan.files };
}
