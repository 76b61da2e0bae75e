import type { Permission } from './permissions.ts';

/** The kinds of long work that run as jobs; `portal_answer` is queued by the portal's "Was I affected?" alone, and `phishing_analysis` as a report comes in, both on no incident. */
export const JOB_KINDS = ['import', 'scope', 'detect', 'notices_build', 'campaign', 'portal_answer', 'phishing_analysis'] as const;

export type JobKind = (typeof JOB_KINDS)[number];

/** Who may start, or cancel, each kind of job: the permission of the command it runs. */
export const JOB_PERMISSION: Readonly<Record<JobKind, Permission>> = {
  import: 'records:write',
  scope: 'scoping:write',
  detect: 'scoping:write',
  notices_build: 'notices:write',
  campaign: 'delivery:write',
  // Never started through the API (enqueueJob refuses it); cancelled like a campaign, as it sends mail.
  portal_answer: 'delivery:write',
  // The portal queues these as reports come; staff re-analyse with POST /api/phishing/messages.
  phishing_analysis: 'incidents:write',
};

/** Kinds that work on no incident: the phishing desk's analysis of a report. */
export const DESK_JOB_KINDS = ['phishing_analysis'] as const satisfies readonly JobKind[];

export type DeskJobKind = (typeof DESK_JOB_KINDS)[number];

/** The states of a job: queued → running → succeeded | failed | cancelled; the last three are final. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export type JobState = (typeof JOB_STATES)[number];
