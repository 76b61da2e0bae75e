import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { inTransaction, type Incident } from '../db/index.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
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
async function requireKnownRegulators(ids: readonly string[], field: string, what: string): Promise<void> {
  if (ids.length === 0) return;
  const { loadRegulators } = await import('../compliance/index.ts');
  const known = loadRegulators();
  const unknown = ids.find((id) => !known.has(id));
  if (unknown === undefined) return;
  const choices = [...known].map(([id, regulator]) => `${id} (${regulator.name})`).join(', ');
  throw invalidInput('BAD_INCIDENT_FIELD', `${field}: ${JSON.stringify(unknown)} is not ${what}; name one of ${choices}`);
}

/**
 * `BR=2019-11-20T12:00Z`, a comma list or an array of them: when the initial report went to each authority,
 * keyed by a jurisdiction code in upper case or a sector regime's id in lower case (`eu-dora`), as typed: the
 * case tells them apart (`US-CA` is California). Stored sorted by key, instants normalised; none is null.
 * The list replaces the one stored.
 */
const reportList = z
  .union([z.string(), z.array(z.string())])
  .transform((value, issue) => {
    const reports = new Map<string, string>();
    for (const item of [value].flat().flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean)) {
      const [key = '', at, ...rest] = item.split('=');
      const normalised = key.trim();
      if (at === undefined || rest.length > 0 || !(JURISDICTION_KEY.test(normalised) || REGULATOR_KEY.test(normalised))) {
        issue.addIssue({
          code: 'custom',
          message: `reported-at: '${item}' is not CODE=INSTANT, CODE being a jurisdiction in upper case or a sector regime in lower case; write e.g. BR=2019-11-20T12:00:00Z or eu-dora=2019-11-14T20:00:00Z`,
        });
        return z.NEVER;
      }
      if (reports.has(normalised)) {
        issue.addIssue({ code: 'custom', message: `reported-at: ${normalised} is given twice; give one date per authority` });
        return z.NEVER;
      }
      try {
        reports.set(normalised, parseInstant(at, `reported-at ${normalised}`));
      } catch (error) {
        issue.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }
    return reports.size > 0 ? [...reports].sort(([a], [b]) => a.localeCompare(b)).map(([key, at]) => `${key}=${at}`).join(',') : null;
  })
  .nullable()
  .optional();
const JURISDICTION_KEY = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const REGULATOR_KEY = /^[a-z]{2}(-[a-z0-9]+)+$/;

async function requireRegulators(fields: { regulated_by?: string | null; reported_at?: string | null }): Promise<void> {
  await requireKnownRegulators(fields.regulated_by?.split(',') ?? [], 'regulated-by', 'a regulator Tocsin has rules for');
  await requireKnownRegulators(regulatorKeys(fields.reported_at), 'reported-at', 'a sector regime Tocsin has rules for (jurisdiction codes are upper case)');
}

/** The ids of the regulators that license the incident's controller, as the compliance rules name them. */
export function regulatorsOf(incident: Pick<Incident, 'regulated_by'>): string[] {
  return incident.regulated_by?.split(',') ?? [];
}

/** When the initial report went to each authority, by jurisdiction code or sector regime id. */
export function reportsOf(incident: Pick<Incident, 'reported_at'>): Record<string, string> {
  return Object.fromEntries((incident.reported_at?.split(',') ?? []).map((pair) => pair.split('=') as [string, string]));
}

/** The sector regimes among the report keys: they must be ones the rules define, like --regulated-by's. */
function regulatorKeys(reportedAt: string | null | undefined): string[] {
  return Object.keys(reportsOf({ reported_at: reportedAt ?? null })).filter((key) => REGULATOR_KEY.test(key));
}

/** Text a notice prints on a line of its own: no control characters, so it cannot break a line or a terminal. */
const oneLine = (field: string, longest: number) =>
  z
    .string()
    .trim()
    .min(1, { message: `${field}: must not be empty ('' clears it)` })
    .max(longest, { message: `${field}: at most ${longest} characters` })
    .regex(/^[^\p{Cc}\p{Zl}\p{Zp}]*$/u, { message: `${field}: must be one line of text, without control characters` })
    .nullable()
    .optional();

/** An offer the notice cannot make in full is worse than none: provider, enrolment and months come together. */
const PROTECTION_FIELDS = ['protection_provider', 'protection_enrolment', 'protection_months'] as const;

/** Incident fields as users and the API give them; the one schema for CLI and HTTP. */
const timelineFields = {
  occurred_from: optionalInstant('occurred-from'),
  occurred_to: optionalInstant('occurred-to'),
  discovered_at: optionalInstant('discovered-at'),
  contained_at: optionalInstant('contained-at'),
  closed_at: optionalInstant('closed-at'),
  controller: z.string().trim().min(1).nullable().optional(),
  controller_country: countryCode('controller-country'),
  controller_region: z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { message: 'controller-region: use an ISO 3166-2 code such as DE-BY (Bavaria) or DE-NW' }))
    .nullable()
    .optional(),
  eu_establishment: countryCode('eu-establishment'),
  regulated_by: regulatorList,
  assessed_at: optionalInstant('assessed-at'),
  reported_at: reportList,
  contact_email: z.email({ message: 'contact-email: not an email address' }).nullable().optional(),
  contact_phone: z
    .string()
    .trim()
    .regex(/^\+?\d[\d ().-]{4,28}\d$/, { message: "contact-phone: not a phone number; write it as customers dial it, e.g. '+1 800 555 0199'" })
    .nullable()
    .optional(),
  controller_parent: oneLine('controller-parent', 200),
  law_enforcement_delay: z.enum(['yes', 'no'], { message: "law-enforcement-delay: answer 'yes' or 'no'" }).nullable().optional(),
  protection_provider: oneLine('protection-provider', 200),
  protection_enrolment: oneLine('protection-enrolment', 500),
  protection_months: z.coerce
    .number({ message: 'protection-months: give a whole number of months' })
    .int({ message: 'protection-months: give a whole number of months' })
    .min(1, { message: 'protection-months: give at least 1 month' })
    .max(120, { message: 'protection-months: give at most 120 months' })
    .nullable()
    .optional(),
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

const EDITABLE = [
  'title', 'occurred_from', 'occurred_to', 'discovered_at', 'aware_at', 'contained_at', 'closed_at', 'controller', 'controller_country', 'controller_region', 'eu_establishment',
  'regulated_by', 'assessed_at', 'reported_at', 'contact_email', 'contact_phone', 'controller_parent', 'law_enforcement_delay', ...PROTECTION_FIELDS, 'locale',
] as const;
type EditableField = (typeof EDITABLE)[number];
type Changes = Record<string, { before: unknown; after: unknown }>;

function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInput('BAD_INCIDENT_FIELD', result.error.issues[0].message);
  const value = result.data as Partial<Record<EditableField, unknown>>;
  if (typeof value.occurred_from === 'string' && typeof value.occurred_to === 'string' && value.occurred_from > value.occurred_to) {
    throw invalidInput('BAD_INCIDENT_FIELD', 'occurred-from is after occurred-to; swap them or correct one');
  }
  const { controller_country: country, controller_region: region } = value;
  if (typeof country === 'string' && typeof region === 'string' && !region.startsWith(`${country}-`)) {
    throw invalidInput('BAD_INCIDENT_FIELD', `controller-region: ${region} is not in the controller's country ${country}; correct one of them`);
  }
  // The clocks these start run after awareness: an earlier date is a typing mistake, and would date them too early.
  if (typeof value.aware_at === 'string') {
    const reports = Object.entries(reportsOf({ reported_at: typeof value.reported_at === 'string' ? value.reported_at : null }));
    const events = [['assessed-at', value.assessed_at], ...reports.map(([key, at]) => [`reported-at ${key}`, at])];
    const early = events.find(([, at]) => typeof at === 'string' && at < (value.aware_at as string));
    if (early) throw invalidInput('BAD_INCIDENT_FIELD', `${early[0]}: ${early[1]} is before aware-at (${value.aware_at}); the assessment and the reports follow awareness`);
  }
  return result.data;
}

/** Run on the incident as it will be stored: a protection offer has its provider, how to enrol and its months, or nothing. */
function requireWholeOffer(incident: Partial<Record<EditableField, unknown>>): void {
  const given = PROTECTION_FIELDS.filter((field) => incident[field] !== null && incident[field] !== undefined);
  if (given.length === 0 || given.length === PROTECTION_FIELDS.length) return;
  const missing = PROTECTION_FIELDS.filter((field) => !given.includes(field)).map((field) => `--${field.replaceAll('_', '-')}`);
  throw invalidInput('BAD_INCIDENT_FIELD', `a protection offer needs its provider, how to enrol and its months; set ${missing.join(' and ')} too, or clear the others with ''`);
}

/** Short ids people can read aloud and type: 6 characters of Crockford's alphabet, no I, L, O or U. */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function newIncidentId(): string {
  return Array.from({ length: 6 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

export async function createIncident(ctx: Context, input: NewIncidentInput): Promise<Incident> {
  const fields = validate(newIncidentSchema, input);
  await requireRegulators(fields);
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
    controller_region: fields.controller_region ?? null,
    eu_establishment: fields.eu_establishment ?? null,
    regulated_by: fields.regulated_by ?? null,
    assessed_at: fields.assessed_at ?? null,
    reported_at: fields.reported_at ?? null,
    contact_email: fields.contact_email ?? null,
    contact_phone: fields.contact_phone ?? null,
    controller_parent: fields.controller_parent ?? null,
    law_enforcement_delay: fields.law_enforcement_delay ?? null,
    protection_provider: fields.protection_provider ?? null,
    protection_enrolment: fields.protection_enrolment ?? null,
    protection_months: fields.protection_months ?? null,
    locale: fields.locale ?? 'en',
    created_at: now,
    updated_at: now,
    ...emptyTrail(ctx, id),
  };
  requireWholeOffer(incident);
  const changes: Changes = {};
  for (const field of EDITABLE) if (incident[field] !== null) changes[field] = { before: null, after: incident[field] };

  return inTransaction(ctx.db, async (trx) => {
    await trx.insertInto('incidents').values(incident).execute();
    await appendAudit(trx, ctx, incident.id, { action: 'incident.created', details: { changes } });
    return getIncident({ db: trx }, incident.id);
  });
}

/** An incident's id as it is stored, from what a user typed. */
export const incidentIdOf = (id: string) => id.trim().toLowerCase();

export async function getIncident(ctx: Pick<Context, 'db'>, id: string): Promise<Incident> {
  const incident = await ctx.db.selectFrom('incidents').selectAll().where('id', '=', incidentIdOf(id)).executeTakeFirst();
  if (!incident) throw new TocsinError('INCIDENT_NOT_FOUND', `no incident '${id}'; the list of incidents shows the ids`, { kind: 'not_found', next: { action: 'list_incidents' } });
  return incident;
}

export async function listIncidents(ctx: Pick<Context, 'db'>): Promise<Incident[]> {
  return ctx.db.selectFrom('incidents').selectAll().orderBy('created_at', 'desc').execute();
}

/** Applies the given changes; fields left out stay, `null` clears an optional one. Unchanged values record nothing. */
export async function updateIncident(ctx: Context, id: string, input: IncidentChangesInput): Promise<{ incident: Incident; changed: string[] }> {
  const requested = validate(incidentChangesSchema, input);
  await requireRegulators(requested);
  return inTransaction(ctx.db, async (trx) => {
    const current = await getIncident({ db: trx }, id);
    const merged = { ...current };
    const changes: Changes = {};
    for (const field of EDITABLE) {
      const after = requested[field];
      if (after === undefined || after === current[field]) continue;
      if (after === null && (field === 'title' || field === 'aware_at' || field === 'locale')) {
        throw invalidInput('BAD_INCIDENT_FIELD', `${field.replace('_', '-')}: cannot be cleared`);
      }
      changes[field] = { before: current[field], after };
      Object.assign(merged, { [field]: after });
    }
    validate(newIncidentSchema, merged);
    requireWholeOffer(merged);
    const changed = Object.keys(changes);
    if (changed.length === 0) return { incident: current, changed };

    merged.updated_at = ctx.now().toISOString();
    const { id: _id, audit_seq: _seq, audit_hash: _hash, audit_keyed_from: _keyedFrom, audit_mac: _mac, ...row } = merged;
    await trx.updateTable('incidents').set(row).where('id', '=', current.id).execute();
    await appendAudit(trx, ctx, current.id, { action: 'incident.updated', details: { changes } });
    return { incident: await getIncident({ db: trx }, current.id), changed };
  });
}
