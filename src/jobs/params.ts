import { z } from 'zod';
import type { JobKind } from '../db/schema.ts';
import { parseTransport } from '../delivery/transport-url.ts';
import { LOG_FORMATS } from '../evidence/log-format.ts';
import { parseLogFields } from '../evidence/json-log.ts';
import { usageError } from '../lib/errors.ts';
import { CATEGORIES } from '../records/categories.ts';
import { presetNames } from '../records/presets.ts';
import { parseEncoding } from '../records/text-encoding.ts';
import { CLIENT_ADDRESS_SOURCES, clientAddressRule } from '../scoping/client-address.ts';
import { parseScopeFile } from '../scoping/scope-file.ts';

export const JOB_KINDS = ['import', 'scope', 'detect', 'notices_build', 'campaign'] as const satisfies readonly JobKind[];

/** Text that reaches messages, audit entries and file names as a label: one line, no control characters. */
const label = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .regex(/^[^\p{Cc}]*$/u, { message: 'must be one line without control characters' });

/** A file on the worker's machine (shared storage when workers run elsewhere); standard input is no file a job can read. */
const path = label.refine((value) => value !== '-', { message: "standard input ('-') is not readable by a job; give a file" });

const column = label.max(200);

const importParams = z.strictObject({
  /** The export, as the worker reads it. */
  file: path,
  format: z.enum(['csv', 'ndjson']).optional(),
  encoding: label.max(40).optional(),
  delimiter: z.string().min(1).max(3).optional(),
  preset: z.enum(presetNames() as [string, ...string[]]).optional(),
  key: column.optional(),
  subject: column.optional(),
  locale: column.optional(),
  country: column.optional(),
  region: column.optional(),
  /** Column → data category. */
  map: z.record(column, z.enum(CATEGORIES)).optional(),
  /** Unmapped columns kept for rules to bind. */
  keep: z.array(column).max(1000).optional(),
  /** A scope file's text: the columns its rules bind are kept too. */
  rules: z.string().min(1).max(1_000_000).optional(),
});

const logParams = {
  /** The scope file's text. */
  rules: z.string().min(1).max(1_000_000),
  /** What the run's evidence calls the scope file. */
  rules_name: label.optional(),
  logs: z.array(path).min(1).max(10_000),
  log_format: z.enum(LOG_FORMATS).optional(),
  /** JSON field names, as `--log-fields` takes them: `time=ts,ip=request.remote_ip,…`; implies log_format json. */
  log_fields: label.max(2000).optional(),
  client_ip_from: z.enum(CLIENT_ADDRESS_SOURCES).optional(),
  trusted_proxies: z.array(label).max(1000).optional(),
  allow_unparsed: z.boolean().optional(),
};

const scopeParams = z.strictObject(logParams);

const detectParams = z.strictObject({ ...logParams, top: z.int().min(1).max(10_000).optional() });

const noticesBuildParams = z.strictObject({
  shop_address: label,
  verify_address: label.optional(),
});

const campaignParams = z.strictObject({
  from: label,
  /** Without a password: the workers hold it (TOCSIN_SMTP_PASSWORD), the jobs table never does. */
  transport: label.optional(),
  rate: z.number().min(0).optional(),
  per_domain: z.number().min(0).optional(),
  workers: z.int().min(1).max(64).optional(),
  dkim: z.strictObject({ domain: label, selector: label, key_file: path }).optional(),
});

const SCHEMAS = {
  import: importParams,
  scope: scopeParams,
  detect: detectParams,
  notices_build: noticesBuildParams,
  campaign: campaignParams,
} satisfies Record<JobKind, z.ZodType>;

export type JobParams = { [K in JobKind]: z.output<(typeof SCHEMAS)[K]> };
export type ImportParams = JobParams['import'];
export type ScopeParams = JobParams['scope'];
export type DetectParams = JobParams['detect'];
export type NoticesBuildParams = JobParams['notices_build'];
export type CampaignParams = JobParams['campaign'];

/** A job kind from outside (an API body, a command line), or a usage error listing the kinds. */
export function checkKind(kind: unknown): JobKind {
  const parsed = z.enum(JOB_KINDS).safeParse(kind);
  if (!parsed.success) throw usageError('JOB_KIND_INVALID', `'${String(kind)}' is no kind of job; the kinds are ${JOB_KINDS.join(', ')}`);
  return parsed.data;
}

/**
 * A job's parameters checked before it is queued, so that a mistake is told to whoever
 * started it rather than failing the job later: their shape, and what can be checked without
 * the worker's files (the scope file's text, the log fields, the proxies, the transport).
 */
export function checkParams<K extends JobKind>(kind: K, params: unknown, dataDir: string): JobParams[K] {
  const parsed = SCHEMAS[kind].safeParse(params ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${['params', ...issue.path].join('.')}: ${issue.message}`);
    throw usageError('JOB_PARAMS_INVALID', `the ${kind} job's parameters are not right: ${problems.join('; ')}`);
  }
  const checked = parsed.data as JobParams[K];
  if ('logs' in checked) checkLogParams(checked);
  if (kind === 'import') checkImportParams(checked as ImportParams);
  if (kind === 'campaign') checkCampaignParams(checked as CampaignParams, dataDir);
  return checked;
}

function checkImportParams(params: ImportParams): void {
  if (params.encoding !== undefined) parseEncoding(params.encoding);
  if (params.rules !== undefined) parseScopeFile(params.rules, 'params.rules');
}

function checkLogParams(params: ScopeParams | DetectParams): void {
  parseScopeFile(params.rules, params.rules_name ?? 'params.rules');
  if (params.log_fields !== undefined) {
    if ((params.log_format ?? 'json') !== 'json') throw usageError('LOG_FIELDS_UNUSED', `params.log_fields is for log_format json; ${params.log_format} has its own fields`);
    parseLogFields(params.log_fields);
  }
  clientAddressRule(params.client_ip_from ?? 'peer', params.trusted_proxies ?? []);
}

function checkCampaignParams(params: CampaignParams, dataDir: string): void {
  const transport = parseTransport(params.transport, dataDir);
  if (transport.kind === 'smtp' && transport.password !== undefined) {
    throw usageError('JOB_TRANSPORT_PASSWORD', 'params.transport carries the SMTP password, which a job would keep in the database; give the URL without it and the password to the workers in TOCSIN_SMTP_PASSWORD');
  }
}
