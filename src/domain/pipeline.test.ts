import { describe, expect, it } from 'vitest';
import { type PipelineFacts, pipelineSteps } from './pipeline.ts';

const none: PipelineFacts = { imports: 0, scope_runs: 0, notices: 0, notices_approved: false, approval_required: true, unsent_notices: 0, reports_required: 0, reports_missing: 0 };
const states = (facts: PipelineFacts) => pipelineSteps(facts).map(({ state }) => state);

describe('pipelineSteps', () => {
  it('starts with the import next and everything after it to do', () => {
    expect(pipelineSteps(none)).toEqual([
      { stage: 'imported', state: 'next' },
      { stage: 'scoped', state: 'todo' },
      { stage: 'notices_built', state: 'todo' },
      { stage: 'approved', state: 'todo' },
      { stage: 'sent', state: 'todo' },
      { stage: 'reported', state: 'todo' },
    ]);
  });

  it('waits for the approval of the notices built (the four-eyes rule), unless the configuration waives it', () => {
    const built = { ...none, imports: 1, scope_runs: 1, notices: 10, unsent_notices: 10, reports_required: 2, reports_missing: 2 };
    expect(states(built)).toEqual(['done', 'done', 'done', 'next', 'todo', 'todo']);
    expect(states({ ...built, notices_approved: true })).toEqual(['done', 'done', 'done', 'done', 'next', 'todo']);
    expect(states({ ...built, approval_required: false })).toEqual(['done', 'done', 'done', 'done', 'next', 'todo']);
  });

  it('is sent only when no notice is left in flight', () => {
    const building = { ...none, imports: 1, scope_runs: 1, notices: 10, notices_approved: true, unsent_notices: 3, reports_required: 2, reports_missing: 2 };
    expect(states(building)).toEqual(['done', 'done', 'done', 'done', 'next', 'todo']);
    expect(states({ ...building, unsent_notices: 0 })).toEqual(['done', 'done', 'done', 'done', 'done', 'next']);
    expect(states({ ...building, unsent_notices: 0, reports_missing: 0 })).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
  });

  it('judges each stage on its own: a report made before the notices are sent is done', () => {
    expect(states({ ...none, imports: 1, scope_runs: 1, reports_required: 1, reports_missing: 0 })).toEqual(['done', 'done', 'next', 'todo', 'todo', 'done']);
  });

  it('has nothing reported before a scope run says whom to report to', () => {
    expect(states({ ...none, imports: 1 })).toEqual(['done', 'next', 'todo', 'todo', 'todo', 'todo']);
  });
});
