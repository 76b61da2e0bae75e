import { snakeCaseKeys } from '../lib/snake-case.ts';
import type { BounceImport } from './bounces.ts';
import type { SendSummary } from './campaign.ts';
import type { DeliveryProgress, NoticeDelivery, UnreachedSubject } from './report.ts';

// The wire shapes of delivery's results, for the CLI's --json and the API alike: snake_case keys.

/** How far sending is: notices by state, senders at work and their per-domain throttles. */
export const deliveryProgressView = (progress: DeliveryProgress) => ({ ...snakeCaseKeys(progress), senders: progress.senders.map((sender) => snakeCaseKeys(sender)) });

export const noticeDeliveryView = (notice: NoticeDelivery) => snakeCaseKeys(notice);

/** The proof of delivery: the campaign's progress and each notice's state. */
export const deliveryView = (progress: DeliveryProgress, notices: NoticeDelivery[]) => ({ ...deliveryProgressView(progress), notices: notices.map(noticeDeliveryView) });

export const unreachedView = (unreached: UnreachedSubject[]) => unreached.map((subject) => snakeCaseKeys(subject));

export const sendSummaryView = (summary: SendSummary) => ({
  ...snakeCaseKeys(summary),
  dkim: summary.dkim && { ...snakeCaseKeys(summary.dkim), dns_record: summary.dkim.dnsRecord },
});

export const bounceImportView = (result: BounceImport) => snakeCaseKeys(result);
