import { expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { errorView, jobView } from './view.ts';

it('keeps a TocsinError as the CLI and the API show it: code, kind, message and next step', () => {
  expect(errorView(new TocsinError('IMPORT_FILE', 'cannot read orders.csv', { kind: 'invalid' }), 'j1')).toEqual({ code: 'IMPORT_FILE', kind: 'invalid', message: 'cannot read orders.csv' });
  const next = { action: 'scope', incident_id: 'k7' } as const;
  expect(errorView(new TocsinError('NO_SCOPE_RUN', 'no scope run yet', { kind: 'conflict', next }), 'j1')).toEqual({ code: 'NO_SCOPE_RUN', kind: 'conflict', message: 'no scope run yet', next });
});

it('records any other error as internal, without its message (which may quote data)', () => {
  const view = errorView(new Error('duplicate key value (email)=(anna@example.com)'), 'j1');
  expect(view).toMatchObject({ code: 'internal', kind: 'failed' });
  expect(view.message).not.toContain('anna');
  expect(view.message).toContain('j1');
});

it('tells a lost PostgreSQL connection as one', () => {
  expect(errorView(new Error('Connection terminated unexpectedly'), 'j1').code).toBe('DATABASE_CONNECTION_LOST');
});

it("shows a running job's worker and cancel request, and not a finished one's", () => {
  const row = {
    id: 'j1',
    kind: 'scope' as const,
    incident_id: 'abc123',
    params: '{}',
    state: 'running' as const,
    progress: '{"done":5,"total":10,"stage":"scanning"}',
    result: null,
    error: null,
    actor: 'dpo',
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: '2026-01-01T00:00:01.000Z',
    finished_at: null,
    updated_at: '2026-01-01T00:00:02.000Z',
    cancel_requested_at: '2026-01-01T00:00:02.000Z',
    worker: 'host/1/abc',
    worker_host: 'host',
    worker_pid: 1,
    locked_until: '2026-01-01T00:00:30.000Z',
    attempts: 1,
  };
  expect(jobView(row)).toMatchObject({ progress: { done: 5, total: 10, stage: 'scanning' }, worker: 'host/1/abc', cancel_requested_at: row.cancel_requested_at });
  expect(jobView({ ...row, state: 'cancelled' })).toMatchObject({ worker: null, cancel_requested_at: null });
});
