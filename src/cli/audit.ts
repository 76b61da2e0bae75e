import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { auditCheckpoint, auditCheckpointView, auditTrail, auditTrailView, checkpointLine, verifyAudit } from '../incidents/index.ts';
import { reasonOf, invalidInput } from '../lib/errors.ts';
import { exitWith, formatTable, printJson, printLine } from './io.ts';
import { withContext } from './options.ts';

export function auditCommand(): Command {
  return new Command('audit')
    .description("print an incident's audit trail, check that it was not tampered with, or print a checkpoint of it to keep elsewhere")
    .argument('<id>', 'incident id')
    .option('--verify', 'check the keyed chain and its head, and name the first altered or removed entry (exit 1 if broken)')
    .option('--against <file>', 'with --verify: also check the trail still holds what the checkpoints in FILE saw (a saved checkpoint, a report, an email)')
    .option('--checkpoint', 'print a MACed head (incident, sequence, hash, time) to keep outside the database, e.g. in a ticket')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      if (options.checkpoint && (options.verify || options.against)) throw invalidInput('AUDIT_OPTIONS', '--checkpoint prints a checkpoint; verify with --verify [--against FILE] in another run');
      if (options.against && !options.verify) throw invalidInput('AUDIT_OPTIONS', `--against needs --verify: 'tocsin audit ${id} --verify --against ${options.against}'`);
      await withContext(cmd, async (ctx) => {
        if (options.checkpoint) {
          const checkpoint = await auditCheckpoint(ctx, id);
          if (options.json) printJson(auditCheckpointView(checkpoint));
          else printLine(checkpointLine(checkpoint));
          return;
        }
        if (options.verify) {
          const result = await verifyAudit(ctx, id, options.against ? { text: readCheckpointFile(options.against), source: options.against } : undefined);
          if (options.json) printJson(result);
          else printLine(result.message);
          if (!result.intact) exitWith(1);
          return;
        }
        const entries = await auditTrail(ctx, id);
        if (options.json) return printJson(auditTrailView(entries));
        printLine(formatTable(['#', 'AT', 'ACTOR', 'ACTION', 'DETAILS'], entries.map((e) => [String(e.seq), e.at, e.actor, e.action, summarize(e.details)])));
      });
    });
}

function readCheckpointFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw invalidInput('CHECKPOINT_UNREADABLE', `cannot read ${path} (${reasonOf(error)}); give the file a checkpoint was saved to`);
  }
}

/** One line per entry: changed fields as `field: before → after`, other details as compact JSON. */
function summarize(details: string): string {
  const parsed = JSON.parse(details) as { changes?: Record<string, { before: unknown; after: unknown }> };
  if (!parsed.changes) return details;
  return Object.entries(parsed.changes)
    .map(([field, { before, after }]) => `${field}: ${before ?? '∅'} → ${after ?? '∅'}`)
    .join('; ');
}
