import { BOUNTY_PATHS } from '../bounty/index.ts';
import type { Route } from './endpoint.ts';
import * as audit from './routes/audit.ts';
import * as bounty from './routes/bounty.ts';
import * as researchers from './routes/bounty-researchers.ts';
import * as outcomes from './routes/bounty-outcomes.ts';
import * as campaigns from './routes/campaigns.ts';
import * as compliance from './routes/compliance.ts';
import * as delivery from './routes/delivery.ts';
import * as health from './routes/health.ts';
import * as incidents from './routes/incidents.ts';
import * as jobs from './routes/jobs.ts';
import * as notices from './routes/notices.ts';
import * as phishing from './routes/phishing.ts';
import * as pictures from './routes/pictures.ts';
import * as pipeline from './routes/pipeline.ts';
import * as portal from './routes/portal.ts';
import * as portalPages from './routes/portal-pages.ts';
import * as records from './routes/records.ts';
import * as scoping from './routes/scoping.ts';
import * as securityLog from './routes/security-log.ts';
import * as session from './routes/session.ts';
import * as tokens from './routes/tokens.ts';
import * as uploads from './routes/uploads.ts';
import * as users from './routes/users.ts';

/**
 * Every route of the staff listener: method, path, what the caller needs, handler. Keep it one
 * table, so what the API offers and who may call it can be read in one place (and tested:
 * test/server-access.test.ts walks it with every role).
 */
export const STAFF_ROUTES = [
  { method: 'GET', url: '/healthz', access: 'anyone', endpoint: health.healthz },
  { method: 'GET', url: '/readyz', access: 'anyone', endpoint: health.readyz },
  { method: 'GET', url: '/metrics', access: 'anyone', endpoint: health.metrics },

  { method: 'POST', url: '/api/session', access: 'anyone', endpoint: session.signIn },
  { method: 'GET', url: '/api/session', access: 'signed_in', endpoint: session.whoami },
  { method: 'DELETE', url: '/api/session', access: 'signed_in', endpoint: session.signOut },
  { method: 'POST', url: '/api/session/logout-everywhere', access: 'signed_in', endpoint: session.signOutEverywhere },
  { method: 'POST', url: '/api/session/totp', access: 'signed_in', endpoint: session.beginTotp },
  { method: 'POST', url: '/api/session/totp/confirm', access: 'signed_in', endpoint: session.confirmTotp },
  { method: 'POST', url: '/api/session/set-password', access: 'anyone', endpoint: session.setPassword },
  { method: 'POST', url: '/api/session/password', access: 'signed_in', endpoint: session.changePassword },
  { method: 'GET', url: '/api/session/passkeys', access: 'signed_in', endpoint: session.passkeys },
  { method: 'POST', url: '/api/session/passkeys/options', access: 'signed_in', endpoint: session.passkeyOptions },
  { method: 'POST', url: '/api/session/passkeys', access: 'signed_in', endpoint: session.addPasskey },
  { method: 'DELETE', url: '/api/session/passkeys/:id', access: 'signed_in', endpoint: session.removePasskey },
  { method: 'POST', url: '/api/session/passkey/options', access: 'anyone', endpoint: session.passkeySignInOptions },
  { method: 'POST', url: '/api/session/passkey', access: 'anyone', endpoint: session.passkeySignIn },

  { method: 'GET', url: '/api/incidents', access: 'incidents:read', endpoint: incidents.list },
  { method: 'POST', url: '/api/incidents', access: 'incidents:write', endpoint: incidents.create },
  { method: 'GET', url: '/api/incidents/:id', access: 'incidents:read', endpoint: incidents.show },
  { method: 'PATCH', url: '/api/incidents/:id', access: 'incidents:write', endpoint: incidents.update },
  { method: 'GET', url: '/api/incidents/:id/narratives', access: 'incidents:read', endpoint: incidents.narratives },
  { method: 'POST', url: '/api/narratives/check', access: 'signed_in', endpoint: incidents.checkNarrativeText },
  { method: 'GET', url: '/api/incidents/:id/pipeline', access: 'incidents:read', endpoint: pipeline.pipeline },
  { method: 'GET', url: '/api/incidents/:id/pictures/requests', access: 'incidents:read', endpoint: pictures.requests },
  { method: 'GET', url: '/api/incidents/:id/pictures/affected', access: 'incidents:read', endpoint: pictures.affected },
  { method: 'GET', url: '/api/incidents/:id/pictures/delivery', access: 'incidents:read', endpoint: pictures.delivery },

  { method: 'POST', url: '/api/incidents/:id/uploads', access: 'uploads:write', endpoint: uploads.create },
  { method: 'GET', url: '/api/incidents/:id/uploads', access: 'incidents:read', endpoint: uploads.list },
  { method: 'DELETE', url: '/api/incidents/:id/uploads/:upload_id', access: 'records:write', endpoint: uploads.remove },
  { method: 'POST', url: '/api/incidents/:id/imports', access: 'records:write', endpoint: jobs.startImport },
  { method: 'GET', url: '/api/incidents/:id/quarantine', access: 'incidents:read', endpoint: records.quarantine },
  { method: 'GET', url: '/api/import-presets', access: 'incidents:read', endpoint: records.presets },
  { method: 'POST', url: '/api/incidents/:id/scope-runs', access: 'scoping:write', endpoint: jobs.startScope },
  { method: 'POST', url: '/api/incidents/:id/detect', access: 'scoping:write', endpoint: jobs.startDetect },
  { method: 'POST', url: '/api/incidents/:id/notices/build', access: 'notices:write', endpoint: jobs.startNoticesBuild },
  { method: 'GET', url: '/api/incidents/:id/jobs', access: 'incidents:read', endpoint: jobs.incidentJobs },
  { method: 'GET', url: '/api/jobs/:id', access: 'incidents:read', endpoint: jobs.show },
  { method: 'GET', url: '/api/jobs/:id/events', access: 'incidents:read', endpoint: jobs.events },
  { method: 'POST', url: '/api/jobs/:id/cancel', access: 'signed_in', endpoint: jobs.cancel },

  { method: 'GET', url: '/api/incidents/:id/scope-runs', access: 'incidents:read', endpoint: scoping.runs },
  { method: 'GET', url: '/api/incidents/:id/scope-runs/diff', access: 'incidents:read', endpoint: scoping.diff },
  { method: 'POST', url: '/api/scope-file/check', access: 'signed_in', endpoint: scoping.checkRules },
  { method: 'POST', url: '/api/scope-file/indicators', access: 'scoping:write', endpoint: scoping.addIndicators },
  { method: 'GET', url: '/api/incidents/:id/affected', access: 'incidents:read', endpoint: scoping.affected },
  { method: 'GET', url: '/api/incidents/:id/affected.csv', access: 'personal_data:read', endpoint: scoping.affectedCsvDownload },
  { method: 'GET', url: '/api/incidents/:id/affected/:email/explain', access: 'personal_data:read', endpoint: scoping.explain },
  { method: 'GET', url: '/api/incidents/:id/unknown', access: 'incidents:read', endpoint: scoping.unknown },
  { method: 'GET', url: '/api/incidents/:id/evidence', access: 'incidents:read', endpoint: scoping.evidence },
  { method: 'GET', url: '/api/incidents/:id/purge', access: 'records:write', endpoint: scoping.purgePlan },
  { method: 'POST', url: '/api/incidents/:id/purge', access: 'records:write', endpoint: scoping.purge },

  { method: 'POST', url: '/api/incidents/:id/templates/init', access: 'notices:write', endpoint: notices.initTemplateFiles },
  { method: 'GET', url: '/api/incidents/:id/templates/check', access: 'incidents:read', endpoint: notices.checkTemplates },
  { method: 'GET', url: '/api/incidents/:id/templates/files', access: 'incidents:read', endpoint: notices.templateFiles },
  { method: 'GET', url: '/api/incidents/:id/templates/files/:name', access: 'incidents:read', endpoint: notices.templateFile },
  { method: 'PUT', url: '/api/incidents/:id/templates/files/:name', access: 'notices:write', endpoint: notices.writeTemplate },
  { method: 'DELETE', url: '/api/incidents/:id/templates/files/:name', access: 'notices:write', endpoint: notices.revertTemplate },
  { method: 'GET', url: '/api/incidents/:id/notices/preview', access: 'personal_data:read', endpoint: notices.preview },
  { method: 'GET', url: '/api/incidents/:id/notices/preview.html', access: 'personal_data:read', endpoint: notices.previewHtml },
  { method: 'GET', url: '/api/incidents/:id/notices/approval', access: 'incidents:read', endpoint: notices.approval },
  { method: 'POST', url: '/api/incidents/:id/notices/approve', access: 'notices:approve', endpoint: notices.approve },

  { method: 'GET', url: '/api/incidents/:id/delivery', access: 'incidents:read', endpoint: delivery.progress },
  { method: 'GET', url: '/api/incidents/:id/delivery/notices', access: 'personal_data:read', endpoint: delivery.notices },
  { method: 'GET', url: '/api/incidents/:id/delivery/unreached', access: 'personal_data:read', endpoint: delivery.unreached },
  { method: 'POST', url: '/api/incidents/:id/bounces', access: 'delivery:write', endpoint: delivery.bounces },

  { method: 'GET', url: '/api/incidents/:id/campaigns', access: 'incidents:read', endpoint: campaigns.progress },
  { method: 'POST', url: '/api/incidents/:id/campaigns', access: 'delivery:write', endpoint: campaigns.start },
  { method: 'POST', url: '/api/incidents/:id/campaigns/pause', access: 'delivery:write', endpoint: campaigns.pause },
  { method: 'POST', url: '/api/incidents/:id/campaigns/resume', access: 'delivery:write', endpoint: campaigns.resume },

  { method: 'GET', url: '/api/incidents/:id/assessment', access: 'incidents:read', endpoint: compliance.assessment },
  { method: 'GET', url: '/api/incidents/:id/reports/:jurisdiction', access: 'incidents:read', endpoint: compliance.report },
  { method: 'POST', url: '/api/incidents/:id/reports/:jurisdiction/submitted', access: 'compliance:write', endpoint: compliance.submitted },
  { method: 'GET', url: '/api/incidents/:id/report-sections', access: 'incidents:read', endpoint: compliance.sections },
  { method: 'PUT', url: '/api/incidents/:id/report-sections/:section', access: 'compliance:write', endpoint: compliance.setSection },
  { method: 'DELETE', url: '/api/incidents/:id/report-sections/:section', access: 'compliance:write', endpoint: compliance.clearSection },
  { method: 'GET', url: '/api/register', access: 'incidents:read', endpoint: compliance.register },

  { method: 'GET', url: '/api/incidents/:id/portal', access: 'incidents:read', endpoint: portalPages.status },
  { method: 'POST', url: '/api/incidents/:id/portal/publish', access: 'incidents:write', endpoint: portalPages.publish },
  { method: 'DELETE', url: '/api/incidents/:id/portal', access: 'incidents:write', endpoint: portalPages.unpublish },
  { method: 'PUT', url: '/api/incidents/:id/portal/faqs/:locale', access: 'incidents:write', endpoint: portalPages.faq },
  { method: 'POST', url: '/api/phishing/messages', access: 'incidents:write', endpoint: phishing.importMessages },
  { method: 'GET', url: '/api/phishing/reports', access: 'personal_data:read', endpoint: phishing.reports },
  { method: 'GET', url: '/api/phishing/reports/:reference', access: 'personal_data:read', endpoint: phishing.report },
  { method: 'PUT', url: '/api/phishing/reports/:reference/triage', access: 'incidents:write', endpoint: phishing.triage },
  { method: 'GET', url: '/api/phishing/campaigns', access: 'personal_data:read', endpoint: phishing.campaigns },
  { method: 'GET', url: '/api/phishing/campaigns/:id', access: 'personal_data:read', endpoint: phishing.campaign },
  { method: 'GET', url: '/api/phishing/campaigns/:id/takedown', access: 'personal_data:read', endpoint: phishing.takedown },
  { method: 'GET', url: '/api/phishing/lookalikes', access: 'personal_data:read', endpoint: phishing.lookalikes },
  { method: 'GET', url: '/api/phishing/watch-list', access: 'personal_data:read', endpoint: phishing.watchList },
  { method: 'POST', url: '/api/phishing/watch', access: 'incidents:write', endpoint: phishing.watch },

  { method: 'GET', url: '/api/incidents/:id/audit', access: 'incidents:read', endpoint: audit.trail },
  { method: 'GET', url: '/api/incidents/:id/audit/verify', access: 'incidents:read', endpoint: audit.verify },
  { method: 'GET', url: '/api/incidents/:id/audit/checkpoint', access: 'incidents:read', endpoint: audit.checkpoint },

  { method: 'GET', url: '/api/users', access: 'users:manage', endpoint: users.list },
  { method: 'POST', url: '/api/users', access: 'users:manage', endpoint: users.create },
  { method: 'PATCH', url: '/api/users/:id', access: 'users:manage', endpoint: users.update },
  { method: 'POST', url: '/api/users/:id/reset', access: 'users:manage', endpoint: users.reset },
  { method: 'POST', url: '/api/users/:id/remove-2fa', access: 'users:manage', endpoint: users.removeTwoFactor },
  { method: 'PUT', url: '/api/settings/require-2fa', access: 'settings:manage', endpoint: users.requireTwoFactor },
  { method: 'GET', url: '/api/tokens', access: 'users:manage', endpoint: tokens.list },
  { method: 'POST', url: '/api/tokens', access: 'users:manage', endpoint: tokens.create },
  { method: 'DELETE', url: '/api/tokens/:id', access: 'users:manage', endpoint: tokens.revoke },
  { method: 'GET', url: '/api/security-log', access: 'security_log:read', endpoint: securityLog.list },

  { method: 'POST', url: '/api/bounty/cvss', access: 'signed_in', endpoint: bounty.cvss },
  { method: 'GET', url: '/api/bounty/reports', access: 'bounty:triage', endpoint: bounty.reports },
  { method: 'GET', url: '/api/bounty/reports/:reference', access: 'bounty:triage', endpoint: bounty.report },
  { method: 'POST', url: '/api/bounty/reports/:reference/triage', access: 'bounty:triage', endpoint: bounty.triage },
  { method: 'POST', url: '/api/bounty/reports/:reference/comments', access: 'bounty:triage', endpoint: bounty.comment },
  // Opens or updates an incident too: bounty:triage goes only with incidents:write (responder, admin).
  { method: 'POST', url: '/api/bounty/reports/:reference/breach', access: 'bounty:triage', endpoint: bounty.breach },
  { method: 'GET', url: '/api/bounty/reports/:reference/attachments/:attachment_id', access: 'bounty:triage', endpoint: bounty.attachment },
  { method: 'POST', url: '/api/bounty/researchers/remove-2fa', access: 'users:manage', endpoint: bounty.removeResearcherTwoFactor },
  { method: 'GET', url: '/api/bounty/metrics', access: 'bounty:triage', endpoint: outcomes.metrics },
  { method: 'POST', url: '/api/bounty/reports/:reference/award', access: 'bounty:triage', endpoint: outcomes.award },
  { method: 'POST', url: '/api/bounty/reports/:reference/award/paid', access: 'bounty:triage', endpoint: outcomes.awardPaid },
  { method: 'POST', url: '/api/bounty/reports/:reference/disclosure', access: 'bounty:triage', endpoint: outcomes.teamDisclosure },
  { method: 'PUT', url: '/api/bounty/reports/:reference/disclosure/text', access: 'bounty:triage', endpoint: outcomes.disclosureText },
  { method: 'POST', url: '/api/bounty/reports/:reference/disclosure/publish', access: 'bounty:triage', endpoint: outcomes.publish },
] as const satisfies readonly Route[];

/** One route of the staff API with its wire types: what the console's client is typed by. */
export type StaffRoute = (typeof STAFF_ROUTES)[number];

/**
 * Every route of the public listener: the customer portal, and the bug bounty programme's policy,
 * security.txt and researchers' side. `researcher` routes take only a researcher's cookie: no
 * staff credential works here, and none of them is on the staff listener.
 */
export const PUBLIC_ROUTES: readonly Route[] = [
  { method: 'GET', url: '/', access: 'anyone', endpoint: portal.home },
  { method: 'GET', url: '/incidents/:slug', access: 'anyone', endpoint: portal.incidentPage },
  { method: 'GET', url: '/verify', access: 'anyone', endpoint: portal.verifyPage },
  { method: 'GET', url: '/portal.css', access: 'anyone', endpoint: portal.stylesheet },
  { method: 'GET', url: '/logo', access: 'anyone', endpoint: portal.logo },
  { method: 'POST', url: '/api/portal/verify', access: 'anyone', endpoint: portal.verify },
  { method: 'GET', url: '/lookup', access: 'anyone', endpoint: portal.lookupPage },
  { method: 'POST', url: '/api/portal/lookup', access: 'anyone', endpoint: portal.lookup },
  { method: 'GET', url: '/report', access: 'anyone', endpoint: portal.reportPage },
  { method: 'POST', url: '/api/portal/reports', access: 'anyone', endpoint: portal.report },
  { method: 'GET', url: BOUNTY_PATHS.policy, access: 'anyone', endpoint: bounty.policyPage },
  { method: 'GET', url: BOUNTY_PATHS.hall_of_fame, access: 'anyone', endpoint: bounty.hallOfFame },
  { method: 'GET', url: BOUNTY_PATHS.policy_json, access: 'anyone', endpoint: bounty.policy },
  { method: 'GET', url: BOUNTY_PATHS.public_key, access: 'anyone', endpoint: bounty.publicKey },
  { method: 'GET', url: BOUNTY_PATHS.security_txt, access: 'anyone', endpoint: bounty.securityTxt },
  { method: 'GET', url: BOUNTY_PATHS.response_times, access: 'anyone', endpoint: outcomes.responseTimesPage },
  { method: 'GET', url: BOUNTY_PATHS.response_times_json, access: 'anyone', endpoint: outcomes.responseTimes },
  { method: 'GET', url: BOUNTY_PATHS.disclosures, access: 'anyone', endpoint: outcomes.disclosuresPage },
  { method: 'GET', url: BOUNTY_PATHS.disclosures_json, access: 'anyone', endpoint: outcomes.disclosures },
  { method: 'GET', url: `${BOUNTY_PATHS.disclosures}/:reference`, access: 'anyone', endpoint: outcomes.disclosurePage },
  { method: 'GET', url: '/bounty/sign-up', access: 'anyone', endpoint: researchers.signUpPage },
  { method: 'POST', url: '/api/bounty/researchers', access: 'anyone', endpoint: researchers.signUp },
  { method: 'GET', url: '/bounty/verify', access: 'anyone', endpoint: researchers.verifyPage },
  { method: 'POST', url: '/api/bounty/researchers/verify', access: 'anyone', endpoint: researchers.verify },
  { method: 'GET', url: '/bounty/reset', access: 'anyone', endpoint: researchers.resetPage },
  { method: 'POST', url: '/api/bounty/researchers/reset', access: 'anyone', endpoint: researchers.reset },
  { method: 'GET', url: '/bounty/reset/confirm', access: 'anyone', endpoint: researchers.newPasswordPage },
  { method: 'POST', url: '/api/bounty/researchers/reset/confirm', access: 'anyone', endpoint: researchers.newPassword },
  { method: 'GET', url: '/bounty/sign-in', access: 'anyone', endpoint: researchers.signInPage },
  { method: 'POST', url: '/api/bounty/session', access: 'anyone', endpoint: researchers.signIn },
  { method: 'POST', url: '/api/bounty/session/sign-out', access: 'researcher', endpoint: researchers.signOut },
  { method: 'GET', url: '/api/bounty/session', access: 'researcher', endpoint: researchers.me },
  { method: 'POST', url: '/api/bounty/session/totp', access: 'researcher', endpoint: researchers.beginTotp },
  { method: 'POST', url: '/api/bounty/session/totp/confirm', access: 'researcher', endpoint: researchers.confirmTotp },
  { method: 'GET', url: '/bounty/passkey.js', access: 'anyone', endpoint: researchers.passkeyScript },
  { method: 'GET', url: '/bounty/claim.js', access: 'anyone', endpoint: researchers.claimScript },
  { method: 'GET', url: '/bounty/claim', access: 'researcher', endpoint: researchers.claimPage },
  { method: 'POST', url: '/api/bounty/claims', access: 'researcher', endpoint: researchers.claim },
  { method: 'POST', url: '/api/bounty/passkeys/options', access: 'researcher', endpoint: researchers.passkeyOptions },
  { method: 'POST', url: '/api/bounty/passkeys', access: 'researcher', endpoint: researchers.addPasskey },
  { method: 'POST', url: '/api/bounty/session/passkey/options', access: 'anyone', endpoint: researchers.passkeySignInOptions },
  { method: 'POST', url: '/api/bounty/session/passkey', access: 'anyone', endpoint: researchers.passkeySignIn },
  { method: 'GET', url: '/bounty/reports', access: 'researcher', endpoint: researchers.reportsPage },
  { method: 'GET', url: '/bounty/reports/new', access: 'researcher', endpoint: researchers.newReportPage },
  { method: 'GET', url: '/bounty/reports/:reference', access: 'researcher', endpoint: researchers.reportPage },
  { method: 'GET', url: '/api/bounty/reports', access: 'researcher', endpoint: researchers.reports },
  { method: 'POST', url: '/api/bounty/reports', access: 'researcher', endpoint: researchers.submit },
  { method: 'GET', url: '/api/bounty/reports/:reference', access: 'researcher', endpoint: researchers.report },
  { method: 'POST', url: '/api/bounty/reports/:reference/comments', access: 'researcher', endpoint: researchers.comment },
  { method: 'POST', url: '/api/bounty/reports/:reference/disclosure', access: 'researcher', endpoint: outcomes.researcherDisclosure },
];
