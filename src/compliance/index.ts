// Front door of Compliance: jurisdiction rules, assessments and deadlines, authority reports, the breach register.
// Other folders and the adapters import this file, never the files behind it.
export type { Assessment } from './assess.ts';
export { NOT_LEGAL_ADVICE } from './disclaimer.ts';
export type { ReportPhase } from './authority-report.ts';
export { assessIncident, authorityReport, breachRegister, gatherFacts, jurisdictionRules, prepareAuthorityReport, reportedJurisdictions, reportSubmitted } from './incident-compliance.ts';
export { reportTemplateProblems } from './report-check.ts';
export { clearReportSection, readSectionFile, sectionAssignment, sectionText, setReportSection, writableSection, WRITABLE_SECTIONS, writtenSections } from './report-sections.ts';
export { reportSectionsStatus } from './report-sections-status.ts';
export { REPORT_LANGUAGES, reportLanguage, reportLanguageFor, type ReportLanguage } from './report-words.ts';
export type { JurisdictionLine, RecipientLine } from './jurisdiction-line.ts';
export { jurisdictionOf } from './jurisdiction-of.ts';
export { checkNoticeContent, type NoticeCheck } from './notice-content.ts';
export { renderRegister, renderReport, type ReportFormat } from './render-report.ts';
export { submittedReports } from './report-submitted.ts';
export { loadRegulators, loadRuleBook, type RuleBook, UNKNOWN_REGION } from './rules/load.ts';
export { type JurisdictionRules, type NoticeRules, rulesSchema } from './rules/schema.ts';
export type { SubjectGroup } from './subject-group.ts';
export { assessmentView, firstDue } from './views.ts';
