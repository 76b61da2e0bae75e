// Front door of Delivery: campaigns that send notices, bounces, progress and proof, previews of the messages.
// Other folders and the adapters import this file, never the files behind it.
export { importBounces } from './bounces.ts';
export { sendCampaign, type SendSummary } from './campaign.ts';
export { deliveryOverTime, type DeliveryOverTime } from './pictures.ts';
export { previewNotices, renderPreviews } from './preview.ts';
export { deliveryProgress, type DeliveryProgress, noticeDeliveries, type NoticeDelivery, type UnreachedSubject, unreachedSubjects } from './report.ts';
export { bounceImportView, deliveryProgressView, deliveryView, noticeDeliveryView, sendSummaryView, unreachedView } from './views.ts';
export { SINGLE_MESSAGE_RETRY, sendSingleMessage, sendSingleMessages, type SingleMessage } from './single-message.ts';
