/** The phishing desk's verdicts on a reported message: the desk gives them, the reply to the reporter words each. */
export const VERDICTS = ['genuine', 'phishing', 'suspicious', 'spam', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Staff's triage of a report: new until someone calls it phishing (confirmed), benign, one of the shop's genuine messages or spam. */
export const TRIAGE_STATES = ['new', 'phishing_confirmed', 'benign', 'genuine', 'spam'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];
