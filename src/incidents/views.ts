import type { AuditEntry, Incident } from '../db/index.ts';
import { type AuditCheckpoint, checkpointLine } from './audit-chain.ts';
import type { Narrative } from './narrative.ts';

// The wire shapes of incidents and their audit trail (their fields are snake_case already); narratives are keyed by locale.

export const incidentView = (incident: Incident, narratives: Map<string, Narrative>) => ({ ...incident, narratives: Object.fromEntries(narratives) });

/** The audit trail, each entry's details as the JSON they were recorded as. */
export const auditTrailView = (entries: AuditEntry[]) => entries.map((entry) => ({ ...entry, details: JSON.parse(entry.details) as unknown }));

export const auditCheckpointView = (checkpoint: AuditCheckpoint) => ({ ...checkpoint, line: checkpointLine(checkpoint) });
