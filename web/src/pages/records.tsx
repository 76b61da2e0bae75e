import { Button, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
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
    </Stack>
  );
}

/** An upload imported with a preset, the preset's columns shown before, the job followed live. */
function ImportForm({ id, uploaded }: { id: string; uploaded: string | null }) {
  const t = useMessage();
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
        </Group>
        {!uploads.isPending && !uploads.data?.items.length && <Text c="dimmed">{t('records.import.noUploads')}</Text>}
        <ErrorAlert error={start.error ?? uploads.error ?? presets.error} />
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

/** Rows the table shows: enough to see what went wrong; the CLI lists them all. */
const QUARANTINE_SHOWN = 500;

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
              {items.slice(0, QUARANTINE_SHOWN).map((item) => (
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
      {items.length > QUARANTINE_SHOWN && (
        <Text size="sm" mt="xs">
          {t('records.quarantine.more', { shown: QUARANTINE_SHOWN, command: `tocsin quarantine ${id}` })}
        </Text>
      )}
    </section>
  );
}

/** The last part of a path the server gave: an upload's id, or the file's name. */
const fileName = (path: string) => path.split(/[\\/]/).at(-1) ?? path;
