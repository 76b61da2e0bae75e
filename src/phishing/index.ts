/** The phishing desk's front door. */
export { compactConfusables, confusablesCount, confusablesHeader, skeleton } from './confusables.ts';
export { DEFAULT_LOOKALIKE_WORDS, editDistance, foldForComparison, LOOKALIKE_KINDS, lookalikeIndex } from './lookalike.ts';
export type { Lookalike, LookalikeIndex, LookalikeKind, LookalikeOptions } from './lookalike.ts';
export { analyzeMessage, DEFAULT_LIMITS, VERDICTS } from './analyze.ts';
export type { Analysis, DeskDependencies, Limits, Reason, Resolver, Verdict } from './analyze.ts';
export { BAIT_FIELDS, type BaitField } from './bait.ts';
export { analyzePendingReports, analyzeReport, deskDependencies, deskResolver, getReport, importFile, importMessages, listReports, refreshBait, type ReportView } from './desk.ts';
export { htmlLinks, refang, textLinks, unwrapLink } from './links.ts';
