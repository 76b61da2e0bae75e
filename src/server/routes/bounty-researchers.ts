import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  bountyOf,
  claimMailedReport,
  fillWords,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  queueResearcherMail,
  renderMarkdown,
  researcherComment,
  researcherReport,
  researcherReports,
  submitReport,
  type AttachmentInput,
  type ReportFields,
  type ResearcherReportView,
} from '../../bounty/index.ts';
import type { RegistrationResponseJSON, AuthenticationResponseJSON } from '@simplewebauthn/server';
import { relyingParty, type RelyingParty } from '../../accounts/index.ts';
import type { Context } from '../../context.ts';
import { invalidInput, TocsinError } from '../../lib/errors.ts';
import { BOUNTY_WORDS, CLAIM_SCRIPT, FORM_TOKEN_FIELD, formatInstant, PASSKEY_SCRIPT, researcherOutcomeValues } from '../../portal/index.ts';
import { researcherCookieName, type ResearcherPrincipal } from '../auth.ts';
import { endpoint } from '../endpoint.ts';
import { formTokenField, languageQuery, localeOf, refuseCrossSite, requireFormToken, sendPage, wantsHtml } from './portal.ts';
import { passkeyCredential } from './session.ts';

/** HttpOnly and SameSite=Strict always; over HTTPS also Secure and `__Host-`, as the staff cookie. */
function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' } as const;
}

/** What a form post or a JSON call must pass before anything is done: same origin, and a form's token. */
function checkPost(ctx: Context, request: FastifyRequest, token: unknown): void {
  refuseCrossSite(request);
  requireFormToken(ctx, request, token);
}

export function researcherOf(researcher: ResearcherPrincipal | null): ResearcherPrincipal {
  if (!researcher) throw new TocsinError('UNAUTHENTICATED', 'sign in as a researcher first', { kind: 'unauthenticated' });
  return researcher;
}

function words(request: FastifyRequest) {
  return BOUNTY_WORDS.get(localeOf(request))!.researcher;
}

/** A page that says what happened, with a link on. */
function notice(reply: FastifyReply, ctx: Context, title: string, text: string, link: { href: string; text: string } | null, status = 200): FastifyReply {
  return sendPage(reply, 'researcher-notice', ctx, { title, text, link, recovery_codes: [] }, status);
}

/** A browser's form post is answered by going to a page; an API client gets JSON. */
export function seeOther(reply: FastifyReply, path: string, lang: string): FastifyReply {
  return reply.code(303).header('location', `${path}?lang=${lang}`).send();
}

const reference = z.strictObject({ reference: z.string().max(64) });

export const signUpPage = endpoint({
  summary: 'The form that signs a bug bounty researcher up',
  querystring: languageQuery,
  handle: async ({ ctx, reply }) => sendPage(reply, 'researcher-sign-up', ctx),
});

export const signUp = endpoint({
  summary: 'Sign a researcher up: {email, password, locale?} → 202 {status: "accepted"}, the same whether or not the address has an account; the link to verify it goes to the address',
  querystring: languageQuery,
  body: z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024), locale: z.string().max(64).optional(), ...formTokenField }),
  status: 202,
  handle: async ({ ctx, body, request, reply, accounts }) => {
    checkPost(ctx, request, body.form_token);
    const locale = localeOf(request, body.locale);
    // Not one transaction with the sign-up (its password hash and throttle come first): a mail lost to a crash between is sent again by signing up again.
    const signedUp = await accounts.signUpResearcher(ctx, { email: body.email, password: body.password, locale, address: request.ip });
    await queueResearcherMail(ctx, signedUp.researcher_id, signedUp.mail);
    if (!wantsHtml(request)) return { status: 'accepted' };
    return notice(reply, ctx, words(request).check_mail_title, words(request).check_mail_text, null, 202);
  },
});

export const verifyPage = endpoint({
  summary: "The mailed link's page: a button that verifies the researcher's address (a GET changes nothing, so that mail scanners following links do not)",
  querystring: languageQuery.extend({ token: z.string().max(64).default('') }),
  handle: async ({ ctx, query, reply }) => sendPage(reply, 'researcher-verify', ctx, { token: query.token }),
});

export const verify = endpoint({
  summary: "Verify a researcher's address with the mailed link's token: {token} → the researcher",
  querystring: languageQuery,
  body: z.strictObject({ token: z.string().min(1).max(64), ...formTokenField }),
  handle: async ({ ctx, body, request, reply, accounts }) => {
    checkPost(ctx, request, body.form_token);
    const researcher = await accounts.verifyResearcherEmail(ctx, body.token);
    if (!wantsHtml(request)) return { researcher };
    return notice(reply, ctx, words(request).verified_title, words(request).verified_text, { href: '/bounty/sign-in', text: words(request).sign_in_title });
  },
});

export const resetPage = endpoint({
  summary: 'The form that asks for a password reset link',
  querystring: languageQuery,
  handle: async ({ ctx, reply }) => sendPage(reply, 'researcher-reset', ctx),
});

export const reset = endpoint({
  summary: "Ask for a researcher's password reset link: {email} → 202 {status: \"accepted\"}, the same for every address; the link (one hour, once) goes to a verified researcher's address only",
  querystring: languageQuery,
  body: z.strictObject({ email: z.string().min(1).max(320), ...formTokenField }),
  status: 202,
  handle: async ({ ctx, body, request, reply, accounts }) => {
    checkPost(ctx, request, body.form_token);
    const researcherId = await accounts.requestResearcherReset(ctx, { email: body.email, address: request.ip });
    if (researcherId !== null) await queueResearcherMail(ctx, researcherId, 'reset');
    if (!wantsHtml(request)) return { status: 'accepted' };
    return notice(reply, ctx, words(request).reset_title, words(request).reset_sent_text, null, 202);
  },
});

export const newPasswordPage = endpoint({
  summary: "The reset link's page: the form that sets a new password",
  querystring: languageQuery.extend({ token: z.string().max(64).default('') }),
  handle: async ({ ctx, query, reply }) => sendPage(reply, 'researcher-new-password', ctx, { token: query.token }),
});

export const newPassword = endpoint({
  summary: "Set a researcher's new password with the reset link's token: {token, password}; every session of theirs ends",
  querystring: languageQuery,
  body: z.strictObject({ token: z.string().min(1).max(64), password: z.string().min(1).max(1024), ...formTokenField }),
  handle: async ({ ctx, body, request, reply, accounts }) => {
    checkPost(ctx, request, body.form_token);
    const researcher = await accounts.resetResearcherPassword(ctx, body.token, body.password);
    if (!wantsHtml(request)) return { researcher };
    return notice(reply, ctx, words(request).password_changed_title, words(request).password_changed_text, { href: '/bounty/sign-in', text: words(request).sign_in_title });
  },
});

export const signInPage = endpoint({
  summary: 'The form that signs a researcher in',
  querystring: languageQuery,
  handle: async ({ ctx, reply }) => sendPage(reply, 'researcher-sign-in', ctx),
});

export const signIn = endpoint({
  summary: "Sign a researcher in: {email, password, otp?} → the researcher; sets the researcher cookie (never a staff session)",
  querystring: languageQuery,
  body: z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024), otp: z.string().max(16).optional(), ...formTokenField }),
  handle: async ({ ctx, body, request, reply, accounts }) => {
    checkPost(ctx, request, body.form_token);
    const { session_token, principal } = await accounts.researcherLogin(ctx, { email: body.email, password: body.password, otp: body.otp || undefined, address: request.ip });
    reply.setCookie(researcherCookieName(accounts, request), session_token, cookieOptions(request));
    if (wantsHtml(request)) return seeOther(reply, '/bounty/reports', localeOf(request));
    return { researcher: await accounts.researcherView(ctx, principal.researcher_id) };
  },
});

export const signOut = endpoint({
  summary: "Sign the researcher out: ends this session and clears its cookie",
  querystring: languageQuery,
  body: z.strictObject({ ...formTokenField }).nullable(),
  handle: async ({ ctx, body, request, reply, researcher, accounts }) => {
    requireFormToken(ctx, request, body?.[FORM_TOKEN_FIELD]);
    await accounts.researcherLogout(ctx, researcherOf(researcher).session_id);
    reply.clearCookie(researcherCookieName(accounts, request), cookieOptions(request));
    if (wantsHtml(request)) return seeOther(reply, '/bounty/sign-in', localeOf(request));
    return reply.code(204).send();
  },
});

export const me = endpoint({
  summary: 'The signed-in researcher: address, language, whether it is verified and has an authenticator app',
  handle: async ({ ctx, researcher, accounts }) => ({ researcher: await accounts.researcherView(ctx, researcherOf(researcher).researcher_id) }),
});

export const beginTotp = endpoint({
  summary: "Start enrolling the researcher's authenticator app: its otpauth URI, QR code (SVG) and secret; within 10 minutes of signing in (403 SIGN_IN_AGAIN otherwise)",
  querystring: languageQuery,
  body: z.strictObject({ ...formTokenField }).nullable(),
  handle: async ({ ctx, body, request, reply, researcher, accounts }) => {
    requireFormToken(ctx, request, body?.[FORM_TOKEN_FIELD]);
    const enrolment = await accounts.beginResearcherTotp(ctx, accounts.requireRecentSignIn(ctx, researcherOf(researcher)).researcher_id);
    if (!wantsHtml(request)) return enrolment;
    return sendPage(reply, 'researcher-totp', ctx, { qr: `data:image/svg+xml;base64,${Buffer.from(enrolment.qr_svg).toString('base64')}`, secret: enrolment.secret });
  },
});

export const confirmTotp = endpoint({
  summary: "Confirm the researcher's authenticator app with a first code → the researcher and ten recovery codes, shown this once; sign-in asks for a code of the app (or a recovery code) from now on; the session cookie is renewed",
  querystring: languageQuery,
  body: z.strictObject({ code: z.string().min(1).max(16), ...formTokenField }),
  handle: async ({ ctx, body, request, reply, researcher, accounts }) => {
    requireFormToken(ctx, request, body.form_token);
    const { session_token, recovery_codes } = await accounts.confirmResearcherTotp(ctx, accounts.requireRecentSignIn(ctx, researcherOf(researcher)), body.code);
    reply.setCookie(researcherCookieName(accounts, request), session_token, cookieOptions(request));
    if (!wantsHtml(request)) return { researcher: await accounts.researcherView(ctx, researcherOf(researcher).researcher_id), recovery_codes };
    return sendPage(reply, 'researcher-notice', ctx, { title: words(request).totp_title, text: words(request).totp_done, recovery_codes, link: { href: '/bounty/reports', text: words(request).back } });
  },
});

/** The public listener, as the relying party researchers' passkeys are bound to: public_url's host name and origin. */
function publicRelyingParty(ctx: Context): RelyingParty {
  if (ctx.config.public_url === undefined) {
    throw invalidInput('NO_PUBLIC_URL', "public_url is not set: researchers' passkeys are bound to the public site's address; set public_url (TOCSIN_PUBLIC_URL), e.g. https://help.shop.example.com");
  }
  return relyingParty(new URL(ctx.config.public_url), ctx.config.shop.name ?? 'Tocsin');
}

export const passkeyScript = endpoint({
  summary: "The script of the researchers' passkey buttons (sign-in, and adding one), run by the sign-in and reports pages",
  handle: async ({ reply }) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(PASSKEY_SCRIPT),
});

export const claimScript = endpoint({
  summary: "The claim page's script: the mailed link's token, its fragment, into the page's form",
  handle: async ({ reply }) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(CLAIM_SCRIPT),
});

export const claimPage = endpoint({
  summary: 'The page of the link mailed to whoever sent a report by email (/bounty/claim#TOKEN): a button that takes the report into the signed-in researcher\'s account (a GET changes nothing)',
  querystring: languageQuery,
  handle: async ({ ctx, reply, researcher }) => {
    researcherOf(researcher);
    return sendPage(reply, 'researcher-claim', ctx);
  },
});

export const claim = endpoint({
  summary: "Claim a report sent by email with its link's token: {token} → {reference}; the report is the researcher's from then on. A token works once (409 CLAIM_LINK_USED)",
  querystring: languageQuery,
  body: z.strictObject({ token: z.string().min(1).max(64), ...formTokenField }),
  handle: async ({ ctx, body, request, reply, researcher }) => {
    checkPost(ctx, request, body.form_token);
    const claimed = await claimMailedReport(ctx, researcherOf(researcher).researcher_id, body.token);
    if (!wantsHtml(request)) return claimed;
    return notice(reply, ctx, words(request).claimed_title, fillWords(words(request).claimed_text, claimed), { href: `/bounty/reports/${claimed.reference}`, text: claimed.reference });
  },
});

export const passkeyOptions = endpoint({
  summary: "Start adding a passkey for the signed-in researcher → {options}: WebAuthn's creation options (as JSON) for navigator.credentials.create(), good for five minutes; within 10 minutes of signing in (403 SIGN_IN_AGAIN otherwise)",
  handle: async ({ ctx, request, researcher, accounts }) => {
    refuseCrossSite(request);
    return { options: await accounts.researcherPasskeyOptions(ctx, accounts.requireRecentSignIn(ctx, researcherOf(researcher)).researcher_id, publicRelyingParty(ctx)) };
  },
});

export const addPasskey = endpoint({
  summary: "Add the passkey the browser made: {credential} (PublicKeyCredential.toJSON()) → {passkey}; it signs the researcher in by itself from now on, and the session cookie is renewed",
  body: z.strictObject({ credential: passkeyCredential }),
  status: 201,
  handle: async ({ ctx, body, request, reply, researcher, accounts }) => {
    refuseCrossSite(request);
    const added = await accounts.registerResearcherPasskey(ctx, accounts.requireRecentSignIn(ctx, researcherOf(researcher)), body.credential as unknown as RegistrationResponseJSON, publicRelyingParty(ctx));
    reply.setCookie(researcherCookieName(accounts, request), added.session_token, cookieOptions(request));
    return { passkey: added.passkey };
  },
});

export const passkeySignInOptions = endpoint({
  summary: "Start signing a researcher in with a passkey → {options}: WebAuthn's request options (as JSON) for navigator.credentials.get(), good for five minutes",
  handle: async ({ ctx, request, accounts }) => {
    refuseCrossSite(request);
    return { options: await accounts.researcherPasskeySignInOptions(ctx, publicRelyingParty(ctx)) };
  },
});

export const passkeySignIn = endpoint({
  summary: "Sign a researcher in with a passkey: {credential} (PublicKeyCredential.toJSON()) → the researcher; sets the researcher cookie. The passkey stands for the password and second factor",
  body: z.strictObject({ credential: passkeyCredential }),
  handle: async ({ ctx, body, request, reply, accounts }) => {
    refuseCrossSite(request);
    const { session_token, principal } = await accounts.researcherLoginWithPasskey(ctx, { response: body.credential as unknown as AuthenticationResponseJSON, address: request.ip }, publicRelyingParty(ctx));
    reply.setCookie(researcherCookieName(accounts, request), session_token, cookieOptions(request));
    return { researcher: await accounts.researcherView(ctx, principal.researcher_id) };
  },
});

export const reportsPage = endpoint({
  summary: "The researcher's own reports (HTML)",
  querystring: languageQuery,
  handle: async ({ ctx, request, reply, researcher }) => {
    const locale = localeOf(request);
    const states = BOUNTY_WORDS.get(locale)!.states;
    const severities = BOUNTY_WORDS.get(locale)!.severities;
    const reports = (await researcherReports(ctx, researcherOf(researcher).researcher_id)).map((report) => ({
      ...report,
      state: states[report.state],
      severity: report.severity === null ? '' : (severities[report.severity] ?? report.severity),
      submitted: formatInstant(report.submitted_at, locale),
    }));
    return sendPage(reply, 'researcher-reports', ctx, { reports });
  },
});

export const reports = endpoint({
  summary: "The researcher's own reports, the latest first",
  handle: async ({ ctx, researcher }) => ({ reports: await researcherReports(ctx, researcherOf(researcher).researcher_id) }),
});

export const newReportPage = endpoint({
  summary: 'The form that sends a report',
  querystring: languageQuery,
  handle: async ({ ctx, reply }) => sendPage(reply, 'researcher-new-report', ctx, { assets: bountyOf(ctx.config).assets.map((asset) => asset.name) }),
});

const jsonReport = z.strictObject({
  asset: z.string(),
  weakness: z.string(),
  title: z.string(),
  description: z.string(),
  steps: z.string(),
  impact: z.string(),
  cvss: z.string(),
  attachments: z.array(z.strictObject({ filename: z.string().max(1024), content_base64: z.string() })).default([]),
});
const REPORT_FIELDS = ['asset', 'weakness', 'title', 'description', 'steps', 'impact', 'cvss'] as const;

/** The report form's parts: its token first, the fields, and up to MAX_ATTACHMENTS files (an empty file part is no file). */
async function multipartReport(ctx: Context, request: FastifyRequest): Promise<{ fields: ReportFields; attachments: AttachmentInput[] }> {
  const fields: Record<string, string> = {};
  const attachments: AttachmentInput[] = [];
  try {
    for await (const part of request.parts({ limits: { fileSize: MAX_ATTACHMENT_BYTES, fieldSize: 64 * 1024, files: MAX_ATTACHMENTS, fields: REPORT_FIELDS.length + 1, parts: REPORT_FIELDS.length + 1 + MAX_ATTACHMENTS } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'attachments') throw invalidInput('UNKNOWN_FIELD', 'a file goes in attachments');
        requireFormToken(ctx, request, fields[FORM_TOKEN_FIELD]);
        const bytes = await part.toBuffer();
        if (bytes.byteLength > 0 || part.filename !== '') attachments.push({ filename: part.filename, bytes });
      } else {
        if (part.fieldname !== FORM_TOKEN_FIELD && !(REPORT_FIELDS as readonly string[]).includes(part.fieldname)) {
          throw invalidInput('UNKNOWN_FIELD', `not a field of a report; its fields are ${REPORT_FIELDS.join(', ')} and attachments`);
        }
        if (part.valueTruncated) throw invalidInput('INVALID_REPORT', `${part.fieldname}: too long`);
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new TocsinError('ATTACHMENT_TOO_LARGE', `an attachment is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB, the limit for one`, { kind: 'too_large' });
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') throw invalidInput('TOO_MANY_ATTACHMENTS', `a report takes at most ${MAX_ATTACHMENTS} attachments; put the rest in a zip`);
    throw error;
  }
  requireFormToken(ctx, request, fields[FORM_TOKEN_FIELD]);
  return { fields: Object.fromEntries(REPORT_FIELDS.map((name) => [name, fields[name] ?? ''])) as ReportFields, attachments };
}

export const submit = endpoint({
  summary: `Send a report: multipart/form-data (the fields and up to ${MAX_ATTACHMENTS} files as attachments) or JSON with attachments as [{filename, content_base64}] → 201 the report`,
  querystring: languageQuery,
  consumes: ['multipart/form-data', 'application/json'],
  status: 201,
  bodyLimit: () => Math.ceil(MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES * 1.4) + 256 * 1024,
  handle: async ({ ctx, request, reply, researcher }) => {
    refuseCrossSite(request);
    const who = researcherOf(researcher);
    let input: { fields: ReportFields; attachments: AttachmentInput[] };
    if (request.isMultipart()) input = await multipartReport(ctx, request);
    else {
      const parsed = jsonReport.safeParse(request.body);
      if (!parsed.success) throw invalidInput('INVALID_REPORT', `${parsed.error.issues[0].path.join('.') || 'the body'}: ${parsed.error.issues[0].message}`);
      const { attachments, ...fields } = parsed.data;
      input = { fields, attachments: attachments.map((attachment) => ({ filename: attachment.filename, bytes: Buffer.from(attachment.content_base64, 'base64') })) };
    }
    const report = await submitReport(ctx, who.researcher_id, input.fields, input.attachments, request.ip);
    if (wantsHtml(request)) return seeOther(reply, `/bounty/reports/${report.reference}`, localeOf(request));
    return report;
  },
});

/** The report's page values: its Markdown rendered without raw HTML, its vectors and dates in the reader's words. */
function reportPageValues(report: ResearcherReportView, locale: string) {
  const words = BOUNTY_WORDS.get(locale)!;
  const cvss = (score: ResearcherReportView['researcher_cvss']) => (score === null ? '' : `${score.vector} (${score.score.toFixed(1)}, ${words.severities[score.severity] ?? score.severity})`);
  return {
    report,
    state: words.states[report.state],
    researcher_cvss: cvss(report.researcher_cvss),
    triager_cvss: report.triager_cvss === null ? null : cvss(report.triager_cvss),
    submitted: formatInstant(report.submitted_at, locale),
    // A duplicate's original, in the words of the mail that told of it: its submission time and state.
    original: report.original === null ? null : fillWords(words.mail.duplicate_text, { original: report.original.reference, date: formatInstant(report.original.submitted_at, locale), original_state: words.states[report.original.state] }),
    description: renderMarkdown(report.description),
    steps: renderMarkdown(report.steps),
    impact: renderMarkdown(report.impact),
    comments: report.comments.map((comment) => ({ at: comment.at, date: formatInstant(comment.at, locale), author: comment.author_kind === 'team' ? words.researcher.team : words.researcher.you, body: renderMarkdown(comment.body) })),
    ...researcherOutcomeValues(report, locale),
  };
}

export const reportPage = endpoint({
  summary: "One of the researcher's own reports with its conversation (HTML); another researcher's is not found",
  params: reference,
  querystring: languageQuery,
  handle: async ({ ctx, params, request, reply, researcher }) =>
    sendPage(reply, 'researcher-report', ctx, reportPageValues(await researcherReport(ctx, researcherOf(researcher).researcher_id, params.reference), localeOf(request))),
});

export const report = endpoint({
  summary: "One of the researcher's own reports: its fields, both CVSS vectors, its attachments' names and the conversation (never the team's internal notes); another researcher's is not found",
  params: reference,
  handle: async ({ ctx, params, researcher }) => researcherReport(ctx, researcherOf(researcher).researcher_id, params.reference),
});

export const comment = endpoint({
  summary: "Answer in the report's conversation: {body} (Markdown); a report that waited for the answer goes back to the team",
  params: reference,
  querystring: languageQuery,
  body: z.strictObject({ body: z.string().max(20_000), ...formTokenField }),
  status: 201,
  handle: async ({ ctx, params, body, request, reply, researcher }) => {
    requireFormToken(ctx, request, body.form_token);
    const who = researcherOf(researcher);
    await researcherComment(ctx, who.researcher_id, params.reference, body.body);
    if (wantsHtml(request)) return seeOther(reply, `/bounty/reports/${params.reference}`, localeOf(request));
    return researcherReport(ctx, who.researcher_id, params.reference);
  },
});

