import { Alert, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useIntl } from 'react-intl';
import { AnchorLink } from '../anchor-link.tsx';
import { api } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { sentenceCase } from '../sentence-case.ts';
import { auditQuery } from './timeline.tsx';

/** What each recorded action is called; an action the console does not know yet shows as the server names it. */
const ACTIONS = [
  'incident.created',
  'incident.updated',
  'incident.narrative_set',
  'records.imported',
  'records.purged',
  'detect.run',
  'scope.run',
  'notices.built',
  'templates.initialized',
  'templates.file_written',
  'templates.file_reverted',
  'delivery.started',
  'delivery.ended',
  'delivery.taken_over',
  'delivery.bounces',
  'report.made',
  'report.submitted',
  'report.section_set',
  'report.section_cleared',
  'portal.published',
  'portal.unpublished',
  'portal.faq_set',
  'job.queued',
  'job.cancelled',
  'job.cancel_requested',
  'upload.received',
  'upload.deleted',
  'audit.keyed',
] as const;

/** The details' fields the console names in words; the others show as a phrase made of their name. */
const KEYS = [
  'title',
  'occurred_from',
  'occurred_to',
  'discovered_at',
  'aware_at',
  'contained_at',
  'closed_at',
  'assessed_at',
  'controller',
  'run',
  'locale',
  'locales',
  'parts',
  'path',
  'rules',
  'logs',
  'rows_read',
  'imported',
  'quarantined',
  'subjects',
  'records',
  'added',
  'updated',
  'withdrawn',
  'sent',
  'bounced',
  'failed',
  'deferred',
  'sender',
  'from',
  'rate',
  'per_domain',
  'workers',
  'seconds',
  'jurisdiction',
  'phase',
  'language',
  'unfilled',
  'submitted_at',
  'section',
  'job',
  'kind',
] as const;

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** A recorded value in a line of text: lists joined, instants in the reader's time, objects as compact JSON. */
function useValueText() {
  const intl = useIntl();
  const text = (value: unknown): string => {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'string') return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(value) ? intl.formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : value;
    if (Array.isArray(value)) return value.map(text).join(', ');
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  };
  return text;
}

/** Each entry's details as lines of "label: value"; a change as "label: before → after". */
function useDetailLines() {
  const t = useMessage();
  const valueText = useValueText();
  const label = (key: string) => (isOneOf(KEYS, key) ? t(`auditKey.${key}`) : sentenceCase(key));
  return (details: Record<string, unknown>): string[] =>
    Object.entries(details).flatMap(([key, value]) => {
      if (key === 'changes' && value && typeof value === 'object') {
        return Object.entries(value as Record<string, { before: unknown; after: unknown }>).map(([field, change]) => `${label(field)}: ${valueText(change.before)} → ${valueText(change.after)}`);
      }
      return [`${label(key)}: ${valueText(value)}`];
    });
}

/** The incident's audit trail, searchable, with its chain verified and a checkpoint to keep elsewhere. */
export default function AuditPage({ id }: { id: string }) {
  const t = useMessage();
  const intl = useIntl();
  const trail = useQuery(auditQuery(id));
  const [search, setSearch] = useState('');
  const detailLines = useDetailLines();
  const actionLabel = (action: string) => (isOneOf(ACTIONS, action) ? t(`auditAction.${action}`) : action);
  const entries = (trail.data?.items ?? []).map((entry) => ({
    ...entry,
    label: actionLabel(entry.action),
    lines: detailLines(entry.details as Record<string, unknown>),
    when: intl.formatDate(entry.at, { dateStyle: 'medium', timeStyle: 'medium' }),
  }));
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = entries.filter((entry) => {
    const text = [entry.label, entry.action, entry.actor, entry.when, ...entry.lines].join(' ').toLowerCase();
    return words.every((word) => text.includes(word));
  });
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('affected.back')}
      </AnchorLink>
      <Title order={1}>{t('audit.title')}</Title>
      <Group align="flex-start" grow preventGrowOverflow={false}>
        <Verify id={id} />
        <Checkpoint id={id} />
      </Group>
      <section aria-labelledby="trail-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h3" id="trail-title">
            {t('audit.trail')}
          </Title>
          <TextInput type="search" label={t('audit.search')} value={search} onChange={(event) => setSearch(event.currentTarget.value)} w={320} />
        </Group>
        <ErrorAlert error={trail.error} />
        <Text size="sm" role="status" mb="xs">
          {t('audit.count', { shown: shown.length, total: entries.length })}
        </Text>
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" striped className="audit-trail">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">#</Table.Th>
                <Table.Th scope="col">{t('audit.column.when')}</Table.Th>
                <Table.Th scope="col">{t('audit.column.who')}</Table.Th>
                <Table.Th scope="col">{t('audit.column.what')}</Table.Th>
                <Table.Th scope="col">{t('audit.column.details')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((entry) => (
                <Table.Tr key={entry.seq}>
                  <Table.Td>{entry.seq}</Table.Td>
                  <Table.Td>{entry.when}</Table.Td>
                  <Table.Td>{entry.actor}</Table.Td>
                  <Table.Td>{entry.label}</Table.Td>
                  <Table.Td className="audit-details">
                    {entry.lines.map((line, index) => (
                      <Text key={index} size="xs">
                        {line}
                      </Text>
                    ))}
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

/** The keyed chain checked from its first entry to its head. */
function Verify({ id }: { id: string }) {
  const t = useMessage();
  const verify = useMutation({ mutationFn: () => api('GET', '/api/incidents/:id/audit/verify', { params: { id } }) });
  return (
    <Paper component="section" aria-labelledby="verify-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="verify-title">
          {t('audit.verify')}
        </Title>
        <Text size="sm">{t('audit.verify.intro')}</Text>
        <ErrorAlert error={verify.error} />
        {verify.data && (
          <Alert color={verify.data.intact ? 'green' : 'red'} role="status" variant="light" className="audit-verdict">
            {verify.data.intact ? t('audit.verify.intact', { entries: verify.data.entries }) : `${t('audit.verify.broken')} ${verify.data.message}`}
          </Alert>
        )}
        <Group>
          <Button onClick={() => verify.mutate()} loading={verify.isPending}>
            {t('audit.verify.button')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** A MACed line naming the trail's head, to keep outside the database: a later verify against it shows nothing was rewritten. */
function Checkpoint({ id }: { id: string }) {
  const t = useMessage();
  const checkpoint = useMutation({ mutationFn: () => api('GET', '/api/incidents/:id/audit/checkpoint', { params: { id } }) });
  return (
    <Paper component="section" aria-labelledby="checkpoint-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="checkpoint-title">
          {t('audit.checkpoint')}
        </Title>
        <Text size="sm">{t('audit.checkpoint.intro')}</Text>
        <ErrorAlert error={checkpoint.error} />
        {checkpoint.data && (
          <Code block className="audit-checkpoint">
            {checkpoint.data.line}
          </Code>
        )}
        <Group>
          <Button variant="default" onClick={() => checkpoint.mutate()} loading={checkpoint.isPending}>
            {t('audit.checkpoint.button')}
          </Button>
          {checkpoint.data && (
            <Button component="a" href={`data:text/plain;charset=utf-8,${encodeURIComponent(`${checkpoint.data.line}\n`)}`} download={`audit-checkpoint-${id}-${checkpoint.data.seq}.txt`}>
              {t('audit.checkpoint.download')}
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
