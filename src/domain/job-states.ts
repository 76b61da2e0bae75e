/** The kinds of long work that run as jobs; `portal_answer` is queued by the portal's "Was I affected?" alone, on no incident. */
export const JOB_KINDS = ['import', 'scope', 'detect', 'notices_build', 'campaign', 'portal_answer'] as const;

export type JobKind = (typeof JOB_KINDS)[number];

/** The states of a job: queued → running → succeeded | failed | cancelled; the last three are final. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export type JobState = (typeof JOB_STATES)[number];
