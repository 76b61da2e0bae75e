import { Button, Group, List, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useSuspenseQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { FormattedDate } from 'react-intl';
import { defang } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, linkTo } from '../api.ts';
import { useMessage } from '../i18n.tsx';
import { TriageBadge, VerdictBadge } from './phishing.tsx';

// The chart library loads only with a page that draws one.
const PhishingTimelineChart = lazy(() => import('./phishing-timeline-chart.tsx'));

export const campaignQuery = (id: string) => ({ queryKey: ['phishing', 'campaign', id], queryFn: () => api('GET', '/api/phishing/campaigns/:id', { params: { id } }) });

/** One campaign: when its reports came, the attacker's domains and URLs (defanged), its reports, and its takedown pack to download. */
export default function PhishingCampaignPage({ id }: { id: string }) {
  const t = useMessage();
  const { data: campaign } = useSuspenseQuery(campaignQuery(id));
  return (
    <Stack gap="lg">
      <AnchorLink to="/phishing/campaigns" size="sm">
        ← {t('phishing.campaign.back')}
      </AnchorLink>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{t('phishing.campaign.title', { id: campaign.id })}</Title>
          <Group gap="xs">
            <VerdictBadge verdict={campaign.verdict} />
            <Text size="sm">{t('phishing.campaign.reports', { count: campaign.report_count })}</Text>
            <Text size="sm">
              <FormattedDate value={campaign.first_seen} dateStyle="medium" timeStyle="short" /> – <FormattedDate value={campaign.last_seen} dateStyle="medium" timeStyle="short" />
            </Text>
          </Group>
        </Stack>
        <Button component="a" href={linkTo('/api/phishing/campaigns/:id/takedown', { params: { id: campaign.id } })} download={`takedown-${campaign.id}.json`}>
          {t('phishing.campaign.takedown')}
        </Button>
      </Group>

      <section aria-labelledby="chart-title">
        <Title order={2} size="h3" id="chart-title" mb="sm">
          {t('phishing.campaign.chart')}
        </Title>
        <Suspense fallback={<Skeleton h={240} />}>
          <PhishingTimelineChart times={campaign.reports.map((report) => report.received_at)} />
        </Suspense>
      </section>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <section aria-labelledby="domains-title">
          <Title order={2} size="h3" id="domains-title" mb="xs">
            {t('phishing.campaign.domains')}
          </Title>
          <List spacing={4} ff="monospace" className="defanged">
            {campaign.domains.map((domain) => (
              <List.Item key={domain}>{defang(domain)}</List.Item>
            ))}
          </List>
          <Title order={2} size="h3" mt="md" mb="xs">
            {t('phishing.campaign.urls', { count: campaign.url_count })}
          </Title>
          <List spacing={4} ff="monospace" size="sm" className="defanged">
            {campaign.urls.map((url) => (
              <List.Item key={url}>{defang(url)}</List.Item>
            ))}
          </List>
          {campaign.url_count > campaign.urls.length && (
            <Text size="xs" c="dimmed" mt={4}>
              {t('phishing.campaign.urlsMore', { count: campaign.url_count - campaign.urls.length })}
            </Text>
          )}
        </section>
        {campaign.sample && (
          <section aria-labelledby="sample-title">
            <Title order={2} size="h3" id="sample-title" mb="xs">
              {t('phishing.campaign.sample')}
            </Title>
            <Paper withBorder p="sm">
              <AnchorLink to="/phishing/reports/$reference" params={{ reference: campaign.sample.id }} fw={600}>
                {campaign.sample.subject || t('phishing.report.noSubject')}
              </AnchorLink>
              {/* The analysis's plain-text preview, rendered as text. */}
              <Text component="pre" size="sm" mt="xs" className="phish-preview">
                {campaign.sample.preview}
              </Text>
            </Paper>
          </section>
        )}
      </SimpleGrid>

      <section aria-labelledby="campaign-reports-title">
        <Title order={2} size="h3" id="campaign-reports-title" mb="xs">
          {t('phishing.campaign.reportList')}
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('phishing.reports.column.report')}</Table.Th>
                <Table.Th scope="col">{t('phishing.reports.column.received')}</Table.Th>
                <Table.Th scope="col">{t('phishing.reports.column.verdict')}</Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('phishing.reports.column.score')}
                </Table.Th>
                <Table.Th scope="col">{t('phishing.reports.column.triage')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {campaign.reports.map((report) => (
                <Table.Tr key={report.id}>
                  <Table.Td>
                    <AnchorLink to="/phishing/reports/$reference" params={{ reference: report.id }} ff="monospace" size="sm">
                      {report.id}
                    </AnchorLink>
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
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
    </Stack>
  );
}
