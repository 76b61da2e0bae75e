/**
 * Jobs: long work (imports, scope runs, detection, notice builds, campaigns) queued through the
 * API and run by the server (SQLite) or `tocsin worker` processes (PostgreSQL), with progress,
 * cancellation and take-over of a dead worker's jobs. The front door of src/jobs.
 */
export type { JobKind, JobState } from '../domain/index.ts';
export type { JobError, JobProgress, JobView } from './view.ts';
export type { JobRunner, JobRunnerOptions } from './runner.ts';
export type { JobFilter, NewJob } from './queue.ts';
export { JOB_KINDS } from '../domain/index.ts';
export { FINISHED as FINISHED_JOB_STATES } from './view.ts';
export { cancelJob, enqueueJob, enqueuePortalAnswers, getJob, listJobs, portalAnswerParams, requireJob } from './queue.ts';
export { startJobRunner } from './runner.ts';
export { startJobRunnerThread, type JobRunnerThread } from './runner-thread.ts';
export { watchJob } from './watch.ts';
export { campaignProgress, pauseCampaign, resumeCampaign, startCampaign } from './campaigns.ts';
export { serverFile } from './job-files.ts';
export { checkKind, jobParamsSchema } from './params.ts';
