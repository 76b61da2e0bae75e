import { Alert, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import { defang } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';
import { LookalikeCells } from './phishing.tsx';

const lookalikesQuery = { queryKey: ['phishing', 'lookalikes'], queryFn: () => api('GET', '/api/phishing/lookalikes') };

/** The look-alike domains the reports show, and the watch: which permutations of the shop's domains exist before a phish uses them. */
export default function PhishingDomainsPage() {
  const t = useMessage();
  const can = useCan();
  const lookalikes = useQuery(lookalikesQuery);
  const items = lookalikes.data?.items ?? [];
  return (
    <Stack gap="lg">
      <Title order={1}>{t('phishing.domains.title')}</Title>
      <section aria-labelledby="seen-title">
        <Title order={2} size="h3" id="seen-title" mb="xs">
          {t('phishing.domains.seen')}
        </Title>
        <ErrorAlert error={lookalikes.error} />
        <Table.ScrollContainer minWidth={880}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('phishing.lookalike.domain')}</Table.Th>
                <Table.Th scope="col">{t('phishing.lookalike.imitates')}</Table.Th>
                <Table.Th scope="col">{t('phishing.lookalike.kinds')}</Table.Th>
                <Table.Th scope="col">{t('phishing.lookalike.seenIn')}</Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('phishing.domains.column.reports')}
                </Table.Th>
                <Table.Th scope="col">{t('phishing.domains.column.lastSeen')}</Table.Th>
                <Table.Th scope="col">{t('phishing.domains.column.campaigns')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((row) => (
                <Table.Tr key={`${row.domain} ${row.imitates}`}>
                  <LookalikeCells domain={row.domain} imitates={row.imitates} kinds={row.kinds} />
                  <Table.Td>{row.seen_in.map((where) => t(`phishing.seenIn.${where}` as MessageId)).join(', ')}</Table.Td>
                  <Table.Td ta="right">{row.report_count}</Table.Td>
                  <Table.Td>
                    <FormattedDate value={row.last_seen} dateStyle="medium" timeStyle="short" />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6}>
                      {row.campaigns.map((campaign) => (
                        <AnchorLink key={campaign} to="/phishing/campaigns/$id" params={{ id: campaign }} ff="monospace" size="sm">
                          {campaign}
                        </AnchorLink>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {lookalikes.isPending && <Text c="dimmed">{t('common.loading')}</Text>}
        {lookalikes.isSuccess && items.length === 0 && <Text c="dimmed">{t('phishing.domains.none')}</Text>}
      </section>
      {can('incidents:write') && <Watch />}
    </Stack>
  );
}

type WatchResult = ReplyOf<'POST', '/api/phishing/watch'>;

/** Runs the watch on demand: every permutation of the shop's domains resolved, those that exist listed with their records. */
function Watch() {
  const t = useMessage();
  const watch = useMutation({ mutationFn: () => api('POST', '/api/phishing/watch') });
  return (
    <section aria-labelledby="watch-title">
      <Title order={2} size="h3" id="watch-title" mb="xs">
        {t('phishing.watch.title')}
      </Title>
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{t('phishing.watch.help')}</Text>
        <Button onClick={() => watch.mutate()} loading={watch.isPending}>
          {t('phishing.watch.run')}
        </Button>
        <div role="status" aria-live="polite">
          {watch.isPending && (
            <Group gap="xs">
              <Loader size="xs" aria-hidden />
              <Text size="sm">{t('phishing.watch.pending')}</Text>
            </Group>
          )}
          {watch.data && <WatchFindings result={watch.data} />}
        </div>
        <ErrorAlert error={watch.error} />
      </Stack>
    </section>
  );
}

function WatchFindings({ result }: { result: WatchResult }) {
  const t = useMessage();
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        {t('phishing.watch.result', { checked: result.checked, found: result.found.length })}
      </Text>
      {result.unresolved > 0 && (
        <Alert color="yellow" variant="light">
          {t('phishing.watch.unresolved', { count: result.unresolved })}
        </Alert>
      )}
      {result.found.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('phishing.lookalike.domain')}</Table.Th>
                <Table.Th scope="col">{t('phishing.lookalike.imitates')}</Table.Th>
                <Table.Th scope="col">{t('phishing.lookalike.kinds')}</Table.Th>
                <Table.Th scope="col">{t('phishing.watch.records')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.found.map((found) => (
                <Table.Tr key={found.domain}>
                  <LookalikeCells domain={found.domain} imitates={found.imitates} kinds={found.kinds} />
                  <Table.Td ff="monospace" fz="sm">
                    {[...found.a.map((record) => `A ${record}`), ...found.aaaa.map((record) => `AAAA ${record}`), ...found.mx.map((record) => `MX ${defang(record)}`)].join(' · ') || t('phishing.watch.noRecords')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
