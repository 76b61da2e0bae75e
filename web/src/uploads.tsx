import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useIntl } from 'react-intl';
import { api, ApiError, type ReplyOf } from './api.ts';
import { ErrorAlert } from './errors.tsx';
import { useMessage } from './i18n.tsx';

export type Upload = ReplyOf<'POST', '/api/incidents/:id/uploads'>;
export type ListedUpload = ReplyOf<'GET', '/api/incidents/:id/uploads'>['items'][number];

export const uploadsQuery = (id: string) => ({ queryKey: ['incident', id, 'uploads'], queryFn: () => api('GET', '/api/incidents/:id/uploads', { params: { id } }) });

/**
 * Sends one file to the incident's uploads. XMLHttpRequest rather than fetch: only it tells how
 * much of the body has gone, which the progress bar shows.
 */
function sendUpload(incidentId: string, file: File, onProgress: (sent: number, total: number) => void): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/incidents/${encodeURIComponent(incidentId)}/uploads`);
    request.responseType = 'json';
    request.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    request.addEventListener('load', () => {
      if (request.status === 201) return resolve(request.response as Upload);
      const error = (request.response as { error?: { code?: string; message?: string } } | null)?.error ?? {};
      reject(new ApiError(request.status, String(error.code ?? 'HTTP_ERROR'), String(error.message ?? request.statusText), null));
    });
    request.addEventListener('error', () => reject(new TypeError('network')));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

/** A file picked and uploaded to the incident, with a progress bar as it goes. */
export function UploadForm({ incidentId, label, onUploaded }: { incidentId: string; label: string; onUploaded(upload: Upload): void }) {
  const t = useMessage();
  const inputId = useId();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setSent({ done: 0, total: file.size });
    try {
      const upload = await sendUpload(incidentId, file, (done, total) => setSent({ done, total }));
      await queryClient.invalidateQueries({ queryKey: uploadsQuery(incidentId).queryKey });
      onUploaded(upload);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const percent = sent && sent.total > 0 ? (sent.done / sent.total) * 100 : 0;
  return (
    <Stack gap="xs" component="form" onSubmit={submit}>
      <Group align="flex-end" gap="sm">
        <Stack gap={4}>
          <label htmlFor={inputId} className="field-label">
            {label}
          </label>
          <input id={inputId} type="file" onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)} />
        </Stack>
        <Button type="submit" disabled={!file} loading={busy}>
          {t('upload.submit')}
        </Button>
      </Group>
      {sent && (
        <Stack gap={2}>
          <Progress value={percent} color={error ? 'red.8' : 'blue.8'} aria-label={t('upload.progress')} />
          <Text size="xs" c="gray.7" role="status">
            {t('upload.sent', { done: Math.round(sent.done / 1024), total: Math.round(sent.total / 1024) })}
          </Text>
        </Stack>
      )}
      <ErrorAlert error={error} />
    </Stack>
  );
}

/** An upload as pickers name it: the server keeps no file name, so its id's start, its size and when it came. */
export function useUploadText() {
  const intl = useIntl();
  return (upload: ListedUpload) =>
    `${upload.upload_id.slice(0, 8)} · ${intl.formatNumber(upload.bytes / 1024, { maximumFractionDigits: 1 })} KB · ${intl.formatDate(upload.created_at, { dateStyle: 'medium', timeStyle: 'short' })}`;
}
