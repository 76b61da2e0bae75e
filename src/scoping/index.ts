// Front door of Scoping: scope files, scans of the logs, exposures, detection, results, purges.
// Other folders and the adapters import this file, never the files behind it.
export { CLIENT_ADDRESS_SOURCES, clientAddressRule } from './client-address.ts';
export { detectSuspects } from './detect-run.ts';
export { type AffectedBreakdown, affectedBreakdown, type RequestsOverTime, requestsOverTime } from './pictures.ts';
export { planPurge, type PurgedReach, purgedWarning, purgeUnaffected } from './purge.ts';
export { quarantinedWarning } from './quarantined-reach.ts';
export { batches } from './records-index.ts';
export { type AffectedPageQuery, affectedCsv, affectedPage, affectedPageJson, type AffectedSubject, affectedSubjects, diffRuns, evidenceFiles, explainSubject, unknownReads, type UnknownRead } from './results.ts';
export type { FileStats } from './scan.ts';
export { checkScopeFile, parseScopeFile, ruleColumns } from './scope-file.ts';
export { addSuspectToIndicators } from './scope-file-indicators.ts';
export { loadScopeFile, type LogOptions, type RulesSource, runScope } from './scope-run.ts';
export { listScopeRuns, type ScopeRunRecord } from './scope-runs.ts';
export { AFFECTED_CSV_HEADER, affectedCsvCells, affectedPersonView, type AffectedPersonView, affectedView, detectionView, evidenceView, explanationView, purgeView, runDiffView, scopeRunsView, scopeRunView } from './views.ts';
