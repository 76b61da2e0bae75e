import { z } from 'zod';
import { CATEGORIES } from '../../domain/index.ts';
import { FORBIDDABLE } from '../notice-forbidden.ts';

const isoDate = z.iso.date();
const text = z.string().trim().min(1);
const category = z.enum(CATEGORIES);
const sources = z.array(z.object({ title: text, url: z.url() }).strict()).min(1);

/** A sector regime's id, as incidents name it (`--regulated-by us-nydfs`): the country (or `eu`), then the regulator or law. */
export const REGULATOR_ID = /^[a-z]{2}(-[a-z0-9]+)+$/;

/**
 * When a duty applies. A resident is "affected" in the law's sense when their exposed categories
 * include every category of at least one combination (`any` = any personal data).
 */
const triggerShape = {
  categories: z.union([z.literal('any'), z.array(z.array(category).min(1)).min(1)]),
  /** The duty applies only when at least this many residents are affected (e.g. an attorney general above 500). */
  at_least: z.number().int().positive().optional(),
  /** Alternatively, this many residents with any personal data exposed makes it apply whatever the data (null cancels an inherited value). */
  scale_at_least: z.number().int().positive().nullable().optional(),
  /** statutory: the law applies mechanically; presumed: applies unless you can show low risk; risk: a human must judge. */
  test: z.enum(['statutory', 'presumed', 'risk']),
  test_text: text,
  /** The verdict when nothing matches: usually not required, `assess` where another limb needs a human. */
  otherwise: z.enum(['not-required', 'assess']).optional(),
  otherwise_text: text.optional(),
};
const triggerSchema = z.object(triggerShape).strict();
export type Trigger = z.output<typeof triggerSchema>;

/** A length of time: at most one of hours, calendar days, business days (weekends and public holidays skipped). */
const periodShape = {
  hours: z.number().int().positive().optional(),
  days: z.number().int().positive().optional(),
  business_days: z.number().int().positive().optional(),
};
const onePeriod = [
  (d: { hours?: number; days?: number; business_days?: number }) => [d.hours, d.days, d.business_days].filter((n) => n !== undefined).length <= 1,
  { message: 'give at most one of hours, days, business_days' },
] as const;

/**
 * A clock, counted from awareness unless `from` names a later event: the assessment's end or the initial
 * report (dated once the incident records them), or the notice to people (which Tocsin does not date).
 */
const deadlineSchema = z
  .object({
    label: text,
    ...periodShape,
    from: z.enum(['awareness', 'assessment', 'notice', 'report']).default('awareness'),
    text,
    /** Where the law sets no period ("promptly") but the regulator publishes one: shown, labelled as an assumption. */
    assume: z
      .object({ ...periodShape, text })
      .strict()
      .refine(...onePeriod)
      .optional(),
  })
  .strict()
  .refine(...onePeriod);
export type Deadline = z.output<typeof deadlineSchema>;

/** Shared by the authority, the individuals and every other recipient: when it applies and by when. */
const dutyShape = {
  /** Overrides keys of the jurisdiction's trigger for this duty only. */
  when: z.object(triggerShape).partial().strict().optional(),
  /** The duty binds only breaches from this date: the commencement the rules assume, stated with its source in `in_force_text`. */
  in_force_from: isoDate.optional(),
  /** An earlier commencement that has been proposed: from it until the user confirms a date, the duty is "assess". */
  in_force_proposed: isoDate.optional(),
  in_force_text: text.optional(),
  deadlines: z.array(deadlineSchema).default([]),
};

const authoritySchema = z.object({ ...dutyShape, name: text, filing: text, url: z.url().optional() }).strict();
const recipientSchema = z.object({ ...dutyShape, who: text, filing: text.optional(), url: z.url().optional() }).strict();
const individualsSchema = z.object(dutyShape).strict();
export type DutyRules = z.output<typeof individualsSchema>;

const noticeSchema = z
  .object({
    /** The notice's templates: the GDPR's, a US state's, a national regime's (its authority and rights), or the fallback's. */
    variant: z.enum(['gdpr', 'us-ca', 'us-ma', 'ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd', 'default']),
    /** Machine-checked by checkNoticeContent: */
    title: text.optional(),
    headings: z.array(text).default([]),
    forbids: z.array(z.enum(FORBIDDABLE)).default([]),
    must_mention: z.array(text).default([]),
    /** For the people writing templates; not machine-checked. */
    content: z.array(text).default([]),
  })
  .strict();
export type NoticeRules = z.output<typeof noticeSchema>;

const REGIMES = ['eu-gdpr', 'uk-gdpr', 'national', 'us-state', 'us-fallback', 'unknown'] as const;

export const rulesSchema = z
  .object({
    /** ISO 3166: a country (`FR`) or a subdivision (`US-CA`); `ZZ` is the unknown region. */
    jurisdiction: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, { message: 'use an ISO 3166 code such as FR or US-CA' }),
    name: text,
    regime: z.enum(REGIMES),
    law: text,
    /** IANA zone, used to skip weekends when counting business days. */
    time_zone: z.string().default('UTC'),
    trigger: triggerSchema,
    authority: authoritySchema,
    /** Where supervision is split by region (Germany's Länder): the authority of the region the controller is established in. */
    regional_authorities: z
      .object({
        /** Why the region decides, with the provision: shown with the authority it picks. */
        basis: text,
        by_region: z.record(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { message: 'use an ISO 3166-2 code such as DE-BY' }), z.object({ name: text, filing: text, url: z.url().optional() }).strict()),
      })
      .strict()
      .optional(),
    individuals: individualsSchema,
    recipients: z.array(recipientSchema).default([]),
    notice: noticeSchema,
    confidence: z.enum(['high', 'medium', 'low']),
    notes: z.array(text).default([]),
    sources,
    last_reviewed: isoDate,
  })
  .strict();

export type JurisdictionRules = z.output<typeof rulesSchema>;
export type Regime = JurisdictionRules['regime'];

/**
 * A sector regime: a regulator or sector law whose covered entities owe duties of their own (DFS under
 * 23 NYCRR 500, HIPAA, NIS2). The id is the file name. Its duties bind the controller wherever the
 * affected people live, so they are judged on everyone affected, with a trigger of their own.
 */
export const regulatorSchema = z
  .object({
    name: text,
    /** Who it covers, so a user can tell whether the controller is one. */
    covers: text,
    law: text,
    /** IANA zone its days turn in; business days also skip the public holidays of the id's country. */
    time_zone: z.string().default('UTC'),
    duties: z
      .array(z.object({ ...dutyShape, when: triggerSchema, who: text, filing: text.optional(), url: z.url().optional() }).strict())
      .min(1),
    confidence: z.enum(['high', 'medium', 'low']),
    notes: z.array(text).default([]),
    sources,
    last_reviewed: isoDate,
  })
  .strict();

export type Regulator = z.output<typeof regulatorSchema>;
export type SectorDutyRules = Regulator['duties'][number];
