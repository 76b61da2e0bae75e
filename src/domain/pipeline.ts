/**
 * The stages an incident's response goes through, in order, as the console draws them. `approved`
 * is the four-eyes rule: another account with the privacy role approved the notice set as built.
 */
export const PIPELINE_STAGES = ['imported', 'scoped', 'notices_built', 'approved', 'sent', 'reported'] as const;

export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** Done; the first one not done (what to do next); or later than that. */
export type StageState = 'done' | 'next' | 'todo';

/** What the database says about an incident's progress, counted. */
export interface PipelineFacts {
  imports: number;
  scope_runs: number;
  notices: number;
  /** The notice set as built is approved under the four-eyes rule. */
  notices_approved: boolean;
  /** Sending waits for that approval (`notices.require_approval`). */
  approval_required: boolean;
  /** Notices not yet in a final state (queued, sending, deferred). */
  unsent_notices: number;
  /** Jurisdictions whose authority must be told, per the latest assessment. */
  reports_required: number;
  /** Of those, the ones with no report recorded as submitted. */
  reports_missing: number;
}

function isDone(stage: PipelineStage, facts: PipelineFacts): boolean {
  switch (stage) {
    case 'imported':
      return facts.imports > 0;
    case 'scoped':
      return facts.scope_runs > 0;
    case 'notices_built':
      return facts.notices > 0;
    case 'approved':
      return facts.notices > 0 && (facts.notices_approved || !facts.approval_required);
    case 'sent':
      return facts.notices > 0 && facts.unsent_notices === 0;
    case 'reported':
      // Nothing to report is done only once scoping has said who lives where.
      return facts.scope_runs > 0 && facts.reports_missing === 0;
  }
}

/** Each stage with its state: every stage up to the first undone one may be done out of order, so each is judged on its own. */
export function pipelineSteps(facts: PipelineFacts): { stage: PipelineStage; state: StageState }[] {
  let nextGiven = false;
  return PIPELINE_STAGES.map((stage) => {
    if (isDone(stage, facts)) return { stage, state: 'done' };
    const state = nextGiven ? 'todo' : 'next';
    nextGiven = true;
    return { stage, state };
  });
}
