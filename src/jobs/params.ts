import { z } from 'zod';
import { CATEGORIES, JOB_KINDS, type JobKind } from '../domain/index.ts';
import { LOG_FORMATS, parseLogFields } from '../evidence/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import { parseTransport } from '../mail/index.ts';
import { parseEncoding, presetNames } from '../records/index.ts';
import { CLIENT_ADDRESS_SOURCES, clientAddressRule, parseScopeFile } from '../scoping/index.ts';

/** Text that reaches messages, audit entries and file names as a label: one line, no control characters. */
const label = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .regex(/^[^\p{Cc}]*$/u, { message: 'must be one line without control characters' });

/** A file on the worker's machine (shared storage when workers run elsewhere), inside the import directories (job-files.ts); standard input is no file a job can read. */
const path = label.max(4096).refine((value) => value !== '-', { message: "standard input ('-') is not readable by a job; give a file" });

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

/** The shop's address as customers type it: the configuration's first shop.domains entry when left out, as for the CLI. */
const noticesBuildParams = z.strictObject({
  shop_address: label.optional(),
  verify_address: label.optional(),
});

/**
 * What a campaign job may choose; the rest is the workers' configuration: the sender (sender.from
 * unless `from` is given), the DKIM key (sender.dkim) and the SMTP password, which no job names.
 */
const campaignParams = z.strictObject({
  from: label.optional().describe("the sender, as tocsin send --from takes it (default: the workers' sender.from)"),
  /** smtp:// or smtps:// without a password; the workers' smtp.url when left out. */
  transport: label.optional().describe("smtp:// or smtps:// without a password (default: the workers' smtp.url)"),
  rate: z.number().min(0).optional().describe('messages per second in all, 0 for no limit'),
  per_domain: z.number().min(0).optional().describe('messages per second to one recipient domain, 0 for no limit'),
  workers: z.int().min(1).max(64).optional().describe('SMTP connections'),
});

/** What the portal queues for "Was I affected?": the address, normalised, and the answer's language. Erased once answered. */
const portalAnswerParams = z.strictObject({ email: z.string().min(3).max(320), locale: z.string().min(2).max(35) });
/** A report (from the portal or a reporting mailbox) for the phishing desk to analyse, and to answer its reporter about. */
const phishingAnalysisParams = z.strictObject({
  reference: z.string().regex(/^R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'a report reference like R-7KQ2-MX9D-4HRT'),
});

const SCHEMAS = {
  import: importParams,
  scope: scopeParams,
  detect: detectParams,
  notices_build: noticesBuildParams,
  campaign: campaignParams,
  portal_answer: portalAnswerParams,
  phishing_analysis: phishingAnalysisParams,
} satisfies Record<JobKind, z.ZodType>;

export type JobParams = { [K in JobKind]: z.output<(typeof SCHEMAS)[K]> };
export type ImportParams = JobParams['import'];
export type ScopeParams = JobParams['scope'];
export type DetectParams = JobParams['detect'];
export type NoticesBuildParams = JobParams['notices_build'];
export type CampaignParams = JobParams['campaign'];
export type PortalAnswerParams = JobParams['portal_answer'];

/** The schema of a kind of job's parameters: a route that starts one documents its body with it. */
export function jobParamsSchema<K extends JobKind>(kind: K): (typeof SCHEMAS)[K] {
  return SCHEMAS[kind];
}

/** A job kind from outside (an API body, a command line), or a usage error listing the kinds. */
export function checkKind(kind: unknown): JobKind {
  const parsed = z.enum(JOB_KINDS).safeParse(kind);
  if (!parsed.success) throw invalidInput('JOB_KIND_INVALID', `'${String(kind)}' is no kind of job; the kinds are ${JOB_KINDS.join(', ')}`);
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
    throw invalidInput('JOB_PARAMS_INVALID', `the ${kind} job's parameters are not right: ${problems.join('; ')}`);
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
    if ((params.log_format ?? 'json') !== 'json') throw invalidInput('LOG_FIELDS_UNUSED', `params.log_fields is for log_format json; ${params.log_format} has its own fields`);
    parseLogFields(params.log_fields);
  }
  clientAddressRule(params.client_ip_from ?? 'peer', params.trusted_proxies ?? []);
}

function checkCampaignParams(params: CampaignParams, dataDir: string): void {
  if (params.transport === undefined) return;
  const transport = parseTransport(params.transport, dataDir);
  if (transport.kind === 'file') {
    // A directory of the caller's choosing would get a file per notice, names and addresses in it.
    throw new TocsinError('JOB_TRANSPORT_FILE', 'params.transport: a job sends over smtp:// or smtps://; leave it out for the workers\' smtp.url, which may be a file: directory', { kind: 'forbidden' });
  }
  if (transport.password !== undefined) {
    throw invalidInput('JOB_TRANSPORT_PASSWORD', 'params.transport carries the SMTP password, which a job would keep in the database; give the URL without it and the password to the workers (smtp.password_file or TOCSIN_SMTP_PASSWORD)');
  }
}
