import { Alert, Button, Checkbox, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { FormattedNumber } from 'react-intl';
import type { importView } from '../../../src/records/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { JobProgress, useIncidentJob } from '../jobs.tsx';
import { useCan } from '../session.ts';
import { UploadForm, uploadsQuery, useUploadText } from '../uploads.tsx';

type ImportResult = ReturnType<typeof importView>;

const presetsQuery = { queryKey: ['import-presets'], queryFn: () => api('GET', '/api/import-presets'), staleTime: Infinity };
const quarantineQuery = (id: string) => ({ queryKey: ['incident', id, 'quarantine'], queryFn: () => api('GET', '/api/incidents/:id/quarantine', { params: { id } }) });

/** The shop's records: an export uploaded and imported through a preset, and the rows the imports set aside. */
export default function RecordsPage({ id }: { id: string }) {
  const t = useMessage();
  const can = useCan();
  const [uploaded, setUploaded] = useState<string | null>(null);
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('records.back')}
      </AnchorLink>
      <Title order={1}>{t('records.title')}</Title>
      {can('records:write') && (
        <>
          <section aria-labelledby="upload-title">
            <Title order={2} size="h3" id="upload-title" mb="sm">
              {t('records.upload')}
            </Title>
            <UploadForm incidentId={id} label={t('records.upload.file')} onUploaded={(upload) => setUploaded(upload.upload_id)} />
          </section>
          <ImportForm id={id} uploaded={uploaded} />
        </>
      )}
      <Quarantine id={id} />
      {can('records:write') && <Purge id={id} />}
    </Stack>
  );
}

/** An upload imported with a preset, the preset's columns shown before, the job followed live. */
function ImportForm({ id, uploaded }: { id: string; uploaded: string | null }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const uploadText = useUploadText();
  const uploads = useQuery(uploadsQuery(id));
  const presets = useQuery(presetsQuery);
  const [uploadId, setUploadId] = useState('');
  const [presetName, setPresetName] = useState('');
  // A new upload is what one imports next.
  useEffect(() => {
    if (uploaded) setUploadId(uploaded);
  }, [uploaded]);
  const chosenUpload = uploadId || uploads.data?.items[0]?.upload_id || '';
  const preset = presets.data?.items.find((item) => item.name === (presetName || presets.data?.items[0]?.name));
  const { start, job, jobError, jobId, busy } = useIncidentJob(id, () => api('POST', '/api/incidents/:id/imports', { params: { id }, body: { path: chosenUpload, preset: preset?.name } }));
  // An export uploaded by mistake (the wrong file, the wrong shop) need not stay on the server.
  const remove = useMutation({
    mutationFn: (uploadId: string) => api('DELETE', '/api/incidents/:id/uploads/:upload_id', { params: { id, upload_id: uploadId } }),
    onSuccess: () => {
      setUploadId('');
      return queryClient.invalidateQueries({ queryKey: uploadsQuery(id).queryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };
  const result = job?.state === 'succeeded' ? (job.result as ImportResult) : null;
  return (
    <section aria-labelledby="import-title">
      <Title order={2} size="h3" id="import-title" mb="sm">
        {t('records.import')}
      </Title>
      <Stack gap="sm" component="form" onSubmit={submit}>
        <Group align="flex-end" gap="sm">
          <NativeSelect
            label={t('records.import.upload')}
            value={chosenUpload}
            onChange={(event) => setUploadId(event.currentTarget.value)}
            data={(uploads.data?.items ?? []).map((upload) => ({ value: upload.upload_id, label: uploadText(upload) }))}
            disabled={!uploads.data?.items.length}
            w={360}
          />
          <NativeSelect
            label={t('records.import.preset')}
            value={preset?.name ?? ''}
            onChange={(event) => setPresetName(event.currentTarget.value)}
            data={(presets.data?.items ?? []).map((item) => item.name)}
          />
          <Button type="submit" disabled={!chosenUpload || !preset} loading={busy}>
            {t('records.import.submit')}
          </Button>
          <Button variant="outline" color="red.9" disabled={!chosenUpload} loading={remove.isPending} onClick={() => window.confirm(t('records.upload.remove.confirm')) && remove.mutate(chosenUpload)}>
            {t('records.upload.remove')}
          </Button>
        </Group>
        {!uploads.isPending && !uploads.data?.items.length && <Text c="dimmed">{t('records.import.noUploads')}</Text>}
        <ErrorAlert error={start.error ?? remove.error ?? uploads.error ?? presets.error} />
        {jobId && <JobProgress job={job} error={jobError} label={t('records.import.progress')} />}
        {result && (
          <Text role="status" fw={600}>
            {t('records.import.done', { imported: result.imported, rows: result.rows_read, quarantined: result.quarantined, subjects: result.incident_subjects })}
          </Text>
        )}
      </Stack>
      {preset && (
        <Stack gap="xs" mt="md">
          <Text size="sm">{preset.description}</Text>
          <Text size="sm">{t('records.preset.roles', { key: preset.key, subject: preset.subject })}</Text>
          <Table.ScrollContainer minWidth={400} mah={320}>
            <Table verticalSpacing={4} striped aria-label={t('records.preset.columns', { preset: preset.name })}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('records.preset.column')}</Table.Th>
                  <Table.Th scope="col">{t('records.preset.category')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preset.columns.map(({ column, category }) => (
                  <Table.Tr key={column}>
                    <Table.Td ff="monospace">{column}</Table.Td>
                    <Table.Td>{t(`category.${category}` as MessageId)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      )}
    </section>
  );
}

/** Rows a table of people or rows shows: enough to see what is there; the CLI lists them all. */
const ROWS_SHOWN = 500;

/** The rows imports set aside, each with its file, line and why: people who cannot be told until fixed. */
function Quarantine({ id }: { id: string }) {
  const t = useMessage();
  const quarantine = useQuery(quarantineQuery(id));
  const items = quarantine.data?.items ?? [];
  return (
    <section aria-labelledby="quarantine-title">
      <Title order={2} size="h3" id="quarantine-title" mb="sm">
        {t('records.quarantine')}
      </Title>
      <ErrorAlert error={quarantine.error} />
      <Text size="sm" c="gray.7" mb="xs">
        {t('records.quarantine.count', { count: items.length })}
      </Text>
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('records.quarantine.file')}</Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('records.quarantine.line')}
                </Table.Th>
                <Table.Th scope="col">{t('records.quarantine.reason')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.slice(0, ROWS_SHOWN).map((item) => (
                <Table.Tr key={`${item.import_id}:${item.line}`}>
                  <Table.Td ff="monospace">{fileName(item.path)}</Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={item.line} />
                  </Table.Td>
                  <Table.Td>{item.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {items.length > ROWS_SHOWN && (
        <Text size="sm" mt="xs">
          {t('records.quarantine.more', { shown: ROWS_SHOWN, command: `tocsin quarantine ${id}` })}
        </Text>
      )}
    </section>
  );
}

/**
 * Data minimization: the records of everyone the latest scope run did not find affected (and who
 * has no notice) deleted for good. The plan is asked for first and shown, then confirmed.
 */
function Purge({ id }: { id: string }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const [sure, setSure] = useState(false);
  const plan = useMutation({ mutationFn: () => api('GET', '/api/incidents/:id/purge', { params: { id } }) });
  const purge = useMutation({
    mutationFn: () => api('POST', '/api/incidents/:id/purge', { params: { id }, body: { unaffected: true } }),
    onSuccess: () => {
      plan.reset();
      setSure(false);
      return queryClient.invalidateQueries({ queryKey: ['incident', id] });
    },
  });
  const planned = plan.data;
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    if (window.confirm(t('records.purge.confirm', { subjects: planned?.subjects ?? 0 }))) purge.mutate();
  };
  return (
    <section aria-labelledby="purge-title">
      <Title order={2} size="h3" id="purge-title" mb="sm">
        {t('records.purge')}
      </Title>
      <Stack gap="sm" maw={760}>
        <Text size="sm">{t('records.purge.intro')}</Text>
        <Group>
          <Button variant="default" onClick={() => { purge.reset(); plan.mutate(); }} loading={plan.isPending}>
            {t('records.purge.plan')}
          </Button>
        </Group>
        <ErrorAlert error={plan.error ?? purge.error} />
        {purge.data && (
          <Alert color="green" variant="light" role="status">
            {t('records.purge.done', { records: purge.data.records, subjects: purge.data.subjects })}
            {!purge.data.reclaimed && ` ${t('records.purge.notReclaimed')}`}
          </Alert>
        )}
        {planned && (
          <Stack gap="sm" component="form" onSubmit={confirm} className="purge-plan">
            <Text fw={600} role="status">
              {t('records.purge.planned', { run: planned.run, records: planned.records, subjects: planned.subjects, kept: planned.kept_with_notice })}
            </Text>
            {planned.people.length > 0 && (
              <>
                <Table.ScrollContainer minWidth={400} mah={320}>
                  <Table verticalSpacing={4} striped aria-label={t('records.purge.people')}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">{t('records.purge.person')}</Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('records.purge.records')}
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {planned.people.slice(0, ROWS_SHOWN).map((person) => (
                        <Table.Tr key={person.subject}>
                          <Table.Td ff="monospace">{person.subject}</Table.Td>
                          <Table.Td ta="right">
                            <FormattedNumber value={person.records} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                {planned.people.length > ROWS_SHOWN && <Text size="sm">{t('records.quarantine.more', { shown: ROWS_SHOWN, command: `tocsin purge ${id} --unaffected --dry-run` })}</Text>}
                <Checkbox label={t('records.purge.sure')} checked={sure} onChange={(event) => setSure(event.currentTarget.checked)} />
                <Group>
                  <Button type="submit" color="red.8" disabled={!sure} loading={purge.isPending}>
                    {t('records.purge.submit', { subjects: planned.subjects })}
                  </Button>
                </Group>
              </>
            )}
          </Stack>
        )}
      </Stack>
    </section>
  );
}

/** The last part of a path the server gave: an upload's id, or the file's name. */
const fileName = (path: string) => path.split(/[\\/]/).at(-1) ?? path;
