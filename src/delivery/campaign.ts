import { availableParallelism } from 'node:os';
import type { Context } from '../context.ts';
import { NOTICE_STATES, type NoticeState } from '../domain/index.ts';
import { getIncident, recordRun } from '../incidents/index.ts';
import { TocsinError, reasonOf } from '../lib/errors.ts';
import { incidentTemplates, noNoticesYet, noticesBuiltFromOtherTemplates, requireApproval } from '../notices/index.ts';
import { CampaignRun, type RunCounts, type SendProgress } from './campaign-run.ts';
import { dkimDnsRecord, openTransport } from '../mail/index.ts';
import { RenderPool } from './render-pool.ts';
import { resolveSendSettings, type SendOptions } from './send-settings.ts';
import { reapDeadSenders, registerSender, unregisterSender } from './senders.ts';
import { templatesChanged } from './templates-changed.ts';
import { loadSecret } from '../lib/secret.ts';

export type { SendOptions } from './send-settings.ts';
export type { SendProgress } from './campaign-run.ts';

export interface CampaignOptions extends SendOptions {
  /** Aborting it stops the run cleanly: no new notices, those in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Called as replies are recorded. */
  onProgress?: (progress: SendProgress) => void;
}

export interface SendSummary {
  incidentId: string;
  sender: string;
  transport: string;
  from: string;
  /** With the DNS TXT record receivers check the signatures against. */
  dkim: { domain: string; selector: string; algorithm: string; dnsRecord: { name: string; value: string } } | null;
  /** Nothing is left to send or to retry; false when the run was stopped first. */
  completed: boolean;
  /** What this run did. */
  run: RunCounts & { taken_over: number };
  /** The whole campaign afterwards, by state. */
  states: Record<NoticeState, number>;
  total: number;
  seconds: number;
}

/**
 * Sends an incident's notices until each is sent, bounced or failed, and returns what the run
 * did. Run it again after a stop or a crash: it resumes, taking over the notices a dead
 * sender left in `sending` (sent again: at least once). Refuses a notice set not approved under
 * the four-eyes rule, unless the configuration waives it. The audit log records each run's
 * start (with who approved) and end, and each take-over.
 */
export async function sendCampaign(ctx: Context, incidentId: string, options: CampaignOptions): Promise<SendSummary> {
  const incident = await getIncident(ctx, incidentId);
  const settings = resolveSendSettings(ctx.config, incident, options);
  const templates = incidentTemplates(ctx.dataDir, incident.id);
  const before = await checkCampaign(ctx, incident.id, templates.sha256);
  const approval = await requireApproval(ctx, incident.id);
  const total = Object.values(before).reduce((sum, count) => sum + count, 0);
  const dkim = settings.dkim && { domain: settings.dkim.domain, selector: settings.dkim.selector, algorithm: settings.dkim.algorithm };
  const transport = openTransport(settings.transport, { connections: settings.workers });
  const started = performance.now();
  try {
    await transport.verify();
    const takenOver = await reapDeadSenders(ctx, incident.id);
    const senderId = await registerSender(ctx, incident.id);
    // Recorded first: a sender killed on the way leaves this, and the take-over that follows.
    await recordRun(ctx, incident.id, {
      action: 'delivery.started',
      details: { sender: senderId, ...approval, transport: transport.description, from: settings.from.address, dkim, rate: finite(settings.rate), per_domain: finite(settings.perDomain), workers: settings.workers },
    });
    let run: CampaignRun | null = null;
    let completed = false;
    let failure: unknown = null;
    try {
      const renderer = await RenderPool.start(
        { dataDir: ctx.dataDir, secret: loadSecret(ctx.dataDir, ctx.config), incidentId: incident.id, templatesSha256: templates.sha256, from: settings.from, fromDomain: settings.fromDomain, replyTo: settings.replyTo, dkim: settings.dkim },
        renderThreads(),
      );
      try {
        const progress: SendProgress = { total, sent: before.sent, bounced: before.bounced, failed: before.failed };
        run = new CampaignRun({ ctx, incidentId: incident.id, senderId, settings, templatesSha256: templates.sha256, transport, renderer, progress, signal: options.signal, onProgress: options.onProgress });
        completed = await run.run();
      } finally {
        await renderer.close();
      }
    } catch (error) {
      failure = error;
    } finally {
      await unregisterSender(ctx, incident.id, senderId);
    }
    const counts = { ...(run?.counts ?? { sent: 0, bounced: 0, failed: 0, deferred: 0 }), taken_over: takenOver };
    const seconds = (performance.now() - started) / 1000;
    const stoppedBy = failure ? (failure instanceof TocsinError ? failure.code : reasonOf(failure)) : completed ? null : 'signal';
    await recordRun(ctx, incident.id, { action: 'delivery.ended', details: { sender: senderId, ...counts, completed, stopped_by: stoppedBy, seconds: Math.round(seconds) } });
    ctx.logger.info({ incident: incident.id, sender: senderId, ...counts, completed }, 'send run ended');
    if (failure) throw failure;
    return {
      incidentId: incident.id,
      sender: senderId,
      transport: transport.description,
      from: settings.from.address,
      dkim: dkim && { ...dkim, dnsRecord: dkimDnsRecord(settings.dkim!) },
      completed,
      run: counts,
      states: await stateCounts(ctx, incident.id),
      total,
      seconds,
    };
  } finally {
    await transport.close();
  }
}

/** The campaign's counts by state, once it is clear there is something to send, built from the templates as they are. */
async function checkCampaign(ctx: Context, incidentId: string, templatesSha256: string): Promise<Record<NoticeState, number>> {
  const counts = await stateCounts(ctx, incidentId);
  if (Object.values(counts).every((count) => count === 0)) throw noNoticesYet(incidentId);
  if (await noticesBuiltFromOtherTemplates(ctx, incidentId, templatesSha256)) throw templatesChanged(incidentId);
  return counts;
}

/** Every state with its count, zeros included. */
export async function stateCounts(ctx: Pick<Context, 'db'>, incidentId: string): Promise<Record<NoticeState, number>> {
  const rows = await ctx.db.selectFrom('notices').select((eb) => ['state', eb.fn.countAll<number>().as('count')]).where('incident_id', '=', incidentId).groupBy('state').execute();
  const counts = Object.fromEntries(NOTICE_STATES.map((state) => [state, 0])) as Record<NoticeState, number>;
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}

/** Rendering and signing are most of the work: a thread per core; the main thread mostly waits on sockets and the database. */
function renderThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const finite = (rate: number) => (rate === Infinity ? null : rate);
