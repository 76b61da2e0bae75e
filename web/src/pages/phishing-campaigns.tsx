import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import { defang } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, linkTo } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { VerdictBadge } from './phishing.tsx';

const campaignsQuery = { queryKey: ['phishing', 'campaigns'], queryFn: () => api('GET', '/api/phishing/campaigns') };

/** The campaigns the reports were clustered into, the latest active first, and the watch list of all their domains and URLs to download. */
export default function PhishingCampaignsPage() {
  const t = useMessage();
  const campaigns = useQuery(campaignsQuery);
  const items = campaigns.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('phishing.campaigns.title')}</Title>
        <Group gap="xs">
          <Button component="a" variant="default" href={linkTo('/api/phishing/watch-list', { query: { format: 'csv' } })} download="watch-list.csv">
            {t('phishing.campaigns.watchListCsv')}
          </Button>
          <Button component="a" variant="default" href={linkTo('/api/phishing/watch-list', { query: { format: 'stix' } })} download="watch-list.json">
            {t('phishing.campaigns.watchListStix')}
          </Button>
        </Group>
      </Group>
      <ErrorAlert error={campaigns.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('phishing.campaigns.column.campaign')}</Table.Th>
              <Table.Th scope="col">{t('phishing.campaigns.column.verdict')}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t('phishing.campaigns.column.reports')}
              </Table.Th>
              <Table.Th scope="col">{t('phishing.campaigns.column.firstSeen')}</Table.Th>
              <Table.Th scope="col">{t('phishing.campaigns.column.lastSeen')}</Table.Th>
              <Table.Th scope="col">{t('phishing.campaigns.column.domains')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((campaign) => (
              <Table.Tr key={campaign.id}>
                <Table.Td>
                  <AnchorLink to="/phishing/campaigns/$id" params={{ id: campaign.id }} fw={600}>
                    {campaign.sample?.subject || campaign.id}
                  </AnchorLink>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {campaign.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <VerdictBadge verdict={campaign.verdict} />
                </Table.Td>
                <Table.Td ta="right">{campaign.report_count}</Table.Td>
                <Table.Td>
                  <FormattedDate value={campaign.first_seen} dateStyle="medium" timeStyle="short" />
                </Table.Td>
                <Table.Td>
                  <FormattedDate value={campaign.last_seen} dateStyle="medium" timeStyle="short" />
                </Table.Td>
                <Table.Td ff="monospace" className="defanged">
                  {campaign.domains.map(defang).join(', ')}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {campaigns.isPending && <Text c="dimmed">{t('common.loading')}</Text>}
      {campaigns.isSuccess && items.length === 0 && <Text c="dimmed">{t('phishing.campaigns.empty')}</Text>}
    </Stack>
  );
}
