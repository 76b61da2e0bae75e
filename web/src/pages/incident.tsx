import { Badge, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, ThemeIcon, Title } from '@mantine/core';
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { FormattedNumber, useIntl } from 'react-intl';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { Countdown } from '../countdown.tsx';
import { useMessage } from '../i18n.tsx';
import { incidentStatus, STATUS_COLOURS } from '../incident-status.ts';
import { IncidentJobs } from './incident-jobs.tsx';
import { pipelineQuery } from './incidents.tsx';
import { Timeline } from './timeline.tsx';

// The chart library loads only with the page that draws one.
const JurisdictionChart = lazy(() => import('./jurisdiction-chart.tsx'));

export const incidentQuery = (id: string) => ({ queryKey: ['incident', id], queryFn: () => api('GET', '/api/incidents/:id', { params: { id } }) });
export const assessmentQuery = (id: string) => ({ queryKey: ['incident', id, 'assessment'], queryFn: () => api('GET', '/api/incidents/:id/assessment', { params: { id } }) });

type Assessment = ReplyOf<'GET', '/api/incidents/:id/assessment'>;

/** One incident at a glance: where the response stands, the legal clocks, the timeline. */
export function IncidentPage({ id }: { id: string }) {
  const t = useMessage();
  const intl = useIntl();
  const { data: incident } = useSuspenseQuery(incidentQuery(id));
  const { data: pipeline } = useSuspenseQuery(pipelineQuery(id));
  const assessment = useQuery({ ...assessmentQuery(id), enabled: pipeline.facts.scope_runs > 0 });
  const status = incidentStatus(incident);
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents" search={{ status: undefined }} size="sm">
        ← {t('overview.back')}
      </AnchorLink>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{incident.title}</Title>
          <Group gap="xs">
            <Badge color={STATUS_COLOURS[status]}>
              {t(`status.${status}`)}
            </Badge>
            <Text size="sm" c="dimmed" ff="monospace">
              {incident.id}
            </Text>
            <Text size="sm">{t('overview.aware', { date: intl.formatDate(incident.aware_at, { dateStyle: 'long', timeStyle: 'short' }) })}</Text>
          </Group>
        </Stack>
        {pipeline.affected !== null && (
          <Stack gap={0} align="flex-end">
            <Text fw={700} size="lg">
              {t('overview.affected', { count: pipeline.affected })}
            </Text>
            <AnchorLink to="/incidents/$id/affected" params={{ id }} search={{ q: undefined, category: undefined, country: undefined }} size="sm">
              {t('overview.affectedLink')}
            </AnchorLink>
          </Stack>
        )}
      </Group>

      <Group component="nav" aria-label={t('overview.links')} gap="lg">
        <AnchorLink to="/incidents/$id/campaign" params={{ id }} fw={600}>
          {t('overview.campaignLink')}
        </AnchorLink>
        <AnchorLink to="/incidents/$id/compliance" params={{ id }} fw={600}>
          {t('overview.complianceLink')}
        </AnchorLink>
        <AnchorLink to="/incidents/$id/audit" params={{ id }} fw={600}>
          {t('overview.auditLink')}
        </AnchorLink>
        <AnchorLink to="/incidents/$id/pictures" params={{ id }} fw={600}>
          {t('overview.picturesLink')}
        </AnchorLink>
        <AnchorLink to="/incidents/$id/portal" params={{ id }} fw={600}>
          {t('overview.portalLink')}
        </AnchorLink>
      </Group>

      <section aria-labelledby="pipeline-title">
        <Title order={2} size="h3" id="pipeline-title" mb="sm">
          {t('overview.pipeline')}
        </Title>
        <SimpleGrid component="ol" cols={{ base: 1, xs: 2, md: 3, xl: 6 }} spacing="sm" className="pipeline">
          {pipeline.stages.map(({ stage, state }) => (
            <Paper component="li" key={stage} withBorder p="sm" className={`stage stage-${state}`}>
              <Group gap="xs" wrap="nowrap">
                <ThemeIcon color={state === 'done' ? 'green.8' : state === 'next' ? 'blue.8' : 'gray.6'} variant={state === 'todo' ? 'light' : 'filled'} radius="xl" size="sm" aria-hidden>
                  {state === 'done' ? '✓' : state === 'next' ? '→' : '·'}
                </ThemeIcon>
                <Stack gap={0}>
                  <Text size="sm" fw={600}>
                    {t(`stage.${stage}`)}
                  </Text>
                  <Text size="xs" c={state === 'next' ? 'blue.9' : 'dimmed'} fw={state === 'next' ? 700 : 400}>
                    {t(`stageState.${state}`)}
                  </Text>
                </Stack>
              </Group>
            </Paper>
          ))}
        </SimpleGrid>
        <Group gap="lg" mt="sm">
          <AnchorLink to="/incidents/$id/records" params={{ id }} size="sm">
            {t('overview.recordsLink')}
          </AnchorLink>
          <AnchorLink to="/incidents/$id/scoping" params={{ id }} size="sm">
            {t('overview.scopingLink')}
          </AnchorLink>
          {/* Notices are built from a scope run: their page, where they are built, opens once there is one. */}
          {pipeline.facts.scope_runs > 0 && (
            <AnchorLink to="/incidents/$id/notices" params={{ id }} size="sm">
              {t('notices.link')}
            </AnchorLink>
          )}
          <AnchorLink to="/incidents/$id/templates" params={{ id }} size="sm">
            {t('templates.link')}
          </AnchorLink>
        </Group>
      </section>

      <section aria-labelledby="clocks-title">
        <Title order={2} size="h3" id="clocks-title" mb="sm">
          {t('overview.clocks')}
        </Title>
        {pipeline.facts.scope_runs === 0 ? (
          <Text c="dimmed">{t('overview.clocksNone')}</Text>
        ) : assessment.data ? (
          <Clocks assessment={assessment.data} reported={pipeline.reported} />
        ) : (
          <Skeleton h={200} />
        )}
      </section>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Timeline incident={incident} />
        {assessment.data && (
          <section aria-labelledby="chart-title">
            <Title order={2} size="h3" id="chart-title" mb="sm">
              {t('overview.chart')}
            </Title>
            <Suspense fallback={<Skeleton h={260} />}>
              <JurisdictionChart rows={assessment.data.jurisdictions.map(({ jurisdiction, subjects }) => ({ jurisdiction, subjects }))} />
            </Suspense>
          </section>
        )}
      </SimpleGrid>

      <IncidentJobs id={id} />
    </Stack>
  );
}

/** A duty to tell, and its clock: counting down, reported, not required, or to assess. */
export function Duty({ duty, deadline, reported }: { duty: string; deadline: string | null; reported?: boolean }) {
  const t = useMessage();
  if (reported) return <Badge color="teal.9">{t('overview.clock.reported')}</Badge>;
  if (duty === 'not-required') return <Text size="sm" c="dimmed">{t('overview.clock.notRequired')}</Text>;
  return (
    <Stack gap={0}>
      {deadline ? <Countdown dueAt={deadline} /> : <Text size="sm">{t('overview.clock.noPeriod')}</Text>}
      {duty === 'assess' && (
        <Text size="xs" c="dimmed">
          {t('overview.clock.assess')}
        </Text>
      )}
    </Stack>
  );
}

/** Each jurisdiction's two clocks, counting down live: the report to its authority, the notice to its people. */
function Clocks({ assessment, reported }: { assessment: Assessment; reported: readonly string[] }) {
  const t = useMessage();
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('overview.clock.jurisdiction')}</Table.Th>
              <Table.Th scope="col">{t('overview.clock.authority')}</Table.Th>
              <Table.Th scope="col">{t('overview.clock.report')}</Table.Th>
              <Table.Th scope="col">{t('overview.clock.people')}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t('overview.clock.people.count')}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {assessment.jurisdictions.map((line) => (
              <Table.Tr key={line.jurisdiction}>
                <Table.Th scope="row">{line.jurisdiction}</Table.Th>
                <Table.Td>
                  <Text size="sm">{line.authority}</Text>
                </Table.Td>
                <Table.Td>
                  <Duty duty={line.authority_duty} deadline={line.authority_deadline} reported={reported.includes(line.jurisdiction)} />
                </Table.Td>
                <Table.Td>
                  <Duty duty={line.individuals} deadline={line.individuals_deadline} />
                </Table.Td>
                <Table.Td ta="right">
                  <FormattedNumber value={line.subjects} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed">
        {t('overview.disclaimer')}
      </Text>
    </Stack>
  );
}
