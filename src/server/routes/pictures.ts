import { deliveryOverTime } from '../../delivery/index.ts';
import { affectedBreakdown, requestsOverTime } from '../../scoping/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

// What the console's charts of an incident are drawn from: counts per bucket, never the rows behind them.

export const requests = endpoint({
  summary: "The latest scope run's attacker requests per minute, hour, day or month, with the indicators' from…until window",
  params: incidentParams,
  handle: async ({ ctx, params }) => requestsOverTime(ctx, params.id),
});

export const affected = endpoint({
  summary: "The latest scope run's affected people counted by country and by exposed category",
  params: incidentParams,
  handle: async ({ ctx, params }) => affectedBreakdown(ctx, params.id),
});

export const delivery = endpoint({
  summary: 'Notices sent, deferred, bounced and failed per minute, hour, day or month, each counted when it reached its state',
  params: incidentParams,
  handle: async ({ ctx, params }) => deliveryOverTime(ctx, params.id),
});
