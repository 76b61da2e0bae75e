// Pure definitions that the server, the CLI and the browser console share: no `node:` module, no I/O.
export { CATEGORIES, categoriesOf, categoryBit, categoryMask, heldMask, isCategory, sortCategories, type Category } from './categories.ts';
export { addBusinessDays, clockFor, type Clock, type ClockPlace, type ClockStarts, type Deadline, type Period } from './deadlines.ts';
export { defang } from './defang.ts';
export { canonicalLocale, REPORT_LANGUAGES, type ReportLanguage } from './locales.ts';
export { DESK_JOB_KINDS, type DeskJobKind, JOB_KINDS, JOB_PERMISSION, JOB_STATES, type JobKind, type JobState } from './job-states.ts';
export { PIPELINE_STAGES, type PipelineFacts, type PipelineStage, pipelineSteps, type StageState } from './pipeline.ts';
export { FINAL_NOTICE_STATES, NOTICE_STATES, type NoticeState } from './notice-states.ts';
export { TRIAGE_STATES, type TriageState, VERDICTS, type Verdict } from './phishing-verdicts.ts';
export { type Permission, PERMISSIONS } from './permissions.ts';
