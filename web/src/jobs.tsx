import { Alert, Group, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { FormattedNumber } from 'react-intl';
import type { ReplyOf } from './api.ts';
import { type MessageId, useMessage } from './i18n.tsx';

export type Job = ReplyOf<'GET', '/api/jobs/:id'>;

const FINISHED: readonly Job['state'][] = ['succeeded', 'failed', 'cancelled'];
/** The stages of the jobs these pages start, in words; another job's stage shows as the server names it. */
const STAGES = ['reading', 'scanning'];

/**
 * A job as its Server-Sent Events tell it, live: null until the first event. The stream gives
 * the job at once, then each change, and ends with the job; a dropped connection is taken up
 * again by the browser, and the server starts it over with the job as it stands.
 */
export function useJobEvents(jobId: string | null): Job | null {
  const [job, setJob] = useState<Job | null>(null);
  useEffect(() => {
    setJob(null);
    if (jobId === null) return;
    const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
    source.addEventListener('job', (event: MessageEvent<string>) => {
      const view = JSON.parse(event.data) as Job;
      setJob(view);
      if (FINISHED.includes(view.state)) source.close();
    });
    return () => source.close();
  }, [jobId]);
  return job;
}

/** A job's state and progress as a bar (its share done, when the job knows its total), and its error once failed. */
export function JobProgress({ job, label }: { job: Job | null; label: string }) {
  const t = useMessage();
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
        <Text size="sm" c="gray.7">
          <FormattedNumber value={percent / 100} style="percent" />
        </Text>
      </Group>
      <Progress value={percent} animated={job.state === 'running'} color={job.state === 'failed' ? 'red.8' : job.state === 'succeeded' ? 'green.8' : 'blue.8'} aria-label={label} />
      {job.error && (
        <Alert color="red" role="alert" variant="light">
          {t('error.other', { message: job.error.message })}
        </Alert>
      )}
    </Stack>
  );
}
