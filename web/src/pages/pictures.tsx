import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { Skeleton, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { type ReactNode, useId } from 'react';
import { useIntl } from 'react-intl';
import { ReferenceArea } from 'recharts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { NOTICE_STATE_COLOURS } from '../notice-state-colours.ts';
import { pipelineQuery } from './incidents.tsx';

type Unit = ReplyOf<'GET', '/api/incidents/:id/pictures/requests'>['unit'];

const requestsQuery = (id: string) => ({ queryKey: ['incident', id, 'pictures', 'requests'], queryFn: () => api('GET', '/api/incidents/:id/pictures/requests', { params: { id } }) });
const affectedQuery = (id: string) => ({ queryKey: ['incident', id, 'pictures', 'affected'], queryFn: () => api('GET', '/api/incidents/:id/pictures/affected', { params: { id } }) });
const deliveryQuery = (id: string) => ({ queryKey: ['incident', id, 'pictures', 'delivery'], queryFn: () => api('GET', '/api/incidents/:id/pictures/delivery', { params: { id } }) });

const DELIVERY_STATES = ['sent', 'deferred', 'bounced', 'failed'] as const;

/** What every chart here shares: an SVG that takes no focus, hidden as it is from assistive technology (a table speaks for it); bars no wider than a finger when there are few. */
const CHART_PROPS = { barChartProps: { accessibilityLayer: false }, maxBarWidth: 64 };

/** A bucket's start as its bar is labelled: in UTC, as the server counted, to the unit's precision. */
function useBucketLabel(unit: Unit): (start: string) => string {
  const intl = useIntl();
  const options: Record<Unit, Intl.DateTimeFormatOptions> = {
    minute: { dateStyle: 'medium', timeStyle: 'short' },
    hour: { dateStyle: 'medium', timeStyle: 'short' },
    day: { dateStyle: 'medium' },
    month: { month: 'long', year: 'numeric' },
  };
  return (start) => intl.formatDate(start, { ...options[unit], timeZone: 'UTC' });
}

/** The incident in pictures: the attack over time, whom it reached, how the notices went out. */
export default function PicturesPage({ id }: { id: string }) {
  const t = useMessage();
  const { data: pipeline } = useSuspenseQuery(pipelineQuery(id));
  const scoped = pipeline.facts.scope_runs > 0;
  return (
    <Stack gap="xl">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('affected.back')}
      </AnchorLink>
      <Title order={1}>{t('pictures.title')}</Title>
      {scoped ? (
        <>
          <RequestsPicture id={id} />
          <AffectedPictures id={id} />
        </>
      ) : (
        <Text c="dimmed">{t('pictures.notScoped')}</Text>
      )}
      <DeliveryPicture id={id} />
    </Stack>
  );
}

/**
 * A chart with its text alternative: the picture is hidden from screen readers, which read the
 * same numbers from a table of their own instead; the caption under it is for everyone.
 */
function Figure({ title, caption, chart, table }: { title: string; caption: ReactNode; chart: ReactNode; table: ReactNode }) {
  const titleId = useId();
  return (
    <section aria-labelledby={titleId}>
      <Title order={2} size="h3" id={titleId} mb="sm">
        {title}
      </Title>
      <figure className="picture" aria-labelledby={titleId}>
        <div aria-hidden="true">{chart}</div>
        <Text component="figcaption" size="sm" c="dimmed" mt="xs">
          {caption}
        </Text>
        <VisuallyHidden>{table}</VisuallyHidden>
      </figure>
    </section>
  );
}

/** A two-or-more column table of the numbers a chart draws. */
function NumbersTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: (string | number)[][] }) {
  const intl = useIntl();
  return (
    <Table>
      <Table.Caption>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          {columns.map((column) => (
            <Table.Th key={column} scope="col">
              {column}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map(([head, ...cells]) => (
          <Table.Tr key={String(head)}>
            <Table.Th scope="row">{head}</Table.Th>
            {cells.map((cell, k) => (
              <Table.Td key={k}>{typeof cell === 'number' ? intl.formatNumber(cell) : cell}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The attacker's requests as a histogram, the indicators' window shaded behind the bars. */
function RequestsPicture({ id }: { id: string }) {
  const t = useMessage();
  const intl = useIntl();
  const picture = useQuery(requestsQuery(id));
  const label = useBucketLabel(picture.data?.unit ?? 'day');
  if (!picture.data) return picture.error ? <ErrorAlert error={picture.error} /> : <Skeleton h={300} />;
  const { unit, window, buckets } = picture.data;
  const data = buckets.map((bucket) => ({ period: label(bucket.start), requests: bucket.requests }));
  // The window's ends fall in buckets: the shading runs from the bucket of `from` to that of `until`.
  const bucketOf = (at: string | null, fallback: number) => (at === null ? fallback : Math.max(0, buckets.findLastIndex((bucket) => bucket.start <= at)));
  const hasWindow = buckets.length > 0 && (window.from !== null || window.until !== null);
  const shaded = hasWindow ? { x1: data[bucketOf(window.from, 0)].period, x2: data[bucketOf(window.until, buckets.length - 1)].period } : null;
  const at = (instant: string | null) => (instant === null ? '…' : intl.formatDate(instant, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }));
  const total = buckets.reduce((sum, bucket) => sum + bucket.requests, 0);
  return (
    <Figure
      title={t('pictures.requests.title')}
      caption={
        <>
          {t(`pictures.per.${unit}` as MessageId, { total })} {hasWindow ? t('pictures.requests.window', { from: at(window.from), until: at(window.until) }) : t('pictures.requests.noWindow')}
        </>
      }
      chart={
        <BarChart {...CHART_PROPS} h={300} data={data} dataKey="period" series={[{ name: 'requests', label: t('pictures.requests.series'), color: 'red.8' }]} tickLine="y" yAxisProps={{ allowDecimals: false }} withTooltip={false}>
          {shaded && <ReferenceArea x1={shaded.x1} x2={shaded.x2} fill="var(--mantine-color-yellow-4)" fillOpacity={0.25} ifOverflow="extendDomain" />}
        </BarChart>
      }
      table={<NumbersTable caption={t('pictures.requests.title')} columns={[t('pictures.period'), t('pictures.requests.series')]} rows={data.map((row) => [row.period, row.requests])} />}
    />
  );
}

/** Whom the attack reached: people by country and by the category of data they lost. */
function AffectedPictures({ id }: { id: string }) {
  const t = useMessage();
  const intl = useIntl();
  const picture = useQuery(affectedQuery(id));
  if (!picture.data) return picture.error ? <ErrorAlert error={picture.error} /> : <Skeleton h={600} />;
  const regions = new Intl.DisplayNames([intl.locale], { type: 'region' });
  const countries = picture.data.countries.map((row) => ({ country: row.country === null ? t('pictures.country.unknown') : (regions.of(row.country) ?? row.country), subjects: row.subjects }));
  const categories = picture.data.categories.map((row) => ({ category: t(`category.${row.category}` as MessageId), subjects: row.subjects }));
  const people = t('overview.clock.people.count');
  return (
    <>
      <Figure
        title={t('pictures.countries.title')}
        caption={t('pictures.countries.caption', { affected: picture.data.affected, countries: picture.data.countries.filter((row) => row.country !== null).length })}
        chart={<BarChart {...CHART_PROPS} h={Math.max(160, 36 * countries.length)} data={countries} dataKey="country" orientation="vertical" xAxisProps={{ allowDecimals: false }} yAxisProps={{ width: 140 }} series={[{ name: 'subjects', label: people, color: 'indigo.7' }]} tickLine="x" withTooltip={false} />}
        table={<NumbersTable caption={t('pictures.countries.title')} columns={[t('affected.column.country'), people]} rows={countries.map((row) => [row.country, row.subjects])} />}
      />
      <Figure
        title={t('pictures.categories.title')}
        caption={t('pictures.categories.caption')}
        chart={<BarChart {...CHART_PROPS} h={Math.max(160, 36 * categories.length)} data={categories} dataKey="category" orientation="vertical" xAxisProps={{ allowDecimals: false }} yAxisProps={{ width: 180 }} series={[{ name: 'subjects', label: people, color: 'grape.8' }]} tickLine="x" withTooltip={false} />}
        table={<NumbersTable caption={t('pictures.categories.title')} columns={[t('affected.category'), people]} rows={categories.map((row) => [row.category, row.subjects])} />}
      />
    </>
  );
}

/** The notices over time, stacked by the state each reached: sent, deferred, bounced, failed. */
function DeliveryPicture({ id }: { id: string }) {
  const t = useMessage();
  const picture = useQuery(deliveryQuery(id));
  const label = useBucketLabel(picture.data?.unit ?? 'day');
  if (!picture.data) return picture.error ? <ErrorAlert error={picture.error} /> : <Skeleton h={300} />;
  const { unit, buckets } = picture.data;
  const title = t('pictures.delivery.title');
  if (buckets.length === 0) {
    return (
      <section aria-label={title}>
        <Title order={2} size="h3" mb="sm">
          {title}
        </Title>
        <Text c="dimmed">{t('pictures.delivery.none')}</Text>
      </section>
    );
  }
  const data = buckets.map((bucket) => ({ ...bucket, period: label(bucket.start) }));
  const states = DELIVERY_STATES.map((state) => ({ state, name: t(`noticeState.${state}` as MessageId) }));
  const total = buckets.reduce((sum, bucket) => sum + DELIVERY_STATES.reduce((inBucket, state) => inBucket + bucket[state], 0), 0);
  return (
    <Figure
      title={title}
      caption={`${t(`pictures.per.${unit}` as MessageId, { total })} ${t('pictures.delivery.caption')}`}
      chart={
        <BarChart
          {...CHART_PROPS}
          h={300}
          data={data}
          dataKey="period"
          type="stacked"
          series={states.map(({ state, name }) => ({ name: state, label: name, color: NOTICE_STATE_COLOURS[state] }))}
          tickLine="y"
          yAxisProps={{ allowDecimals: false }}
          withLegend
          // In the order a notice goes through them, not alphabetical (recharts' default).
          legendProps={{ itemSorter: null }}
          withTooltip={false}
        />
      }
      table={<NumbersTable caption={title} columns={[t('pictures.period'), ...states.map(({ name }) => name)]} rows={data.map((row) => [row.period, ...DELIVERY_STATES.map((state) => row[state])])} />}
    />
  );
}
