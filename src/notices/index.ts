// Front door of Notices: templates and locales, building, rendering and verification codes.
// Other folders and the adapters import this file, never the files behind it.
export { approveNotices, type Approver, noNoticesYet, type NoticeApproval, noticeApproval, requireApproval } from './approval.ts';
export { buildNotices, type BuildSummary } from './build.ts';
export { composeNotice, type StoredVars } from './compose.ts';
export { bestMatch as matchLocale } from './locale-choice.ts';
export { salutationName } from './salutation.ts';
export { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
export { formatDate } from './dates.ts';
export { BUILT_IN_TEMPLATES_DIR, PHRASES_FILE, STATEMENTS_FILE } from './template-set.ts';
export { checkIncidentTemplates, incidentTemplates, type IncidentTemplates, initIncidentTemplates, initTemplates, keptTemplates, noticesBuiltFromOtherTemplates, type TemplatesCheck } from './templates.ts';
export { listTemplateFiles, readTemplateFile, revertTemplateFile, TEMPLATE_FILE_MAX_BYTES, writeTemplateFile } from './template-files.ts';
export { loadVariantSets } from './variant-sets.ts';
export { verifyNotice } from './verify.ts';
export { ANSWER_VARIABLES, answerIncident, type AnswerContext, checkAnswerTemplates, renderAnswer } from './answer.ts';
export { checkPhishingReplyTemplates, PHISHING_REPLY_VARIABLES, type PhishingReplyContext, renderPhishingReply } from './phishing-reply.ts';
export type { RenderedNotice } from './render-notice.ts';
export { codeSubjectHash, generateCode, type VerificationCode } from './verification-code.ts';
