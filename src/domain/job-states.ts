/** The kinds of long work that run as jobs; `portal_answer` is queued by the portal's "Was I affected?" alone, and `phishing_analysis` as a report comes in, both on no incident. */
export const JOB_KINDS = ['import', 'scope', 'detect', 'notices_build', 'campaign', 'portal_answer', 'phishing_analysis'] as const;

export type JobKind = (typeof JOB_KINDS)[number];

/** Kinds that work on no incident: the phishing desk's analysis of a report. */
export const DESK_JOB_KINDS = ['phishing_analysis'] as const satisfies readonly JobKind[];

export type DeskJobKind = (typeof DESK_JOB_KINDS)[number];

/** The states of a job: queued → running → succeeded | failed | cancelled; the last three are final. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export type JobState = (typeof JOB_STATES)[number];
