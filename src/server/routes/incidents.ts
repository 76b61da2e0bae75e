import { z } from 'zod';
import { checkNarrative, createIncident, getIncident, incidentChangesSchema, incidentView, listIncidents, narrativeFromText, narrativeMarkdown, narrativesOf, newIncidentSchema, setNarrative, updateIncident } from '../../incidents/index.ts';
import { endpoint } from '../endpoint.ts';

/** The `{id}` of every incident route. */
export const incidentParams = z.strictObject({ id: z.string().regex(/^[0-9A-Za-z]{1,32}$/, { message: 'not an incident id' }).describe('incident id') });

export const list = endpoint({
  summary: 'List incidents, newest first (tocsin incident list)',
  handle: async ({ ctx }) => ({ items: await listIncidents(ctx) }),
});

export const create = endpoint({
  summary: 'Open an incident (tocsin incident create)',
  body: z.strictObject(newIncidentSchema.shape),
  status: 201,
  handle: async ({ ctx, body }) => createIncident(ctx, body),
});

export const show = endpoint({
  summary: 'One incident, its timeline and narratives (tocsin incident show)',
  params: incidentParams,
  handle: async ({ ctx, params }) => {
    const incident = await getIncident(ctx, params.id);
    return incidentView(incident, await narrativesOf(ctx, incident.id));
  },
});

const narrativeText = z.string().max(100_000);

export const update = endpoint({
  summary: "Change an incident's fields (null clears an optional one) and set narratives by locale, as Markdown (tocsin incident update)",
  params: incidentParams,
  body: z.strictObject({
    ...incidentChangesSchema.shape,
    narratives: z.record(z.string(), narrativeText).optional().describe('locale → narrative in Markdown with the four parts (README, "Narrative")'),
  }),
  handle: async ({ ctx, params, body }) => {
    const { narratives = {}, ...changes } = body;
    // Every narrative is parsed before anything is stored: one bad text changes nothing.
    const parsed = Object.entries(narratives).map(([tag, text]) => narrativeFromText(tag, text));
    const updated = await updateIncident(ctx, params.id, changes);
    for (const { locale, narrative } of parsed) await setNarrative(ctx, updated.incident.id, locale, narrative);
    return { incident: updated.incident, changed: [...updated.changed, ...parsed.map(({ locale }) => `narrative ${locale}`)] };
  },
});

export const narratives = endpoint({
  summary: "The incident's narratives by locale, as the Markdown PATCH …/incidents/:id takes back (tocsin incident show)",
  params: incidentParams,
  handle: async ({ ctx, params }) => {
    const incident = await getIncident(ctx, params.id);
    return { items: [...(await narrativesOf(ctx, incident.id))].map(([locale, narrative]) => ({ locale, text: narrativeMarkdown(narrative) })) };
  },
});

export const checkNarrativeText = endpoint({
  summary: 'Check a narrative without saving it: every problem with its line (null for the text as a whole), or the parts it fills',
  body: z.strictObject({ text: narrativeText }),
  handle: async ({ body }) => {
    const { narrative, problems } = checkNarrative(body.text);
    return { problems, parts: problems.length === 0 ? Object.keys(narrative) : [] };
  },
});
