import { Group, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { FormattedDate } from 'react-intl';
import { TRIAGE_STATES, VERDICTS } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { FilterSelect } from '../filter-select.tsx';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';
import { ImportMessages } from './phishing-import.tsx';
import { type ReportsSearch, TriageBadge, VerdictBadge } from './phishing.tsx';

export const reportsQuery = (search: ReportsSearch) => ({ queryKey: ['phishing', 'reports', search], queryFn: () => api('GET', '/api/phishing/reports', { query: search }) });

/** The report inbox, newest first, filtered by triage state and verdict as the URL says. */
export default function PhishingReportsPage({ search }: { search: ReportsSearch }) {
  const t = useMessage();
  const can = useCan();
  const navigate = useNavigate({ from: '/phishing/reports' });
  const reports = useQuery({ ...reportsQuery(search), placeholderData: keepPreviousData });
  const set = (change: Partial<ReportsSearch>) => void navigate({ search: (before) => ({ ...before, ...change }), replace: true });
  const items = reports.data?.items ?? [];
  return (
    <Stack>
      <Title order={1}>{t('phishing.reports.title')}</Title>
      {can('incidents:write') && <ImportMessages />}
      <Group align="flex-end" gap="sm" role="search">
        <FilterSelect label={t('phishing.reports.triage')} anyLabel={t('phishing.any')} value={search.triage} options={TRIAGE_STATES} labelOf={(state) => t(`phishing.triage.${state}`)} onChange={(triage) => set({ triage })} />
        <FilterSelect label={t('phishing.reports.verdict')} anyLabel={t('phishing.any')} value={search.verdict} options={VERDICTS} labelOf={(verdict) => t(`phishing.verdict.${verdict}`)} onChange={(verdict) => set({ verdict })} />
      </Group>
      <ErrorAlert error={reports.error} />
      <Text size="sm" c="dimmed" role="status">
        {reports.isPending ? t('common.loading') : t('phishing.reports.count', { count: items.length })}
      </Text>
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('phishing.reports.column.report')}</Table.Th>
              <Table.Th scope="col">{t('phishing.reports.column.received')}</Table.Th>
              <Table.Th scope="col">{t('phishing.reports.column.verdict')}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t('phishing.reports.column.score')}
              </Table.Th>
              <Table.Th scope="col">{t('phishing.reports.column.triage')}</Table.Th>
              <Table.Th scope="col">{t('phishing.reports.column.campaign')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((report) => (
              <Table.Tr key={report.id}>
                <Table.Td>
                  <AnchorLink to="/phishing/reports/$reference" params={{ reference: report.id }} fw={600}>
                    {report.subject || t('phishing.report.noSubject')}
                  </AnchorLink>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {report.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <FormattedDate value={report.received_at} dateStyle="medium" timeStyle="short" />
                </Table.Td>
                <Table.Td>
                  <VerdictBadge verdict={report.verdict} />
                </Table.Td>
                <Table.Td ta="right">{report.score ?? '—'}</Table.Td>
                <Table.Td>
                  <TriageBadge triage={report.triage} />
                </Table.Td>
                <Table.Td>
                  {report.campaign ? (
                    <AnchorLink to="/phishing/campaigns/$id" params={{ id: report.campaign }} ff="monospace" size="sm">
                      {report.campaign}
                    </AnchorLink>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('phishing.reports.noCampaign')}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!reports.isPending && items.length === 0 && <Text c="dimmed">{t('phishing.reports.empty')}</Text>}
    </Stack>
  );
}
