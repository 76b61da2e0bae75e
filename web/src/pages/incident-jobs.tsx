import { Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import { api } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { type Job, JobProgress, useIncidentJobEvents } from '../jobs.tsx';

/** How many of the incident's jobs the overview lists: the latest ones, enough to see what ran today. */
const SHOWN = 10;

const jobsQuery = (id: string) => ({ queryKey: ['incident', id, 'jobs'], queryFn: () => api('GET', '/api/incidents/:id/jobs', { params: { id } }) });

const When = ({ at }: { at: string | null }) => (at ? <FormattedDate value={at} dateStyle="medium" timeStyle="short" /> : '—');

/** The incident's latest jobs, whoever started them and from wherever (the console, the CLI, the portal); a running one followed live. */
export function IncidentJobs({ id }: { id: string }) {
  const t = useMessage();
  const jobs = useQuery(jobsQuery(id));
  const items = (jobs.data?.items ?? []).slice(0, SHOWN);
  return (
    <section aria-labelledby="jobs-title">
      <Title order={2} size="h3" id="jobs-title" mb="sm">
        {t('jobs.title')}
      </Title>
      <ErrorAlert error={jobs.error} />
      {!jobs.isPending && items.length === 0 && <Text c="dimmed">{t('jobs.none')}</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing="xs" striped aria-label={t('jobs.table', { count: items.length })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('jobs.kind')}</Table.Th>
                <Table.Th scope="col" miw={220}>
                  {t('jobs.state')}
                </Table.Th>
                <Table.Th scope="col">{t('jobs.started')}</Table.Th>
                <Table.Th scope="col">{t('jobs.ended')}</Table.Th>
                <Table.Th scope="col">{t('jobs.actor')}</Table.Th>
                <Table.Th scope="col">{t('jobs.error')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((job) => (
                <Table.Tr key={job.id}>
                  <Table.Th scope="row" fw={400}>
                    {t(`job.kind.${job.kind}` as MessageId)}
                  </Table.Th>
                  <Table.Td>{job.state === 'queued' || job.state === 'running' ? <LiveJob incidentId={id} listed={job} /> : t(`job.state.${job.state}` as MessageId)}</Table.Td>
                  <Table.Td>
                    <When at={job.started_at} />
                  </Table.Td>
                  <Table.Td>
                    <When at={job.finished_at} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" className="request-line">
                      {job.actor}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {job.error && (
                      <Text size="sm" c="red.9" className="request-line">
                        {job.error.message}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

/** A job not finished when listed, followed over its events (with a way to cancel it); the list asked afresh once it ends. */
function LiveJob({ incidentId, listed }: { incidentId: string; listed: Job }) {
  const t = useMessage();
  const { job, error } = useIncidentJobEvents(incidentId, listed.id);
  return <JobProgress job={job ?? listed} error={error} label={t('jobs.progress', { kind: t(`job.kind.${listed.kind}` as MessageId) })} />;
}
