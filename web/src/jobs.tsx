import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormattedNumber } from 'react-intl';
import { JOB_PERMISSION } from '../../src/domain/index.ts';
import { api, linkTo, type ReplyOf } from './api.ts';
import { ErrorAlert } from './errors.tsx';
import { type MessageId, useMessage } from './i18n.tsx';
import { useCan } from './session.ts';

export type Job = ReplyOf<'GET', '/api/jobs/:id'>;

const FINISHED: readonly Job['state'][] = ['succeeded', 'failed', 'cancelled'];
/** The stages of the jobs these pages start, in words; another job's stage shows as the server names it. */
const STAGES = ['reading', 'scanning'];

/**
 * A job as its Server-Sent Events tell it, live: null until the first event. The stream gives
 * the job at once, then each change, and ends with the job; a dropped connection is taken up
 * again by the browser, and the server starts it over with the job as it stands. A stream the
 * server refuses (signed out meanwhile, the job gone) is not retried: the job is asked for once
 * instead, so that the refusal's reason shows.
 */
export function useJobEvents(jobId: string | null): { job: Job | null; error: unknown } {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setJob(null);
    setError(null);
    if (jobId === null) return;
    const source = new EventSource(linkTo('/api/jobs/:id/events', { params: { id: jobId } }));
    source.addEventListener('job', (event: MessageEvent<string>) => {
      const view = JSON.parse(event.data) as Job;
      setJob(view);
      if (FINISHED.includes(view.state)) source.close();
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) api('GET', '/api/jobs/:id', { params: { id: jobId } }).then(setJob, setError);
    });
    return () => source.close();
  }, [jobId]);
  return { job, error };
}

/** A job of the incident followed over its events; once it ends, the incident's queries are asked afresh, as the job changed what they show. */
export function useIncidentJobEvents(incidentId: string, jobId: string | null): { job: Job | null; error: unknown } {
  const queryClient = useQueryClient();
  const followed = useJobEvents(jobId);
  const ended = followed.job !== null && FINISHED.includes(followed.job.state);
  useEffect(() => {
    if (ended) void queryClient.invalidateQueries({ queryKey: ['incident', incidentId] });
  }, [ended, incidentId, queryClient]);
  return followed;
}

/**
 * A job the page starts with `start` (a POST that answers the job), followed as useIncidentJobEvents does.
 */
export function useIncidentJob(incidentId: string, start: () => Promise<{ id: string }>) {
  const [jobId, setJobId] = useState<string | null>(null);
  const starting = useMutation({ mutationFn: start, onSuccess: (started) => setJobId(started.id) });
  const { job, error } = useIncidentJobEvents(incidentId, jobId);
  const busy = starting.isPending || job?.state === 'queued' || job?.state === 'running';
  return { start: starting, job, jobError: error, jobId, busy };
}

/** A job's state and progress as a bar (its share done, when the job knows its total), a way to cancel it while it is not finished (for a role that may start it), and its error once failed. */
export function JobProgress({ job, error, label }: { job: Job | null; error: unknown; label: string }) {
  const t = useMessage();
  const can = useCan();
  // Only asked for: the job's events then say it was cancelled (a running job stops at its next step).
  const cancel = useMutation({ mutationFn: (id: string) => api('POST', '/api/jobs/:id/cancel', { params: { id } }) });
  if (error) return <ErrorAlert error={error} />;
  if (job === null) return <Text size="sm" role="status">{t('job.starting')}</Text>;
  const progress = job.progress;
  const percent = job.state === 'succeeded' ? 100 : progress?.total ? Math.min(100, (progress.done / progress.total) * 100) : 0;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" role="status">
          {t(`job.state.${job.state}` as MessageId)}
          {progress?.stage && job.state === 'running' ? ` · ${STAGES.includes(progress.stage) ? t(`job.stage.${progress.stage}` as MessageId) : progress.stage}` : ''}
        </Text>
        <Group gap="sm">
          <Text size="sm" c="gray.7">
            <FormattedNumber value={percent / 100} style="percent" />
          </Text>
          {!FINISHED.includes(job.state) && can(JOB_PERMISSION[job.kind]) && (
            <Button size="compact-sm" variant="default" onClick={() => cancel.mutate(job.id)} loading={cancel.isPending} disabled={cancel.isSuccess}>
              {t('job.cancel')}
            </Button>
          )}
        </Group>
      </Group>
      <ErrorAlert error={cancel.error} />
      <Progress value={percent} animated={job.state === 'running'} color={job.state === 'failed' ? 'red.8' : job.state === 'succeeded' ? 'green.8' : 'blue.8'} aria-label={label} />
      {job.error && (
        <Alert color="red" role="alert" variant="light">
          {t('error.other', { message: job.error.message })}
        </Alert>
      )}
    </Stack>
  );
}
