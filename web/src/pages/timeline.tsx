import { Alert, Button, Group, List, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormattedDate } from 'react-intl';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';
import { fromLocalInput, toLocalInput } from './time-input.ts';

type Incident = ReplyOf<'GET', '/api/incidents/:id'>;

/** The timeline's instants, in the order events happen. */
const FIELDS = ['occurred_from', 'occurred_to', 'discovered_at', 'aware_at', 'assessed_at', 'contained_at', 'closed_at'] as const;
type Field = (typeof FIELDS)[number];

export const auditQuery = (id: string) => ({ queryKey: ['incident', id, 'audit'], queryFn: () => api('GET', '/api/incidents/:id/audit', { params: { id } }) });

/** The timeline, editable by whoever may change the incident; each save is one audited change through the incident service. */
export function Timeline({ incident }: { incident: Incident }) {
  const t = useMessage();
  const can = useCan();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<Field, string>>({} as Record<Field, string>);
  // The inputs' first values: an instant with seconds shows to the minute, and must not count as changed unless edited.
  const [initial, setInitial] = useState<Record<Field, string>>({} as Record<Field, string>);
  const audit = useQuery(auditQuery(incident.id));
  const save = useMutation({
    mutationFn: () => {
      const changes = Object.fromEntries(FIELDS.filter((field) => values[field] !== initial[field]).map((field) => [field, fromLocalInput(values[field])]));
      return api('PATCH', '/api/incidents/:id', { params: { id: incident.id }, body: changes });
    },
    onSuccess: async () => {
      setEditing(false);
      // The clocks, the pipeline and the trail all follow the timeline.
      await queryClient.invalidateQueries({ queryKey: ['incident', incident.id] });
      await queryClient.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
  const startEditing = () => {
    const shown = Object.fromEntries(FIELDS.map((field) => [field, toLocalInput(incident[field])])) as Record<Field, string>;
    setInitial(shown);
    setValues(shown);
    save.reset();
    setEditing(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  // The incident's own record: its opening and each change of its fields, newest first.
  const changes = (audit.data?.items ?? []).filter((entry) => entry.action === 'incident.created' || entry.action === 'incident.updated').slice(-6).reverse();
  const fieldName = (field: string) => ((FIELDS as readonly string[]).includes(field) ? t(`field.${field as Field}`) : field);
  return (
    <section aria-labelledby="timeline-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="timeline-title">
          {t('timeline.title')}
        </Title>
        {can('incidents:write') && !editing && (
          <Button variant="light" onClick={startEditing}>
            {t('timeline.edit')}
          </Button>
        )}
      </Group>
      {save.isSuccess && (
        <Alert color="green" mb="sm" role="status">
          {t('timeline.saved', { count: save.data.changed.length })}
        </Alert>
      )}
      {editing ? (
        <Paper component="form" onSubmit={submit} withBorder p="md">
          <Stack>
            <ErrorAlert error={save.error} />
            {FIELDS.map((field) => (
              <TextInput
                key={field}
                type="datetime-local"
                label={t(`field.${field}`)}
                description={field === 'aware_at' ? undefined : t('timeline.clearHelp')}
                required={field === 'aware_at'}
                value={values[field]}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  setValues((current) => ({ ...current, [field]: value }));
                }}
              />
            ))}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setEditing(false)}>
                {t('timeline.cancel')}
              </Button>
              <Button type="submit" loading={save.isPending}>
                {t('timeline.save')}
              </Button>
            </Group>
          </Stack>
        </Paper>
      ) : (
        <Table verticalSpacing="xs">
          <Table.Tbody>
            {FIELDS.map((field) => (
              <Table.Tr key={field}>
                <Table.Th scope="row" w="45%">
                  {t(`field.${field}`)}
                </Table.Th>
                <Table.Td>{incident[field] ? <FormattedDate value={incident[field]} dateStyle="medium" timeStyle="short" /> : <Text size="sm" c="dimmed">{t('timeline.unset')}</Text>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Title order={3} size="h4" mt="md" mb="xs">
        {t('history.title')}
      </Title>
      {changes.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('history.empty')}
        </Text>
      ) : (
        <List size="sm" spacing={4} className="history">
          {changes.map((entry) => (
            <List.Item key={entry.seq}>
              <FormattedDate value={entry.at} dateStyle="short" timeStyle="short" /> — {t('history.by', { action: entry.action, actor: entry.actor })}
              {': '}
              {Object.keys((entry.details as { changes?: object }).changes ?? {})
                .map(fieldName)
                .join(', ')}
            </List.Item>
          ))}
        </List>
      )}
    </section>
  );
}
