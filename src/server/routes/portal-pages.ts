import { z } from 'zod';
import { portalPageStatus, publicationUrl, publishPage, setFaq, unpublishPage } from '../../portal/index.ts';
import { endpoint, optionalBody } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

/** An FAQ in Markdown, one heading per question (README, "The incident page"). */
const faqText = z.string().max(100_000);

export const status = endpoint({
  summary: "Whether the incident's page is on the portal, where (url: under public_url when set, else the path), and its FAQ in each portal locale (tocsin portal show)",
  params: incidentParams,
  handle: async ({ ctx, params }) => portalPageStatus(ctx, params.id),
});

export const publish = endpoint({
  summary: "Publish the incident's page on the portal, or publish it anew with what the incident says now; faqs sets FAQs by locale first (tocsin portal publish)",
  params: incidentParams,
  body: optionalBody(
    z.strictObject({
      slug: z.string().max(64).optional().describe('the page is at /incidents/<slug> on the public listener; by default the slug it had, else the incident id'),
      faqs: z.record(z.string(), faqText).optional().describe('locale → FAQ in Markdown'),
    }),
  ),
  handle: async ({ ctx, params, body }) => {
    for (const [locale, source] of Object.entries(body.faqs ?? {})) await setFaq(ctx, params.id, locale, source);
    const publication = await publishPage(ctx, params.id, { slug: body.slug });
    return { ...publication, url: publicationUrl(ctx.config, publication) };
  },
});

export const unpublish = endpoint({
  summary: "Take the incident's page off the portal (tocsin portal unpublish)",
  params: incidentParams,
  handle: async ({ ctx, params }) => unpublishPage(ctx, params.id),
});

export const faq = endpoint({
  summary: "Set the FAQ the incident's page shows in one locale, as Markdown; it shows once the page is published again (tocsin portal faq)",
  params: z.strictObject({ ...incidentParams.shape, locale: z.string().max(16).describe('a portal locale: en-GB, en-US, fr, de, es, it') }),
  body: z.strictObject({ faq: faqText }),
  handle: async ({ ctx, params, body }) => setFaq(ctx, params.id, params.locale, body.faq),
});
