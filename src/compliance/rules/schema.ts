import { z } from 'zod';
import { CATEGORIES } from '../../records/categories.ts';
import { FORBIDDABLE } from '../notice-forbidden.ts';

const isoDate = z.iso.date();
const text = z.string().trim().min(1);
const category = z.enum(CATEGORIES);
const sources = z.array(z.object({ title: text, url: z.url() }).strict()).min(1);

/** A regulator's id, as incidents name it (`--regulated-by us-nydfs`): the country, then the regulator. */
export const REGULATOR_ID = /^[a-z]{2}-[a-z0-9]+$/;

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

/** A clock. Counted from awareness unless `from` names a later event Tocsin cannot date. */
const deadlineSchema = z
  .object({
    label: text,
    hours: z.number().int().positive().optional(),
    days: z.number().int().positive().optional(),
    business_days: z.number().int().positive().optional(),
    from: z.enum(['awareness', 'assessment', 'notice', 'report']).default('awareness'),
    text,
  })
  .strict()
  .refine((d) => [d.hours, d.days, d.business_days].filter((n) => n !== undefined).length <= 1, {
    message: 'give at most one of hours, days, business_days',
  });
export type Deadline = z.output<typeof deadlineSchema>;

/** Shared by the authority, the individuals and every other recipient: when it applies and by when. */
const dutyShape = {
  /** Overrides keys of the jurisdiction's trigger for this duty only. */
  when: z.object(triggerShape).partial().strict().optional(),
  in_force_from: isoDate.optional(),
  /** The duty falls only on controllers this regulator licenses (a file in `regulators/`), as the incident says. */
  regulated_by: z.string().regex(REGULATOR_ID).optional(),
  deadlines: z.array(deadlineSchema).default([]),
};

const authoritySchema = z.object({ ...dutyShape, name: text, filing: text, url: z.url().optional() }).strict();
const recipientSchema = z.object({ ...dutyShape, who: text, filing: text.optional(), url: z.url().optional() }).strict();
const individualsSchema = z.object(dutyShape).strict();
export type DutyRules = z.output<typeof individualsSchema>;

const noticeSchema = z
  .object({
    variant: z.enum(['gdpr', 'us-ca', 'us-ma', 'default']),
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

/** A regulator whose licensees owe duties others do not (DFS under 23 NYCRR 500); the id is the file name. */
export const regulatorSchema = z
  .object({
    name: text,
    /** Who it regulates, so a user can tell whether the controller is one. */
    covers: text,
    sources,
  })
  .strict();

export type Regulator = z.output<typeof regulatorSchema>;
