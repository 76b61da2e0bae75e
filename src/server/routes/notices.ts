import { z } from 'zod';
import { renderPreviews } from '../../delivery/index.ts';
import { checkIncidentTemplates, initTemplates } from '../../notices/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const checkTemplates = endpoint({
  summary: "Check the templates an incident would use: syntax, variables, phrases, every locale, each variant's rules (tocsin templates check)",
  params: incidentParams,
  handle: async ({ ctx, params }) => checkIncidentTemplates(ctx, params.id),
});

export const preview = endpoint({
  summary: "Notices as they would be sent, one per variant and locale or one person's: the message and its HTML part (tocsin notices preview)",
  params: incidentParams,
  querystring: z.strictObject({
    email: z.string().min(1).max(320).optional(),
    locale: z.string().min(2).max(35).optional(),
    from: z.string().min(1).max(998).optional().describe('the sender, as sending takes it (default: sender.from in the configuration, else the incident\'s contact email)'),
  }),
  handle: async ({ ctx, params, query }) => ({
    items: (await renderPreviews(ctx, params.id, query)).map(({ raw, ...preview }) => ({ ...preview, message: raw.toString('utf8') })),
  }),
});

export const initTemplateFiles = endpoint({
  summary: "Copy the built-in templates into the incident's template directory, to edit there (edited files are never overwritten) (tocsin templates init)",
  params: incidentParams,
  handle: async ({ ctx, params }) => initTemplates(ctx, params.id),
});
