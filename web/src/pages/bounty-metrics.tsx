import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { api } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import type { MetricsSearch } from './bounty.tsx';

/** The programme's response times against its targets: per target the median and 90th percentile, the share within target and the overdue count, as a table and as bars. */
export default function BountyMetricsPage({ search }: { search: MetricsSearch }) {
  const t = useMessage();
  const navigate = useNavigate({ from: '/bounty/metrics' });
  const metrics = useQuery({
    queryKey: ['bounty', 'metrics', search],
    queryFn: () => api('GET', '/api/bounty/metrics', { query: { since: search.since === undefined ? undefined : `${search.since}T00:00:00Z` } }),
    placeholderData: keepPreviousData,
  });
  const targets = metrics.data?.targets ?? [];
  const bars = targets.map((target) => ({
    target: t(`bounty.target.${target.target}`),
    median: target.median_hours,
    p90: target.p90_hours,
    goal: target.target_days * 24,
  }));
  const hours = (value: number | null) => (value === null ? '—' : t('bounty.hours', { hours: value }));
  return (
    <Stack>
      <Title order={1}>{t('bounty.metrics.title')}</Title>
      <Group align="flex-end" gap="sm" role="search">
        <TextInput
          type="date"
          label={t('bounty.metrics.since')}
          value={search.since ?? ''}
          onChange={(event) => void navigate({ search: { since: event.currentTarget.value || undefined }, replace: true })}
        />
      </Group>
      <ErrorAlert error={metrics.error} />
      {metrics.data && (
        <Text size="sm" role="status">
          {t('bounty.metrics.period', { reports: metrics.data.reports })} <FormattedDate value={metrics.data.since} dateStyle="medium" /> – <FormattedDate value={metrics.data.until} dateStyle="medium" />
        </Text>
      )}
      <Table.ScrollContainer minWidth={720}>
        <Table striped verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('bounty.metrics.column.target')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('bounty.metrics.column.goal')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('bounty.metrics.column.done')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('bounty.metrics.column.median')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('bounty.metrics.column.p90')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('bounty.metrics.column.within')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('bounty.metrics.column.overdue')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {targets.map((target) => (
              <Table.Tr key={target.target}>
                <Table.Th scope="row">{t(`bounty.target.${target.target}`)}</Table.Th>
                <Table.Td ta="right">{t('bounty.days', { days: target.target_days })}</Table.Td>
                <Table.Td ta="right">{target.done}</Table.Td>
                <Table.Td ta="right">{hours(target.median_hours)}</Table.Td>
                <Table.Td ta="right">{hours(target.p90_hours)}</Table.Td>
                <Table.Td ta="right">{target.within_target === null ? '—' : <FormattedNumber value={target.within_target} style="percent" maximumFractionDigits={1} />}</Table.Td>
                <Table.Td ta="right" c={target.overdue > 0 ? 'red.9' : undefined} fw={target.overdue > 0 ? 700 : undefined}>
                  {target.overdue}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {bars.length > 0 && (
        // The table above holds the same numbers for screen readers.
        <div role="img" aria-label={`${t('bounty.metrics.chart')}. ${bars.map((bar) => `${bar.target}: ${bar.median ?? '—'}, ${bar.p90 ?? '—'}, ${bar.goal}`).join('; ')}`}>
          <BarChart
            h={300}
            data={bars}
            dataKey="target"
            unit=" h"
            // On a log scale: a report answered in hours and one left for years share the chart.
            yAxisProps={{ scale: 'log', domain: [0.1, 'auto'], allowDataOverflow: true }}
            withLegend
            withTooltip={false}
            tickLine="y"
            series={[
              { name: 'median', label: t('bounty.metrics.column.median'), color: 'indigo.7' },
              { name: 'p90', label: t('bounty.metrics.column.p90'), color: 'orange.8' },
              { name: 'goal', label: t('bounty.metrics.column.goalHours'), color: 'gray.6' },
            ]}
          />
        </div>
      )}
    </Stack>
  );
}
