import { Command } from 'commander';
import { auditTrail, verifyAudit } from '../incidents/audit.ts';
import { formatTable, printJson, printLine } from './io.ts';
import { withContext } from './options.ts';

export function auditCommand(): Command {
  return new Command('audit')
    .description("print an incident's audit trail, or check that it was not tampered with")
    .argument('<id>', 'incident id')
    .option('--verify', 'check the hash chain and name the first altered or removed entry (exit 1 if broken)')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (options.verify) {
          const result = await verifyAudit(ctx, id);
          if (options.json) printJson(result);
          else printLine(result.message);
          if (!result.intact) process.exitCode = 1;
          return;
        }
        const entries = await auditTrail(ctx, id);
        if (options.json) return printJson(entries.map((entry) => ({ ...entry, details: JSON.parse(entry.details) })));
        printLine(formatTable(['#', 'AT', 'ACTOR', 'ACTION', 'DETAILS'], entries.map((e) => [String(e.seq), e.at, e.actor, e.action, summarize(e.details)])));
      });
    });
}

/** One line per entry: changed fields as `field: before → after`, other details as compact JSON. */
function summarize(details: string): string {
  const parsed = JSON.parse(details) as { changes?: Record<string, { before: unknown; after: unknown }> };
  if (!parsed.changes) return details;
  return Object.entries(parsed.changes)
    .map(([field, { before, after }]) => `${field}: ${before ?? '∅'} → ${after ?? '∅'}`)
    .join('; ');
}
