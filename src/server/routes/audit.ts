import { z } from 'zod';
import { auditCheckpoint, auditCheckpointView, auditTrail, auditTrailView, verifyAudit } from '../../incidents/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const trail = endpoint({
  summary: "The incident's audit trail, oldest first (tocsin audit)",
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: auditTrailView(await auditTrail(ctx, params.id)) }),
});

export const verify = endpoint({
  summary: 'Check the keyed chain and its head, and against checkpoints kept elsewhere when given (tocsin audit --verify [--against])',
  params: incidentParams,
  querystring: z.strictObject({ against: z.string().max(100_000).optional().describe('text holding saved checkpoint lines: a checkpoint, a report, an email') }),
  handle: async ({ ctx, params, query }) => verifyAudit(ctx, params.id, query.against === undefined ? undefined : { text: query.against, source: 'the against parameter' }),
});

export const checkpoint = endpoint({
  summary: 'A MACed head of the trail to keep outside the database (tocsin audit --checkpoint)',
  params: incidentParams,
  handle: async ({ ctx, params }) => auditCheckpointView(await auditCheckpoint(ctx, params.id)),
});
