// Front door of the customer portal: its pages and words, and the services behind its forms and API.
// The server's public listener imports this file, never the files behind it.
export { renderBountyPage, renderHallOfFame } from './bounty-pages.ts';
export { formatHours, renderDisclosure, renderDisclosures, renderResponseTimes, researcherOutcomeValues } from './bounty-outcome-pages.ts';
export { answerableIncidents, answerLookups, claimAnswers, releaseAnswers, sendVerifiableLetter, type VerifiableLetterBasics } from './answer.ts';
export { type Logo, portalStylesheet, shopLogo } from './branding.ts';
export { admitLookup, lookupAddress, type LookupRequest, settleLookups } from './lookup.ts';
export { type BountyPageName, formatInstant, CLAIM_SCRIPT, PAGE_PATHS, PAGES, PASSKEY_SCRIPT, renderErrorPage, renderPage, type PageError, type PageName } from './pages.ts';
export { checkFormToken, FORM_TOKEN_FIELD, FORM_TOKEN_SECONDS, issueFormToken } from './form-token.ts';
export { pagePath } from './incident-page.ts';
export { incidentLinks, portalPageStatus, publicationUrl, publishedPage, publishPage, readFaq, readFaqFile, setFaq, unpublishPage, type Publication } from './publish.ts';
export { countReportFrom, keepReport, receiveReport, reportTooLarge, type ReportInput } from './reports.ts';
export { checkNotice, type PortalVerification, settleCodeChecks } from './verify.ts';
export { BOUNTY_WORDS, DEFAULT_LOCALE, pickLocale, PORTAL_WORDS } from './words.ts';
