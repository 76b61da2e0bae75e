// Front door of the bug bounty programme: its policy, security.txt and its signing key, CVSS
// scores, researchers' reports, their triage, their duplicates and the breach link. The CLI and the server import this file, never the files behind it.
export { linkBreach, type BreachLinkView } from './breach-link.ts';
export { scoreCvss } from './cvss.ts';
export { inCommon } from './duplicates.ts';
export { keepBountyRunning } from './keeper.ts';
export { fillWords, queueResearcherMail, sendBountyMails } from './mails.ts';
export { BOUNTY_PATHS, bountyOf, policyText, policyView, type PolicyView } from './programme.ts';
export { claimMailedReport, deliveredTo, forBountyAddress, keepMailedReport, sendClaimReplies, UNKNOWN_ASSET } from './mailed.ts';
export { CLOSING_STATES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, REPORT_STATES, type ReportState } from './report-rules.ts';
export { renderMarkdown, researcherReport, researcherReports, submitReport, type AttachmentInput, type ReportFields, type ResearcherReportView } from './reports.ts';
export { currentSecurityTxt, keepSecurityTxtSigned } from './security-txt.ts';
export { generateSigningKey, importSigningKey, signingKey, type SigningKeyView, storedPublicKey } from './signing-key.ts';
export { closeUnanswered, commentOnReport, listReports, reportAttachment, researcherComment, showReport, triageReport, type TriageReportView } from './triage.ts';
export { awardReport, markAwardPaid, reportAward, type AwardInput, type AwardView } from './rewards.ts';
export { programmeMetrics, reportSla, SLA_STANDINGS, SLA_TARGETS, warnSlaTargets, type ProgrammeMetrics, type SlaMeasure, type SlaStanding, type SlaTarget } from './sla.ts';
export {
  disclosurePath,
  isDisclosable,
  publishDisclosure,
  publishDueDisclosures,
  publishedDisclosure,
  publishedDisclosures,
  reportDisclosure,
  requestDisclosure,
  writeDisclosureText,
  type DisclosureSide,
  type DisclosureView,
  type PublicDisclosure,
  type TeamDisclosureView,
} from './disclosure.ts';
