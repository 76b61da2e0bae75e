import { Group, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { FormattedDate } from 'react-intl';
import { AnchorLink } from '../anchor-link.tsx';
import { api } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { FilterSelect } from '../filter-select.tsx';
import { useMessage } from '../i18n.tsx';
import { type QueueSearch, REPORT_STATES, SEVERITIES, SeverityBadge, SLA_STANDINGS, StandingBadge, StateBadge } from './bounty.tsx';

/** The queue as the server filters it (state, asset, standing); the severity, scored from the vector that counts, is filtered here. */
const queueQuery = ({ state, asset, sla }: Pick<QueueSearch, 'state' | 'asset' | 'sla'>) => ({
  queryKey: ['bounty', 'reports', { state, asset, sla }],
  queryFn: () => api('GET', '/api/bounty/reports', { query: { state, asset, sla } }),
});

/** The triage queue, the longest waiting first, filtered by state, asset, severity and standing against the response targets as the URL says. */
export default function BountyReportsPage({ search }: { search: QueueSearch }) {
  const t = useMessage();
  const navigate = useNavigate({ from: '/bounty/reports' });
  const queue = useQuery({ ...queueQuery(search), placeholderData: keepPreviousData });
  // The assets to choose from: those of every report, whatever the filters.
  const everything = useQuery(queueQuery({ state: undefined, asset: undefined, sla: undefined }));
  const assets = [...new Set([...(everything.data?.reports ?? []).map((report) => report.asset), ...(search.asset ? [search.asset] : [])])].sort();
  const set = (change: Partial<QueueSearch>) => void navigate({ search: (before) => ({ ...before, ...change }), replace: true });
  const reports = (queue.data?.reports ?? []).filter((report) => search.severity === undefined || report.severity === search.severity);
  return (
    <Stack>
      <Title order={1}>{t('bounty.reports.title')}</Title>
      <Group align="flex-end" gap="sm" role="search">
        <FilterSelect label={t('bounty.reports.state')} anyLabel={t('bounty.any')} value={search.state} options={REPORT_STATES} labelOf={(state) => t(`bounty.state.${state}`)} onChange={(state) => set({ state })} />
        <FilterSelect label={t('bounty.reports.asset')} anyLabel={t('bounty.any')} value={search.asset} options={assets} labelOf={(asset) => asset} onChange={(asset) => set({ asset })} />
        <FilterSelect label={t('bounty.reports.severity')} anyLabel={t('bounty.any')} value={search.severity} options={SEVERITIES} labelOf={(severity) => t(`bounty.severity.${severity}`)} onChange={(severity) => set({ severity })} />
        <FilterSelect label={t('bounty.reports.sla')} anyLabel={t('bounty.any')} value={search.sla} options={SLA_STANDINGS} labelOf={(standing) => t(`bounty.sla.${standing}`)} onChange={(sla) => set({ sla })} />
      </Group>
      <ErrorAlert error={queue.error} />
      <Text size="sm" c="dimmed" role="status">
        {queue.isPending ? t('common.loading') : t('bounty.reports.count', { count: reports.length })}
      </Text>
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('bounty.reports.column.report')}</Table.Th>
              <Table.Th scope="col">{t('bounty.reports.column.asset')}</Table.Th>
              <Table.Th scope="col">{t('bounty.reports.column.severity')}</Table.Th>
              <Table.Th scope="col">{t('bounty.reports.column.state')}</Table.Th>
              <Table.Th scope="col">{t('bounty.reports.column.sla')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {reports.map((report) => (
              <Table.Tr key={report.reference}>
                <Table.Td>
                  <AnchorLink to="/bounty/reports/$reference" params={{ reference: report.reference }} fw={600}>
                    {report.title}
                  </AnchorLink>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {report.reference}
                  </Text>
                </Table.Td>
                <Table.Td ff="monospace" fz="sm">
                  {report.asset}
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <SeverityBadge severity={report.severity} />
                    {report.score !== null && <Text size="sm">{report.score.toFixed(1)}</Text>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <StateBadge state={report.state} />
                </Table.Td>
                <Table.Td>
                  <StandingBadge standing={report.sla.standing} />
                  {report.sla.next && (
                    <Text size="xs">
                      {t(`bounty.target.${report.sla.next.target}`)}: <FormattedDate value={report.sla.next.due_at} dateStyle="medium" timeStyle="short" />
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!queue.isPending && reports.length === 0 && <Text c="dimmed">{t('bounty.reports.empty')}</Text>}
    </Stack>
  );
}
