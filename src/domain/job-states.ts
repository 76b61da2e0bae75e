/** The kinds of long work that run as jobs. */
export const JOB_KINDS = ['import', 'scope', 'detect', 'notices_build', 'campaign'] as const;

export type JobKind = (typeof JOB_KINDS)[number];

/** The states of a job: queued → running → succeeded | failed | cancelled; the last three are final. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export type JobState = (typeof JOB_STATES)[number];
