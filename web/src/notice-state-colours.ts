import type { NoticeState } from '../../src/domain/index.ts';

/** Each notice state's colour, the same in the campaign's progress bar and the delivery chart. */
export const NOTICE_STATE_COLOURS: Record<NoticeState, string> = { queued: 'gray.6', sending: 'blue.7', sent: 'green.8', deferred: 'yellow.7', bounced: 'orange.8', failed: 'red.8' };
