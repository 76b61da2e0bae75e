/** The phishing desk's front door. */
export { compactConfusables, confusablesHeader, skeleton } from './confusables.ts';
export { lookalikeIndex } from './lookalike.ts';
export type { LookalikeIndex, LookalikeKind } from './lookalike.ts';
export { analyzeMessage, VERDICTS } from './analyze.ts';
export type { Analysis, DeskDependencies, Resolver } from './analyze.ts';
export { replyToReporter } from './reply.ts';
export { analyzePendingReports, analyzeReport, deskDependencies, deskResolver, getReport, importFile, importMessages, listLookalikes, listReports, type LookalikeSeen, type ReportView } from './desk.ts';
export { getCampaign, listCampaigns, type CampaignView } from './campaigns.ts';
export { TRIAGE_STATES, triageReport, type TriageState } from './triage.ts';
export { type StixBundle, type StixObject } from './stix.ts';
export { takedownPack, watchedCampaigns, watchList, watchListRows, watchListStix, WATCH_LIST_CSV_HEADER, WATCH_LIST_FORMATS, type TakedownPack, type WatchListFormat } from './takedown.ts';
export { watchShop, type WatchResult } from './watch.ts';
