import { campaignProgress, jobParamsSchema, pauseCampaign, resumeCampaign, startCampaign } from '../../jobs/index.ts';
import { endpoint, optionalBody } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const start = endpoint({
  summary: "Start sending the notices as a campaign job; 409 while one is queued or running (tocsin send). The sender's DKIM key and SMTP password are the workers' configuration",
  params: incidentParams,
  body: optionalBody(jobParamsSchema('campaign')),
  status: 202,
  handle: async ({ ctx, params, body }) => startCampaign(ctx, params.id, body),
});

export const pause = endpoint({
  summary: 'Pause the campaign: its job is cancelled and stops at its next step, what it sent kept; 409 when none is queued or running (Ctrl-C on tocsin send)',
  params: incidentParams,
  handle: async ({ ctx, params }) => pauseCampaign(ctx, params.id),
});

export const resume = endpoint({
  summary: 'Resume the campaign: a new job with the last one\'s parameters goes on where it stopped (tocsin send again)',
  params: incidentParams,
  status: 202,
  handle: async ({ ctx, params }) => resumeCampaign(ctx, params.id),
});

export const progress = endpoint({
  summary: 'How far the campaign is: the delivery progress (notices by state, senders at work, the per-domain throttles each wrote at its last heartbeat, and their sum) and its current or last job',
  params: incidentParams,
  handle: async ({ ctx, params }) => campaignProgress(ctx, params.id),
});
