// Front door of Incidents: their records, narratives and the keyed audit trail.
// Other folders and the adapters import this file, never the files behind it.
export { checkpointLine, deriveAuditKey, GENESIS_HASH, nextEntry } from './audit-chain.ts';
export { appendAudit, auditCheckpoint, auditCheckpointLine, auditTrail, recordRun, verifyAudit } from './audit.ts';
export { createIncident, getIncident, incidentIdOf, incidentChangesSchema, type IncidentChangesInput, listIncidents, newIncidentSchema, type NewIncidentInput, regulatorsOf, reportsOf, updateIncident } from './incidents.ts';
export { checkNarrative, type Narrative, narrativeMarkdown, NARRATIVE_PARTS, narrativeFor, narrativeFromText, narrativeMissing, narrativesOf, readNarrativeFile, setNarrative } from './narrative.ts';
export { auditCheckpointView, auditTrailView, incidentView } from './views.ts';
