import { Badge, Button, Group, Modal, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { Countdown } from '../countdown.tsx';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { INCIDENT_STATUSES, type IncidentStatus, incidentStatus, STATUS_COLOURS } from '../incident-status.ts';
import { useCan } from '../session.ts';
import { fromLocalInput, toLocalInput } from './time-input.ts';

type Incident = ReplyOf<'GET', '/api/incidents'>['items'][number];

export const incidentsQuery = { queryKey: ['incidents'], queryFn: () => api('GET', '/api/incidents') };
// The countdowns tick in the browser from due_at; the stages are fetched again when the page is opened or regains focus.
export const pipelineQuery = (id: string) => ({ queryKey: ['incident', id, 'pipeline'], queryFn: () => api('GET', '/api/incidents/:id/pipeline', { params: { id } }) });

/** The incidents, filtered by status as the URL says (`?status=open`), so a view can be shared by link. */
export function IncidentsPage({ status }: { status: IncidentStatus | undefined }) {
  const t = useMessage();
  const can = useCan();
  const navigate = useNavigate({ from: '/incidents' });
  const { data } = useSuspenseQuery(incidentsQuery);
  const [creating, setCreating] = useState(false);
  const shown = data.items.filter((incident) => status === undefined || incidentStatus(incident) === status);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('incidents.title')}</Title>
        {can('incidents:write') && <Button onClick={() => setCreating(true)}>{t('incidents.new')}</Button>}
      </Group>
      <Group>
        <Text id="status-filter" size="sm" fw={600}>
          {t('incidents.filter')}
        </Text>
        <SegmentedControl
          aria-labelledby="status-filter"
          value={status ?? 'all'}
          onChange={(value) => navigate({ search: { status: value === 'all' ? undefined : (value as IncidentStatus) } })}
          data={['all', ...INCIDENT_STATUSES].map((value) => ({ value, label: t(`status.${value}` as MessageId) }))}
        />
      </Group>
      <Table.ScrollContainer minWidth={720}>
        <Table striped highlightOnHover verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('incidents.column.title')}</Table.Th>
              <Table.Th scope="col">{t('incidents.column.status')}</Table.Th>
              <Table.Th scope="col">{t('incidents.column.deadline')}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t('incidents.column.affected')}
              </Table.Th>
              <Table.Th scope="col">{t('incidents.column.aware')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((incident) => (
              <IncidentRow key={incident.id} incident={incident} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {shown.length === 0 && <Text c="dimmed">{t('incidents.empty')}</Text>}
      <Modal opened={creating} onClose={() => setCreating(false)} title={t('create.title')} closeButtonProps={{ 'aria-label': t('create.cancel') }}>
        <CreateIncidentForm onCancel={() => setCreating(false)} />
      </Modal>
    </Stack>
  );
}

function IncidentRow({ incident }: { incident: Incident }) {
  const t = useMessage();
  const pipeline = useQuery(pipelineQuery(incident.id));
  const status = incidentStatus(incident);
  const deadline = pipeline.data?.next_deadline;
  return (
    <Table.Tr>
      <Table.Td>
        <AnchorLink to="/incidents/$id" params={{ id: incident.id }} fw={600}>
          {incident.title}
        </AnchorLink>
        <Text size="xs" c="dimmed" ff="monospace">
          {incident.id}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLOURS[status]}>
          {t(`status.${status}`)}
        </Badge>
      </Table.Td>
      <Table.Td>
        {pipeline.data &&
          (deadline ? (
            <Stack gap={0}>
              <Countdown dueAt={deadline.due_at} />
              <Text size="xs" c="dimmed">
                {t(`countdown.to.${deadline.to}`, { jurisdiction: deadline.jurisdiction })}
              </Text>
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              {t('incidents.noDeadline')}
            </Text>
          ))}
      </Table.Td>
      <Table.Td ta="right">
        {pipeline.data &&
          (pipeline.data.affected === null ? (
            <Text size="sm" c="dimmed">
              {t('incidents.notScoped')}
            </Text>
          ) : (
            <FormattedNumber value={pipeline.data.affected} />
          ))}
      </Table.Td>
      <Table.Td>
        <FormattedDate value={incident.aware_at} dateStyle="medium" timeStyle="short" />
      </Table.Td>
    </Table.Tr>
  );
}

function CreateIncidentForm({ onCancel }: { onCancel(): void }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [awareAt, setAwareAt] = useState(() => toLocalInput(new Date().toISOString()));
  const [discoveredAt, setDiscoveredAt] = useState('');
  const [controller, setController] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api('POST', '/api/incidents', {
        body: { title, aware_at: fromLocalInput(awareAt)!, ...(discoveredAt && { discovered_at: fromLocalInput(discoveredAt) }), ...(controller && { controller }), ...(contactEmail && { contact_email: contactEmail }) },
      }),
    onSuccess: async (incident) => {
      await queryClient.invalidateQueries({ queryKey: incidentsQuery.queryKey });
      await navigate({ to: '/incidents/$id', params: { id: incident.id } });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <ErrorAlert error={create.error} />
        <TextInput label={t('create.name')} required data-autofocus value={title} onChange={(event) => setTitle(event.currentTarget.value)} />
        <TextInput label={t('create.awareAt')} description={t('create.awareHelp')} type="datetime-local" required value={awareAt} onChange={(event) => setAwareAt(event.currentTarget.value)} />
        <TextInput label={t('create.discoveredAt')} type="datetime-local" value={discoveredAt} onChange={(event) => setDiscoveredAt(event.currentTarget.value)} />
        <TextInput label={t('create.controller')} value={controller} onChange={(event) => setController(event.currentTarget.value)} />
        <TextInput label={t('create.contactEmail')} description={t('create.contactHelp')} type="email" value={contactEmail} onChange={(event) => setContactEmail(event.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t('create.cancel')}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t('create.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
