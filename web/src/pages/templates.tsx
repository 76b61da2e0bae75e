import { Alert, Badge, Button, Group, NativeSelect, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { CheckedEditor, type EditorProblem } from '../checked-editor.tsx';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';

type Check = ReplyOf<'GET', '/api/incidents/:id/templates/check'>;
type TemplateFile = ReplyOf<'GET', '/api/incidents/:id/templates/files/:name'>;

const filesQuery = (id: string) => ({ queryKey: ['incident', id, 'templates', 'files'], queryFn: () => api('GET', '/api/incidents/:id/templates/files', { params: { id } }) });
const fileQuery = (id: string, name: string) => ({ queryKey: ['incident', id, 'templates', 'files', name], queryFn: () => api('GET', '/api/incidents/:id/templates/files/:name', { params: { id, name } }) });
const checkQuery = (id: string) => ({ queryKey: ['incident', id, 'templates', 'check'], queryFn: () => api('GET', '/api/incidents/:id/templates/check', { params: { id } }) });
const narrativesQuery = (id: string) => ({ queryKey: ['incident', id, 'narratives'], queryFn: () => api('GET', '/api/incidents/:id/narratives', { params: { id } }) });

/** The file the editor opens first: the plain-text notice of the first language. */
const FIRST = /^[^/]+\/notice\.txt\.liquid$/;

/** An incident's template files and narratives, edited in place and checked by the server as one types. */
export default function TemplatesPage({ id }: { id: string }) {
  const t = useMessage();
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id/notices" params={{ id }} size="sm">
        ← {t('templates.back')}
      </AnchorLink>
      <Title order={1}>{t('templates.title')}</Title>
      <TemplateFiles id={id} />
      <Narratives id={id} />
    </Stack>
  );
}

/** The file picker, and the chosen file's editor. */
function TemplateFiles({ id }: { id: string }) {
  const t = useMessage();
  const can = useCan();
  const files = useQuery(filesQuery(id));
  const items = files.data?.items ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const name = chosen ?? items.find((item) => FIRST.test(item.name))?.name ?? items[0]?.name;
  const file = useQuery({ ...fileQuery(id, name ?? ''), enabled: name !== undefined });
  const [done, setDone] = useState<string | null>(null);
  return (
    <section aria-labelledby="template-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="template-title">
          {t('templates.file')}
        </Title>
        {files.data?.notices_stale && (
          <Alert color="yellow" variant="light" role="alert">
            {t('templates.stale')}
          </Alert>
        )}
        <Text size="sm">{can('notices:write') ? t('templates.rebuildNote') : t('templates.readOnly')}</Text>
        <ErrorAlert error={files.error ?? file.error} />
        {name !== undefined && (
          <NativeSelect
            label={t('templates.pick')}
            value={name}
            onChange={(event) => (setChosen(event.currentTarget.value), setDone(null))}
            data={items.map((item) => ({ value: item.name, label: item.overridden ? t('templates.own', { name: item.name }) : item.name }))}
            maw={480}
          />
        )}
        {/* Keyed by the file as saved: a save or a revert starts the draft again from what the server now has. */}
        <Text size="sm" fw={600} role="status">
          {done}
        </Text>
        {file.data ? <TemplateFileEditor key={`${file.data.name}:${file.data.sha256}:${file.data.overridden}`} id={id} file={file.data} onDone={setDone} /> : !file.error && <Skeleton h={300} />}
      </Stack>
    </section>
  );
}

/** Problems of one file, its path and line left out of the message (the editor shows both already). */
function problemsOf(check: Check | undefined, name: string): EditorProblem[] {
  return (check?.problems ?? [])
    .filter((problem) => problem.name === name)
    .map((problem) => {
      const file = 'file' in problem ? problem.file : undefined;
      const message = file && problem.message.startsWith(file) ? problem.message.slice(file.length).replace(/^(?:, line \d+)?[:,]\s*/, '') : problem.message;
      return { line: 'line' in problem ? problem.line : null, message };
    });
}

/** One template file: a draft checked by the server (a dry run) as one types, saved whole or reverted to the built-in file. */
function TemplateFileEditor({ id, file, onDone }: { id: string; file: TemplateFile; onDone(said: string): void }) {
  const t = useMessage();
  const can = useCan();
  const writes = can('notices:write');
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(file.text);
  const [settled] = useDebouncedValue(draft, 400);
  const saved = useQuery(checkQuery(id));
  const changed = settled !== file.text;
  const dryRun = useQuery({
    queryKey: ['incident', id, 'templates', 'draft', file.name, settled],
    queryFn: () => api('PUT', '/api/incidents/:id/templates/files/:name', { params: { id, name: file.name }, body: { text: settled, dry_run: true } }),
    enabled: writes && changed,
    placeholderData: (previous) => previous,
  });
  const check = changed && writes ? dryRun.data?.check : saved.data;
  const checking = draft !== settled || (changed && writes ? dryRun.isFetching : saved.isPending);
  const problems = problemsOf(check, file.name);
  const others = (check?.problems ?? []).filter((problem) => problem.name !== file.name).length;
  const done = (written: ReplyOf<'PUT', '/api/incidents/:id/templates/files/:name'>) => {
    queryClient.setQueryData(checkQuery(id).queryKey, written.check);
    onDone(written.file.overridden ? t('templates.saved', { name: file.name }) : t('templates.reverted', { name: file.name }));
    // The previews render from the files as they now are; the list and the file say what is saved.
    return Promise.all([
      queryClient.invalidateQueries({ queryKey: filesQuery(id).queryKey }),
      queryClient.invalidateQueries({ queryKey: ['incident', id, 'notices', 'preview'] }),
    ]);
  };
  const save = useMutation({ mutationFn: () => api('PUT', '/api/incidents/:id/templates/files/:name', { params: { id, name: file.name }, body: { text: draft } }), onSuccess: done });
  const revert = useMutation({ mutationFn: () => api('DELETE', '/api/incidents/:id/templates/files/:name', { params: { id, name: file.name } }), onSuccess: done });
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Badge color={file.overridden ? 'indigo.9' : 'gray.8'}>{file.overridden ? t('templates.ownCopy') : t('templates.builtIn')}</Badge>
        <Text size="xs" ff="monospace" c="gray.7">
          sha256 {file.sha256?.slice(0, 16)}
        </Text>
      </Group>
      <CheckedEditor
        id="template-text"
        label={t('templates.editor', { name: file.name })}
        value={draft}
        onChange={writes ? setDraft : undefined}
        problems={problems}
        checking={checking}
        valid={check && [t('templates.valid'), others > 0 ? t('templates.others', { count: others }) : ''].join(' ')}
        error={dryRun.error ?? saved.error}
      />
      {problems.length > 0 && others > 0 && <Text size="sm">{t('templates.others', { count: others })}</Text>}
      {writes && (
        <Group gap="sm">
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={draft === file.text}>
            {t('templates.save')}
          </Button>
          {file.overridden && (
            <Button variant="default" onClick={() => revert.mutate()} loading={revert.isPending}>
              {t('templates.revert')}
            </Button>
          )}
        </Group>
      )}
      <ErrorAlert error={save.error ?? revert.error} />
    </Stack>
  );
}

/** The incident's narrative in each language its notices may be in, edited as Markdown, checked as one types, saved through the incident. */
function Narratives({ id }: { id: string }) {
  const t = useMessage();
  const narratives = useQuery(narrativesQuery(id));
  const files = useQuery(filesQuery(id));
  const written = narratives.data?.items ?? [];
  // The languages notices are written in (each with its language alone: "en" serves en-GB and en-US), and any a narrative was set for.
  const fromTemplates = (files.data?.items ?? []).filter((item) => FIRST.test(item.name)).flatMap((item) => {
    const tag = item.name.split('/')[0];
    return [tag, tag.split('-')[0]];
  });
  const locales = [...new Set([...written.map((item) => item.locale), ...fromTemplates])].sort();
  const [chosen, setChosen] = useState<string | null>(null);
  const locale = chosen ?? written[0]?.locale ?? locales[0];
  const text = written.find((item) => item.locale === locale)?.text;
  return (
    <section aria-labelledby="narratives-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="narratives-title">
          {t('narratives.title')}
        </Title>
        <Text size="sm">{t('narratives.help')}</Text>
        <ErrorAlert error={narratives.error} />
        {locale !== undefined && narratives.data && (
          <>
            <NativeSelect
              label={t('narratives.locale')}
              value={locale}
              onChange={(event) => setChosen(event.currentTarget.value)}
              data={locales.map((value) => ({ value, label: written.some((item) => item.locale === value) ? value : t('narratives.missing', { locale: value }) }))}
              maw={320}
            />
            <NarrativeEditor key={`${locale}:${text ?? ''}`} id={id} locale={locale} text={text} />
          </>
        )}
        {!narratives.data && !narratives.error && <Skeleton h={200} />}
      </Stack>
    </section>
  );
}

function NarrativeEditor({ id, locale, text }: { id: string; locale: string; text: string | undefined }) {
  const t = useMessage();
  const can = useCan();
  const writes = can('incidents:write');
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(text ?? t('narratives.starter'));
  const [settled] = useDebouncedValue(draft, 400);
  const check = useQuery({ queryKey: ['narrative-check', settled], queryFn: () => api('POST', '/api/narratives/check', { body: { text: settled } }), placeholderData: (previous) => previous });
  const save = useMutation({
    mutationFn: () => api('PATCH', '/api/incidents/:id', { params: { id }, body: { narratives: { [locale]: draft } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['incident', id] }),
  });
  const problems = check.data?.problems ?? [];
  return (
    <Stack gap="xs">
      {text === undefined && <Text size="sm">{t('narratives.none')}</Text>}
      <CheckedEditor
        id="narrative-text"
        label={t('narratives.editor', { locale })}
        value={draft}
        onChange={writes ? setDraft : undefined}
        problems={problems}
        checking={draft !== settled || check.isPending}
        valid={check.data && t('narratives.valid', { parts: check.data.parts.map((part) => t(`narratives.part.${part}` as 'narratives.part.what_happened')).join(', ') })}
        error={check.error}
      />
      {writes ? (
        <Group gap="sm">
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={draft === text || problems.length > 0}>
            {t('narratives.save')}
          </Button>
        </Group>
      ) : (
        <Text size="sm">{t('narratives.readOnly')}</Text>
      )}
      <ErrorAlert error={save.error} />
    </Stack>
  );
}
