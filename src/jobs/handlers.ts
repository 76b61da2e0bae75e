import type { Context } from '../context.ts';
import type { DeskJobKind, JobKind } from '../domain/index.ts';
import type { LogOptions, RulesSource } from '../scoping/index.ts';
import { checkJobFiles } from './job-files.ts';
import { forgetOldAnswerJobs } from './queue.ts';
import type { DetectParams, JobParams, ScopeParams } from './params.ts';
import type { JobProgress } from './view.ts';

export interface JobRun<K extends JobKind> {
  id: string;
  /** The incident worked on; none for the desk's kinds. */
  incidentId: K extends DeskJobKind ? null : string;
  params: JobParams[K];
  /** Acting, and audited, as whoever queued the job. */
  ctx: Context;
  /** Aborted when the job is cancelled, its worker stops, or its lease was lost: the handler stops at its next step. */
  signal: AbortSignal;
  progress(progress: JobProgress): void;
}

type Handler<K extends JobKind> = (run: JobRun<K>) => Promise<unknown>;

/** Jobs of a kind run in batches: each the same kind, queued by the same actor. */
export interface BatchRun<K extends JobKind> {
  jobs: { id: string; params: JobParams[K] }[];
  /** Acting, and audited, as whoever queued the jobs. */
  ctx: Context;
  /** Aborted when one of the jobs is cancelled or lost, or their worker stops: the handler stops at its next step. */
  signal: AbortSignal;
}

/** The work the jobs share, then each job's own result or error as it comes, in the jobs' order. */
type BatchHandler<K extends JobKind> = (run: BatchRun<K>) => Promise<Promise<unknown>[]>;

/** The kinds whose jobs a runner runs together, as many as it claimed at once (BATCH_HANDLERS). */
export type BatchedJobKind = 'portal_answer';
export const isBatched = (kind: JobKind): kind is BatchedJobKind => Object.hasOwn(BATCH_HANDLERS, kind);

/**
 * Each kind of job calls the service its CLI command calls, with the files it names checked
 * again against this worker's import directories; the job's result is what that command prints
 * with `--json` (the module's view of what the service returned), and never more. A job stopped
 * halfway keeps what the service commits as it goes (a campaign's sent notices) and nothing of a
 * service that commits once at the end (an import, a scope run). Each loads its service when it
 * first runs: a runner thread of one kind (the portal's answers) holds that service's code alone,
 * and an idle server none of them.
 */
export const HANDLERS: { [K in Exclude<JobKind, BatchedJobKind>]: Handler<K> } = {
  import: async ({ ctx, incidentId, params, signal, progress }) => {
    const { importRecords, importView } = await import('../records/index.ts');
    const { parseScopeFile, ruleColumns } = await import('../scoping/index.ts');
    const keep = [...(params.keep ?? []), ...(params.rules === undefined ? [] : ruleColumns(parseScopeFile(params.rules, 'params.rules')))];
    const file = checkJobFiles('import', params, ctx, incidentId).file;
    const summary = await importRecords(ctx, incidentId, file, {
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
    return importView(summary);
  },
  scope: async ({ id, ctx, incidentId, params, signal, progress }) => {
    const { runScope, scopeRunView } = await import('../scoping/index.ts');
    return scopeRunView(await runScope(ctx, incidentId, { ...(await logOptions(ctx, id, incidentId, params, signal)), onProgress: (bytes, total) => progress({ done: bytes, total, stage: 'scanning' }) }));
  },
  detect: async ({ id, ctx, incidentId, params, signal, progress }) => {
    const { detectionView, detectSuspects } = await import('../scoping/index.ts');
    const options = await logOptions(ctx, id, incidentId, params, signal);
    return detectionView(await detectSuspects(ctx, incidentId, { ...options, top: params.top, onProgress: (bytes, total) => progress({ done: bytes, total, stage: 'scanning' }) }));
  },
  notices_build: async ({ ctx, incidentId, params, signal, progress }) => {
    signal.throwIfAborted();
    progress({ done: 0, total: null, stage: 'building' });
    const { buildNotices } = await import('../notices/index.ts');
    // `tocsin notices build --json` prints the summary as it is: counts, all one-word keys.
    return buildNotices(ctx, incidentId, { shopAddress: params.shop_address, verifyAddress: params.verify_address });
  },
  campaign: async ({ ctx, incidentId, params, signal, progress }) => {
    const { sendCampaign, sendSummaryView } = await import('../delivery/index.ts');
    // The sender, the DKIM key and the SMTP password are this worker's configuration's (ctx.config) unless the job gives them.
    const summary = await sendCampaign(ctx, incidentId, {
      from: params.from,
      transport: params.transport,
      rate: params.rate,
      perDomain: params.per_domain,
      workers: params.workers,
      signal,
      onProgress: (sent) => progress({ done: sent.sent + sent.bounced + sent.failed, total: sent.total, stage: 'sending' }),
    });
    // Stopped before the end: only a stop asked for through the signal does that.
    if (!summary.completed) signal.throwIfAborted();
    return sendSummaryView(summary);
  },
  phishing_analysis: async ({ ctx, params, signal, progress }) => {
    signal.throwIfAborted();
    progress({ done: 0, total: 1, stage: 'analysing' });
    const { analyzeReport, replyToReporter } = await import('../phishing/index.ts');
    const analysis = await analyzeReport(ctx, params.reference);
    const { replied } = await replyToReporter(ctx, params.reference, analysis, signal);
    // The verdict and its score only: the analysis itself is the report's, behind personal_data:read.
    return { reference: params.reference, verdict: analysis.verdict, score: analysis.score, replied };
  },
};

/**
 * A rush of short jobs, each a few statements, runs in batches: a statement for the batch where
 * each job would make its own (the portal's answers: a claim of the addresses, a read of their
 * notices, a record of the codes sent, the jobs' end).
 */
export const BATCH_HANDLERS: { [K in BatchedJobKind]: BatchHandler<K> } = {
  portal_answer: async ({ ctx, jobs, signal }) => {
    const { answerLookups } = await import('../portal/index.ts');
    await forgetOldAnswerJobs(ctx, ctx.now());
    // Their addresses are erased as they end (finishJobs); those stopped on the signal go back to the queue with theirs.
    return answerLookups(ctx, jobs.map((job) => ({ jobId: job.id, request: job.params })), signal);
  },
};

/** The logs and scope file of a scope or detect job, as the services take them. */
async function logOptions(ctx: Context, jobId: string, incidentId: string, params: ScopeParams | DetectParams, signal: AbortSignal): Promise<LogOptions & RulesSource> {
  const { parseLogFields } = await import('../evidence/index.ts');
  const { clientAddressRule } = await import('../scoping/index.ts');
  return {
    logs: checkJobFiles('scope', params, ctx, incidentId).logs,
    reading: params.log_fields === undefined ? { format: params.log_format ?? 'combined' } : { format: 'json', fields: parseLogFields(params.log_fields) },
    clientAddress: clientAddressRule(params.client_ip_from ?? 'peer', params.trusted_proxies ?? []),
    allowUnparsed: params.allow_unparsed ?? false,
    rulesPath: `${params.rules_name ?? 'scope.yml'} (job ${jobId})`,
    rulesText: params.rules,
    signal,
  };
}
