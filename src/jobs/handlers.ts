import type { Context } from '../context.ts';
import type { JobKind } from '../db/schema.ts';
import { sendCampaign } from '../delivery/campaign.ts';
import type { SmtpPassword } from '../delivery/transport-url.ts';
import { parseLogFields } from '../evidence/json-log.ts';
import { buildNotices } from '../notices/build.ts';
import { importRecords } from '../records/import.ts';
import { clientAddressRule } from '../scoping/client-address.ts';
import { detectSuspects } from '../scoping/detect-run.ts';
import { parseScopeFile, ruleColumns } from '../scoping/scope-file.ts';
import { runScope, type LogOptions, type RulesSource } from '../scoping/scope-run.ts';
import type { DetectParams, JobParams, ScopeParams } from './params.ts';
import type { JobProgress } from './view.ts';

/** What the worker holds that a job must not: secrets, given to `tocsin worker` by its environment. */
export interface JobEnvironment {
  smtpPassword?: SmtpPassword;
}

export interface JobRun<K extends JobKind> {
  id: string;
  incidentId: string;
  params: JobParams[K];
  /** Acting, and audited, as whoever queued the job. */
  ctx: Context;
  /** Aborted when the job is cancelled, its worker stops, or its lease was lost: the handler stops at its next step. */
  signal: AbortSignal;
  progress(progress: JobProgress): void;
  environment: JobEnvironment;
}

type Handler<K extends JobKind> = (run: JobRun<K>) => Promise<unknown>;

/**
 * Each kind of job calls the service its CLI command calls; what the service returns is the
 * job's result. A job stopped halfway keeps what the service commits as it goes (a campaign's
 * sent notices) and nothing of a service that commits once at the end (an import, a scope run).
 */
export const HANDLERS: { [K in JobKind]: Handler<K> } = {
  import: async ({ ctx, incidentId, params, signal, progress }) => {
    const keep = [...(params.keep ?? []), ...(params.rules === undefined ? [] : ruleColumns(parseScopeFile(params.rules, 'params.rules')))];
    return importRecords(ctx, incidentId, params.file, {
      format: params.format,
      encoding: params.encoding,
      delimiter: params.delimiter,
      preset: params.preset,
      key: params.key,
      subject: params.subject,
      locale: params.locale,
      country: params.country,
      region: params.region,
      map: params.map,
      ruleColumns: keep,
      signal,
      onProgress: (bytes, total) => progress({ done: bytes, total, stage: 'reading' }),
    });
  },
  scope: async ({ id, ctx, incidentId, params, signal, progress }) =>
    runScope(ctx, incidentId, { ...logOptions(id, params, signal), onProgress: (bytes, total) => progress({ done: bytes, total, stage: 'scanning' }) }),
  detect: async ({ id, ctx, incidentId, params, signal, progress }) =>
    detectSuspects(ctx, incidentId, { ...logOptions(id, params, signal), top: params.top, onProgress: (bytes, total) => progress({ done: bytes, total, stage: 'scanning' }) }),
  notices_build: async ({ ctx, incidentId, params, signal, progress }) => {
    signal.throwIfAborted();
    progress({ done: 0, total: null, stage: 'building' });
    return buildNotices(ctx, incidentId, { shopAddress: params.shop_address, verifyAddress: params.verify_address });
  },
  campaign: async ({ ctx, incidentId, params, signal, progress, environment }) => {
    const summary = await sendCampaign(ctx, incidentId, {
      from: params.from,
      transport: params.transport,
      smtpPassword: environment.smtpPassword,
      rate: params.rate,
      perDomain: params.per_domain,
      workers: params.workers,
      dkim: params.dkim && { domain: params.dkim.domain, selector: params.dkim.selector, keyFile: params.dkim.key_file },
      signal,
      onProgress: (sent) => progress({ done: sent.sent + sent.bounced + sent.failed, total: sent.total, stage: 'sending' }),
    });
    // Stopped before the end: only a stop asked for through the signal does that.
    if (!summary.completed) signal.throwIfAborted();
    return summary;
  },
};

/** The logs and scope file of a scope or detect job, as the services take them. */
function logOptions(jobId: string, params: ScopeParams | DetectParams, signal: AbortSignal): LogOptions & RulesSource {
  return {
    logs: params.logs,
    reading: params.log_fields === undefined ? { format: params.log_format ?? 'combined' } : { format: 'json', fields: parseLogFields(params.log_fields) },
    clientAddress: clientAddressRule(params.client_ip_from ?? 'peer', params.trusted_proxies ?? []),
    allowUnparsed: params.allow_unparsed ?? false,
    rulesPath: `${params.rules_name ?? 'scope.yml'} (job ${jobId})`,
    rulesText: params.rules,
    signal,
  };
}
