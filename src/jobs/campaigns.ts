import type { Kysely, Selectable } from 'kysely';
import type { Context } from '../context.ts';
import type { JobsTable, Tables } from '../db/index.ts';
import { deliveryProgress, deliveryProgressView } from '../delivery/index.ts';
import { getIncident } from '../incidents/index.ts';
import { requireApproval } from '../notices/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { cancelJob, enqueueJob } from './queue.ts';
import { jobView, type JobView } from './view.ts';

/**
 * An incident's campaign as the API runs it: one `campaign` job at a time, which sends until
 * every notice is sent, bounced or failed. Pausing cancels that job, which stops at its next step
 * with what it sent kept; resuming queues a new one with the same parameters, which goes on where
 * the last stopped (as `tocsin send` run again does).
 */

/** The incident's newest campaign job, or only one still queued or running. */
function newestCampaignJob(db: Kysely<Tables>, incidentId: string, activeOnly: boolean): Promise<Selectable<JobsTable> | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'campaign')
    .$if(activeOnly, (query) => query.where('state', 'in', ['queued', 'running']))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One campaign job at a time: another one queued or running refuses a new one (409). */
async function noOtherCampaign(trx: Kysely<Tables>, incidentId: string): Promise<void> {
  const active = await newestCampaignJob(trx, incidentId, true);
  if (active) {
    throw new TocsinError('CAMPAIGN_ACTIVE', `a campaign of incident ${incidentId} is ${active.state} already (job ${active.id}); follow it, or pause it first`, { kind: 'conflict', next: { action: 'list_jobs' } });
  }
}

/**
 * Queues a campaign job with these parameters (a campaign job's: from, transport, rate, per_domain,
 * workers), unless one is queued or running or the notice set awaits its approval (the job checks again).
 */
export async function startCampaign(ctx: Context, incidentId: string, params: unknown): Promise<JobView> {
  await requireApproval(ctx, incidentId);
  return enqueueJob(ctx, { kind: 'campaign', incident_id: incidentId, params }, noOtherCampaign);
}

/** Cancels the queued or running campaign job: a running one stops at its next step, its sent notices kept. */
export async function pauseCampaign(ctx: Context, incidentId: string): Promise<JobView> {
  const incident = await getIncident(ctx, incidentId);
  const active = await newestCampaignJob(ctx.db, incident.id, true);
  if (!active) throw new TocsinError('NO_CAMPAIGN_RUNNING', `no campaign of incident ${incident.id} is queued or running; there is nothing to pause`, { kind: 'conflict', next: { action: 'list_jobs' } });
  return cancelJob(ctx, active.id);
}

/** Queues a new campaign job with the parameters of the last one, which goes on where that one stopped. */
export async function resumeCampaign(ctx: Context, incidentId: string): Promise<JobView> {
  const incident = await getIncident(ctx, incidentId);
  const last = await newestCampaignJob(ctx.db, incident.id, false);
  if (!last) throw new TocsinError('NO_CAMPAIGN', `incident ${incident.id} has no campaign to resume; start one`, { kind: 'conflict', next: { action: 'send_notices', incident_id: incident.id } });
  await requireApproval(ctx, incident.id);
  return enqueueJob(ctx, { kind: 'campaign', incident_id: incident.id, params: JSON.parse(last.params) }, noOtherCampaign);
}

/** How far the incident's sending is (its notices by state, senders at work and their per-domain throttles) and its current or last campaign job. */
export async function campaignProgress(ctx: Context, incidentId: string) {
  const delivery = deliveryProgressView(await deliveryProgress(ctx, incidentId));
  const last = await newestCampaignJob(ctx.db, delivery.incident_id, false);
  return { delivery, job: last ? jobView(last) : null };
}
