import { z } from 'zod';
import { create as contentDisposition } from 'content-disposition';
import { removeResearcherSecondFactors } from '../../accounts/index.ts';
import { commentOnReport, currentSecurityTxt, linkBreach, listReports, policyView, REPORT_STATES, reportAttachment, scoreCvss, showReport, SLA_STANDINGS, storedPublicKey, triageReport } from '../../bounty/index.ts';
import { TocsinError } from '../../lib/errors.ts';
import { renderBountyPage, renderHallOfFame } from '../../portal/index.ts';
import { endpoint } from '../endpoint.ts';
import { languageQuery, localeOf, sendHtml } from './portal.ts';

export const policyPage = endpoint({
  summary: "The bug bounty programme's policy: where to report, scope by tier, rules, safe harbour, rewards, response targets (HTML, in the visitor's language)",
  querystring: languageQuery,
  handle: async ({ ctx, request, reply }) => sendHtml(reply, renderBountyPage(localeOf(request), ctx.config, { hasKey: (await storedPublicKey(ctx)) !== null })),
});

export const hallOfFame = endpoint({
  summary: 'The researchers who reported a vulnerability and agreed to be named (HTML)',
  querystring: languageQuery,
  handle: async ({ ctx, request, reply }) => sendHtml(reply, renderHallOfFame(localeOf(request), ctx.config)),
});

export const policy = endpoint({
  summary: "The bug bounty programme's policy as JSON, in every language it is written in (tocsin bounty policy --json)",
  handle: async ({ ctx }) => policyView(ctx.config),
});

export const securityTxt = endpoint({
  summary: 'security.txt (RFC 9116): OpenPGP cleartext-signed when a key is set up (tocsin bounty key generate), signed anew before it expires',
  handle: async ({ ctx, reply }) => {
    let file;
    try {
      file = await currentSecurityTxt(ctx);
    } catch (error) {
      // A configuration that cannot make the file (no https public_url) is the operator's to fix, not the visitor's mistake.
      if (!(error instanceof TocsinError) || error.kind !== 'invalid') throw error;
      ctx.logger.warn({ code: error.code }, 'security.txt cannot be served: check the bounty section and public_url');
      throw new TocsinError('SECURITY_TXT_UNAVAILABLE', 'security.txt is not set up on this server', { kind: 'unavailable' });
    }
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(file.body);
  },
});

export const publicKey = endpoint({
  summary: "The OpenPGP public key that signs security.txt and that reports may be encrypted to (security.txt's Encryption)",
  handle: async ({ ctx, reply }) => {
    const key = await storedPublicKey(ctx);
    if (key === null) throw new TocsinError('NO_SIGNING_KEY', 'the programme has no OpenPGP key yet', { kind: 'not_found' });
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(key.public_key);
  },
});

export const cvss = endpoint({
  summary: 'Score a CVSS 3.1 or 4.0 vector: {vector} → {version, vector, score, severity} (tocsin bounty cvss VECTOR); 400 names the bad metric',
  body: z.strictObject({ vector: z.string().max(512) }),
  handle: async ({ body }) => scoreCvss(body.vector),
});

const reportParams = z.strictObject({ reference: z.string().max(64) });

export const reports = endpoint({
  summary: 'The triage queue: bug bounty reports, oldest first, by state, asset and standing against the response targets (sla: overdue, due_soon, on_track, done) (tocsin bounty reports)',
  querystring: z.strictObject({ state: z.enum(REPORT_STATES).optional(), asset: z.string().max(200).optional(), sla: z.enum(SLA_STANDINGS).optional() }),
  handle: async ({ ctx, query }) => ({ reports: await listReports(ctx, query) }),
});

export const report = endpoint({
  summary: "A report for triage: every field, both CVSS vectors, the suggested reward, the thread with internal notes, the audit trail (tocsin bounty show)",
  params: reportParams,
  handle: async ({ ctx, params }) => showReport(ctx, params.reference),
});

export const triage = endpoint({
  summary: 'Triage a report: {state?, duplicate_of?, cvss?, comment?}; audited, and the researcher is mailed (tocsin bounty triage)',
  params: reportParams,
  body: z.strictObject({ state: z.enum(REPORT_STATES).optional(), duplicate_of: z.string().max(64).optional(), cvss: z.string().max(512).optional(), comment: z.string().max(20_000).optional() }),
  handle: async ({ ctx, params, body }) => triageReport(ctx, params.reference, body),
});

export const breach = endpoint({
  summary:
    "Mark a report \"personal data reachable\": {incident_id?} → opens an incident aware from now with the report as its evidence, or adds it to the incident named; the compliance clocks run from it; audited (tocsin bounty breach)",
  params: reportParams,
  body: z.strictObject({ incident_id: z.string().min(1).max(64).optional() }),
  status: 201,
  handle: async ({ ctx, params, body }) => linkBreach(ctx, params.reference, body),
});

export const comment = endpoint({
  summary: "Write in a report's thread: {body, internal?}; an internal note is never shown to the researcher (tocsin bounty comment)",
  params: reportParams,
  body: z.strictObject({ body: z.string().max(20_000), internal: z.boolean().default(false) }),
  status: 201,
  handle: async ({ ctx, params, body }) => commentOnReport(ctx, params.reference, body),
});

export const attachment = endpoint({
  summary: "A report's attachment, as a download (Content-Disposition: attachment, never shown inline) of the type told from its bytes",
  params: reportParams.extend({ attachment_id: z.string().max(64) }),
  handle: async ({ ctx, params, reply }) => {
    const file = await reportAttachment(ctx, params.reference, params.attachment_id);
    return reply
      .type(file.content_type === 'text/plain' ? 'text/plain; charset=utf-8' : file.content_type)
      .header('content-disposition', contentDisposition(file.filename, { type: 'attachment' }))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'no-store')
      .send(file.bytes);
  },
});

export const removeResearcherTwoFactor = endpoint({
  summary: "For a researcher who lost their authenticator app, recovery codes and passkeys: {email} → removes them all and ends their sessions (tocsin bounty researcher-remove-2fa)",
  body: z.strictObject({ email: z.string().min(1).max(320) }),
  handle: async ({ ctx, body }) => ({ researcher: await removeResearcherSecondFactors(ctx, body.email) }),
});
