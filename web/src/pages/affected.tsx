import { Alert, Anchor, Badge, Button, Drawer, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { CATEGORIES } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, linkTo, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { FilterSelect } from '../filter-select.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';
import { type AffectedSearch, countryOf } from './affected-search.ts';

/** Rows per request: a screenful several times over, so a steady scroll asks rarely. */
const PAGE_SIZE = 200;
const ROW_HEIGHT = 41;
/** How close to the last loaded row the scroll may come before the next page is asked for. */
const PREFETCH_ROWS = 40;

/** Everyone the latest scope run found affected, one page at a time as the table scrolls, each with why. */
export default function AffectedPage({ id, search }: { id: string; search: AffectedSearch }) {
  const t = useMessage();
  const can = useCan();
  return (
    <Stack gap="md">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('affected.back')}
      </AnchorLink>
      <Title order={1}>{t('affected.title')}</Title>
      {can('personal_data:read') ? (
        <AffectedTable id={id} search={search} />
      ) : (
        <Alert color="yellow" variant="light">
          {t('affected.forbidden')}
        </Alert>
      )}
    </Stack>
  );
}

function Filters({ id, search }: { id: string; search: AffectedSearch }) {
  const t = useMessage();
  const navigate = useNavigate({ from: '/incidents/$id/affected' });
  const [q, setQ] = useState(search.q ?? '');
  const [country, setCountry] = useState(search.country ?? '');
  const [settled] = useDebouncedValue(q.trim(), 400);
  const set = (change: Partial<AffectedSearch>) => void navigate({ params: { id }, search: (before) => ({ ...before, ...change }), replace: true });
  useEffect(() => {
    if ((search.q ?? '') !== settled) set({ q: settled || undefined });
    // Only a settled search moves the URL, not each keystroke.
  }, [settled]);
  return (
    <Group align="flex-end" gap="sm" role="search">
      <TextInput label={t('affected.search')} type="search" value={q} onChange={(event) => setQ(event.currentTarget.value)} w={280} />
      <FilterSelect label={t('affected.category')} anyLabel={t('affected.any')} value={search.category} options={CATEGORIES} labelOf={(category) => t(`category.${category}` as MessageId)} onChange={(category) => set({ category })} />
      <TextInput
        label={t('affected.country')}
        description={t('affected.country.help')}
        value={country}
        maxLength={2}
        w={120}
        onChange={(event) => {
          setCountry(event.currentTarget.value);
          // A half-typed code filters nothing yet; the box keeps what was typed.
          set({ country: countryOf(event.currentTarget.value) });
        }}
      />
      {/* Everyone the filters keep, not only the rows loaded so far. */}
      <Button component="a" variant="default" href={linkTo('/api/incidents/:id/affected.csv', { params: { id }, query: search })} download>
        {t('affected.csv')}
      </Button>
    </Group>
  );
}

function AffectedTable({ id, search }: { id: string; search: AffectedSearch }) {
  const t = useMessage();
  const [explained, setExplained] = useState<string | null>(null);
  const people = useInfiniteQuery({
    queryKey: ['incident', id, 'affected', search],
    queryFn: ({ pageParam }) => api('GET', '/api/incidents/:id/affected', { params: { id }, query: { ...search, limit: PAGE_SIZE, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = people.data?.pages.flatMap((page) => page.items) ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  // One more row than loaded while more exist: it shows the loader and, once near, asks for the next page.
  const virtualizer = useVirtualizer({ count: rows.length + (people.hasNextPage ? 1 : 0), getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const shown = virtualizer.getVirtualItems();
  const lastShown = shown.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastShown >= rows.length - PREFETCH_ROWS && people.hasNextPage && !people.isFetchingNextPage) void people.fetchNextPage();
  }, [lastShown, rows.length, people]);

  const before = shown[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (shown.at(-1)?.end ?? 0);
  return (
    <Stack gap="sm">
      <Filters id={id} search={search} />
      <ErrorAlert error={people.error} />
      <Text size="sm" c="dimmed" role="status">
        {people.isPending ? t('common.loading') : t(people.hasNextPage ? 'affected.loadedMore' : 'affected.loaded', { count: rows.length })}
      </Text>
      <div ref={scroller} className="affected-scroller" tabIndex={0} role="region" aria-label={t('affected.title')}>
        <Table stickyHeader verticalSpacing="xs" striped aria-rowcount={people.hasNextPage ? -1 : rows.length + 1}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('affected.column.email')}</Table.Th>
              <Table.Th scope="col">{t('affected.column.name')}</Table.Th>
              <Table.Th scope="col">{t('affected.column.country')}</Table.Th>
              <Table.Th scope="col">{t('affected.column.locale')}</Table.Th>
              <Table.Th scope="col">{t('affected.column.exposed')}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t('affected.column.requests')}
              </Table.Th>
              <Table.Th scope="col">{t('affected.column.last')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {before > 0 && <tr aria-hidden style={{ height: before }} />}
            {shown.map((item) => {
              const person = rows[item.index];
              return person ? (
                <Table.Tr key={person.subject} h={ROW_HEIGHT} aria-rowindex={item.index + 2}>
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" onClick={() => setExplained(person.email)} aria-haspopup="dialog">
                      {person.email}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{person.name}</Table.Td>
                  <Table.Td>{person.country}</Table.Td>
                  <Table.Td>{person.locale}</Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {person.exposed.map((category) => t(`category.${category}` as MessageId)).join(', ')}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={person.requests} />
                  </Table.Td>
                  <Table.Td>
                    <FormattedDate value={person.last_access} dateStyle="medium" timeStyle="short" />
                  </Table.Td>
                </Table.Tr>
              ) : (
                <Table.Tr key="more" h={ROW_HEIGHT}>
                  <Table.Td colSpan={7}>
                    <Loader size="xs" aria-label={t('common.loading')} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {after > 0 && <tr aria-hidden style={{ height: after }} />}
          </Table.Tbody>
        </Table>
        {!people.isPending && rows.length === 0 && (
          <Text p="md" c="dimmed">
            {t('affected.empty')}
          </Text>
        )}
      </div>
      <Drawer opened={explained !== null} onClose={() => setExplained(null)} position="right" size="xl" title={t('explain.title', { email: explained ?? '' })} closeButtonProps={{ 'aria-label': t('explain.close') }}>
        {explained !== null && <Explanation id={id} email={explained} />}
      </Drawer>
    </Stack>
  );
}

type Explained = ReplyOf<'GET', '/api/incidents/:id/affected/:email/explain'>;

/** Why one person is affected: each attacker request that named one of their records, where the logs have it. */
function Explanation({ id, email }: { id: string; email: string }) {
  const t = useMessage();
  const explanation = useQuery({ queryKey: ['incident', id, 'explain', email], queryFn: () => api('GET', '/api/incidents/:id/affected/:email/explain', { params: { id, email } }) });
  if (explanation.error) return <ErrorAlert error={explanation.error} />;
  if (!explanation.data) return <Loader aria-label={t('common.loading')} />;
  const { data } = explanation;
  return (
    <Stack gap="sm">
      <Text>{t(data.affected ? 'explain.affected' : 'explain.notAffected', { run: data.run })}</Text>
      <Group gap="xs">
        <Text size="sm" fw={600}>
          {t('explain.exposed')}
        </Text>
        {data.exposed.map((category) => (
          <Badge key={category} color="red.8">
            {t(`category.${category}` as MessageId)}
          </Badge>
        ))}
      </Group>
      <Title order={3} size="h4">
        {t('explain.requests', { count: data.requests.length })}
      </Title>
      <Requests requests={data.requests} />
    </Stack>
  );
}

function Requests({ requests }: { requests: Explained['requests'] }) {
  const t = useMessage();
  return (
    <Stack gap="xs" component="ol" className="explained-requests">
      {requests.map((request) => (
        <li key={`${request.file}:${request.line}:${request.record}`}>
          <Text size="sm" ff="monospace" className="request-line">
            {request.request}
          </Text>
          <Text size="xs">
            {t('explain.where', { file: request.file, line: request.line, rule: request.rule, indicator: request.indicator, record: request.record })}
          </Text>
          <Text size="xs" c="gray.7">
            <FormattedDate value={request.at} dateStyle="medium" timeStyle="medium" />
            {request.status !== null && ` · HTTP ${request.status}`}
            {request.ip !== null && ` · ${request.ip}`}
            {!request.exposes && ` · ${t('explain.exposesNothing')}`}
          </Text>
        </li>
      ))}
    </Stack>
  );
}
