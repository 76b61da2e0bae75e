/**
 * The states of a notice: queued → sending → sent | deferred | failed | bounced. A deferred notice is
 * queued for another attempt; sent, failed and bounced are final.
 */
export const NOTICE_STATES = ['queued', 'sending', 'sent', 'deferred', 'failed', 'bounced'] as const;

export type NoticeState = (typeof NOTICE_STATES)[number];

/** The states a notice's sending ends in: what a campaign's progress counts as done. */
export const FINAL_NOTICE_STATES: readonly NoticeState[] = ['sent', 'failed', 'bounced'];
