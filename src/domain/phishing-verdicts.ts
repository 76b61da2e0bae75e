/** The phishing desk's verdicts on a reported message: the desk gives them, the reply to the reporter words each. */
export const VERDICTS = ['genuine', 'phishing', 'suspicious', 'spam', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];
