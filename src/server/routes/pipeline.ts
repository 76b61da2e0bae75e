import { assessIncident, reportedJurisdictions } from '../../compliance/index.ts';
import { deliveryProgress } from '../../delivery/index.ts';
import { FINAL_NOTICE_STATES, NOTICE_STATES, type PipelineFacts, pipelineSteps } from '../../domain/index.ts';
import { getIncident } from '../../incidents/index.ts';
import { TocsinError } from '../../lib/errors.ts';
import { noticeApproval } from '../../notices/index.ts';
import { importCount } from '../../records/index.ts';
import { listScopeRuns } from '../../scoping/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

/** What a service says of an incident's notices, null before they are built. */
async function unlessNoNotices<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof TocsinError && error.code === 'NO_NOTICES') return null;
    throw error;
  }
}

export const pipeline = endpoint({
  summary: "Where the incident's response stands: each stage (imported → scoped → notices built → approved → sent → reported) done or next, the affected count, the authorities already told and the nearest legal deadline not yet met",
  params: incidentParams,
  handle: async ({ ctx, params }) => {
    const incident = await getIncident(ctx, params.id);
    const [imports, runs, progress, approval] = await Promise.all([
      importCount(ctx, incident.id),
      listScopeRuns(ctx, incident.id),
      unlessNoNotices(deliveryProgress(ctx, incident.id)),
      unlessNoNotices(noticeApproval(ctx, incident.id)),
    ]);
    const states = progress?.states;
    const notices = states ? NOTICE_STATES.reduce((sum, state) => sum + states[state], 0) : 0;
    const unsent = states ? NOTICE_STATES.filter((state) => !FINAL_NOTICE_STATES.includes(state)).reduce((sum, state) => sum + states[state], 0) : 0;
    // Whom to tell, and by when, is known once a scope run says where the affected people live.
    const assessment = runs.length > 0 ? await assessIncident(ctx, incident.id) : null;
    const reported = await reportedJurisdictions(ctx, incident.id);
    const required = assessment?.lines.filter((line) => line.authority.duty === 'required') ?? [];
    const facts: PipelineFacts = {
      imports,
      scope_runs: runs.length,
      notices,
      notices_approved: approval?.approved_by != null,
      approval_required: ctx.config.notices.require_approval,
      unsent_notices: unsent,
      reports_required: required.length,
      reports_missing: required.filter((line) => !reported.has(line.jurisdiction)).length,
    };
    // The deadlines still running: of duties that are or may be owed, reports not made, and notices to people while some are unsent.
    const owed = (duty: { duty: string }) => duty.duty !== 'not-required';
    const open = (assessment?.lines ?? []).flatMap((line) => [
      ...(reported.has(line.jurisdiction) || !owed(line.authority) ? [] : line.authority.clocks.map((clock) => ({ jurisdiction: line.jurisdiction, to: 'authority' as const, clock }))),
      ...((notices > 0 && unsent === 0) || !owed(line.individuals) ? [] : line.individuals.clocks.map((clock) => ({ jurisdiction: line.jurisdiction, to: 'individuals' as const, clock }))),
    ]);
    const nearest = open.filter(({ clock }) => clock.due_at !== null).sort((a, b) => a.clock.due_at!.localeCompare(b.clock.due_at!))[0];
    return {
      stages: pipelineSteps(facts),
      facts,
      affected: runs[0]?.affected ?? null,
      reported: [...reported].sort(),
      next_deadline: nearest ? { jurisdiction: nearest.jurisdiction, to: nearest.to, label: nearest.clock.label, due_at: nearest.clock.due_at!, overdue: nearest.clock.overdue } : null,
    };
  },
});
