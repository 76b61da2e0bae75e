import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Context } from '../context.ts';
import type { Incident } from '../db/schema.ts';
import { TocsinError, usageError } from '../lib/errors.ts';
import { parseInstant } from '../lib/time.ts';
import { appendAudit, emptyTrail } from './audit.ts';

const instant = (field: string) =>
  z.string().transform((value, issue) => {
    try {
      return parseInstant(value, field);
    } catch (error) {
      issue.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const optionalInstant = (field: string) => instant(field).nullable().optional();

const countryCode = (field: string) =>
  z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{2}$/, { message: `${field}: use an ISO 3166-1 country code such as FR or US` }))
    .nullable()
    .optional();

/** `us-nydfs`, a comma list or an array of ids, stored sorted, once each, comma-separated; none is null. */
const regulatorList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => {
    const ids = [...new Set([value].flat().flatMap((item) => item.split(',')).map((id) => id.trim().toLowerCase()).filter(Boolean))].sort();
    return ids.length > 0 ? ids.join(',') : null;
  })
  .nullable()
  .optional();

/** Regulators must be ones the compliance rules define; their files are read only when an incident names one. */
async function requireKnownRegulators(regulatedBy: string | null | undefined): Promise<void> {
  if (!regulatedBy) return;
  const { loadRegulators } = await import('../compliance/rules/load.ts');
  const known = loadRegulators();
  const unknown = regulatedBy.split(',').find((id) => !known.has(id));
  if (unknown === undefined) return;
  const choices = [...known].map(([id, regulator]) => `${id} (${regulator.name})`).join(', ');
  throw usageError('BAD_INCIDENT_FIELD', `regulated-by: ${JSON.stringify(unknown)} is not a regulator Tocsin has rules for; name one of ${choices}, or none`);
}

/** The ids of the regulators that license the incident's controller, as the compliance rules name them. */
export function regulatorsOf(incident: Pick<Incident, 'regulated_by'>): string[] {
  return incident.regulated_by?.split(',') ?? [];
}

/** Incident fields as users and the API give them; the one schema for CLI and HTTP. */
const timelineFields = {
  occurred_from: optionalInstant('occurred-from'),
  occurred_to: optionalInstant('occurred-to'),
  discovered_at: optionalInstant('discovered-at'),
  contained_at: optionalInstant('contained-at'),
  closed_at: optionalInstant('closed-at'),
  controller: z.string().trim().min(1).nullable().optional(),
  controller_country: countryCode('controller-country'),
  eu_establishment: countryCode('eu-establishment'),
  regulated_by: regulatorList,
  contact_email: z.email({ message: 'contact-email: not an email address' }).nullable().optional(),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, { message: "locale: use a language tag like 'en' or 'fr-FR'" })
    .optional(),
};

export const newIncidentSchema = z.object({
  title: z.string().trim().min(1, { message: 'title: must not be empty' }),
  aware_at: instant('aware-at'),
  ...timelineFields,
});

export const incidentChangesSchema = z.object({
  title: newIncidentSchema.shape.title.optional(),
  aware_at: instant('aware-at').optional(),
  ...timelineFields,
});

export type NewIncidentInput = z.input<typeof newIncidentSchema>;
export type IncidentChangesInput = z.input<typeof incidentChangesSchema>;

const EDITABLE = ['title', 'occurred_from', 'occurred_to', 'discovered_at', 'aware_at', 'contained_at', 'closed_at', 'controller', 'controller_country', 'eu_establishment', 'regulated_by', 'contact_email', 'locale'] as const;
type EditableField = (typeof EDITABLE)[number];
type Changes = Record<string, { before: unknown; after: unknown }>;

function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw usageError('BAD_INCIDENT_FIELD', result.error.issues[0].message);
  const value = result.data as Partial<Record<EditableField, unknown>>;
  if (typeof value.occurred_from === 'string' && typeof value.occurred_to === 'string' && value.occurred_from > value.occurred_to) {
    throw usageError('BAD_INCIDENT_FIELD', 'occurred-from is after occurred-to; swap them or correct one');
  }
  return result.data;
}

/** Short ids people can read aloud and type: 6 characters of Crockford's alphabet, no I, L, O or U. */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function newIncidentId(): string {
  return Array.from({ length: 6 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

export async function createIncident(ctx: Context, input: NewIncidentInput): Promise<Incident> {
  const fields = validate(newIncidentSchema, input);
  await requireKnownRegulators(fields.regulated_by);
  const now = ctx.now().toISOString();
  const id = newIncidentId();
  const incident: Incident = {
    id,
    title: fields.title,
    occurred_from: fields.occurred_from ?? null,
    occurred_to: fields.occurred_to ?? null,
    discovered_at: fields.discovered_at ?? null,
    aware_at: fields.aware_at,
    contained_at: fields.contained_at ?? null,
    closed_at: fields.closed_at ?? null,
    controller: fields.controller ?? null,
    controller_country: fields.controller_country ?? null,
    eu_establishment: fields.eu_establishment ?? null,
    regulated_by: fields.regulated_by ?? null,
    contact_email: fields.contact_email ?? null,
    locale: fields.locale ?? 'en',
    created_at: now,
    updated_at: now,
    ...emptyTrail(ctx, id),
  };
  const changes: Changes = {};
  for (const field of EDITABLE) if (incident[field] !== null) changes[field] = { before: null, after: incident[field] };

  return ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('incidents').values(incident).execute();
    await appendAudit(trx, ctx, incident.id, { action: 'incident.created', details: { changes } });
    return getIncident({ db: trx }, incident.id);
  });
}

export async function getIncident(ctx: Pick<Context, 'db'>, id: string): Promise<Incident> {
  const incident = await ctx.db.selectFrom('incidents').selectAll().where('id', '=', id.trim().toLowerCase()).executeTakeFirst();
  if (!incident) throw new TocsinError('INCIDENT_NOT_FOUND', `no incident '${id}'; 'tocsin incident list' shows the ids`);
  return incident;
}

export async function listIncidents(ctx: Pick<Context, 'db'>): Promise<Incident[]> {
  return ctx.db.selectFrom('incidents').selectAll().orderBy('created_at', 'desc').execute();
}

/** Applies the given changes; fields left out stay, `null` clears an optional one. Unchanged values record nothing. */
export async function updateIncident(ctx: Context, id: string, input: IncidentChangesInput): Promise<{ incident: Incident; changed: string[] }> {
  const requested = validate(incidentChangesSchema, input);
  await requireKnownRegulators(requested.regulated_by);
  return ctx.db.transaction().execute(async (trx) => {
    const current = await getIncident({ db: trx }, id);
    const merged = { ...current };
    const changes: Changes = {};
    for (const field of EDITABLE) {
      const after = requested[field];
      if (after === undefined || after === current[field]) continue;
      if (after === null && (field === 'title' || field === 'aware_at' || field === 'locale')) {
        throw usageError('BAD_INCIDENT_FIELD', `${field.replace('_', '-')}: cannot be cleared`);
      }
      changes[field] = { before: current[field], after };
      Object.assign(merged, { [field]: after });
    }
    validate(newIncidentSchema, merged);
    const changed = Object.keys(changes);
    if (changed.length === 0) return { incident: current, changed };

    merged.updated_at = ctx.now().toISOString();
    const { id: _id, audit_seq: _seq, audit_hash: _hash, audit_keyed_from: _keyedFrom, audit_mac: _mac, ...row } = merged;
    await trx.updateTable('incidents').set(row).where('id', '=', current.id).execute();
    await appendAudit(trx, ctx, current.id, { action: 'incident.updated', details: { changes } });
    return { incident: await getIncident({ db: trx }, current.id), changed };
  });
}
