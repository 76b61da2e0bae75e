import { deliveryProgress, deliveryProgressView, noticeDeliveries, noticeDeliveryView } from '../../delivery/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const progress = endpoint({
  summary: 'How far sending is: notices by state, first and last sent, senders at work, an audit checkpoint (tocsin delivery)',
  params: incidentParams,
  handle: async ({ ctx, params }) => deliveryProgressView(await deliveryProgress(ctx, params.id)),
});

export const notices = endpoint({
  summary: 'The proof of who was told and when: per notice its state, attempts, last SMTP reply and sent-at (tocsin delivery --json)',
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: (await noticeDeliveries(ctx, params.id)).map(noticeDeliveryView) }),
});
