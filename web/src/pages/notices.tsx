import { Alert, Badge, Button, Group, NativeSelect, Paper, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useIntl } from 'react-intl';
import type { BuildSummary } from '../../../src/notices/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, ApiError, linkTo, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { JobProgress, useIncidentJob } from '../jobs.tsx';
import { sessionQuery, useCan } from '../session.ts';
import { pipelineQuery } from './incidents.tsx';

const approvalQuery = (id: string) => ({
  queryKey: ['incident', id, 'notices', 'approval'],
  queryFn: async () => {
    try {
      return await api('GET', '/api/incidents/:id/notices/approval', { params: { id } });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NO_NOTICES') return null;
      throw error;
    }
  },
});
const previewQuery = (id: string) => ({ queryKey: ['incident', id, 'notices', 'preview'], queryFn: () => api('GET', '/api/incidents/:id/notices/preview', { params: { id } }) });
const checkQuery = (id: string) => ({ queryKey: ['incident', id, 'templates', 'check'], queryFn: () => api('GET', '/api/incidents/:id/templates/check', { params: { id } }) });

type Approval = NonNullable<ReplyOf<'GET', '/api/incidents/:id/notices/approval'>>;
type Preview = ReplyOf<'GET', '/api/incidents/:id/notices/preview'>['items'][number];

/** An incident's notices as customers will see them, what `templates check` finds in them, and their approval under the four-eyes rule. */
export default function NoticesPage({ id }: { id: string }) {
  const t = useMessage();
  const can = useCan();
  const approval = useQuery(approvalQuery(id));
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('affected.back')}
      </AnchorLink>
      <Title order={1}>{t('notices.title')}</Title>
      <AnchorLink to="/incidents/$id/templates" params={{ id }}>
        {t('templates.link')}
      </AnchorLink>
      {can('notices:write') && <BuildForm id={id} />}
      {approval.error ? <ErrorAlert error={approval.error} /> : approval.data === undefined ? <Skeleton h={120} /> : approval.data === null ? <Text>{t('notices.none')}</Text> : <ApprovalPanel id={id} approval={approval.data} />}
      {approval.data && (can('personal_data:read') ? <PreviewPanel id={id} /> : <Alert color="yellow" variant="light">{t('notices.previewForbidden')}</Alert>)}
      <ChecksPanel id={id} />
    </Stack>
  );
}

/** The notices of the latest scope run built, or brought up to date, as `tocsin notices build` does: a job followed live. */
function BuildForm({ id }: { id: string }) {
  const t = useMessage();
  const [shopAddress, setShopAddress] = useState('');
  const { start, job, jobError, jobId, busy } = useIncidentJob(id, () => api('POST', '/api/incidents/:id/notices/build', { params: { id }, body: { shop_address: shopAddress.trim() } }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };
  const built = job?.state === 'succeeded' ? (job.result as BuildSummary) : null;
  return (
    <Paper component="section" aria-labelledby="build-title" withBorder p="md">
      <Stack gap="sm" component="form" onSubmit={submit}>
        <Title order={2} size="h3" id="build-title">
          {t('notices.build')}
        </Title>
        <Text size="sm">{t('notices.build.help')}</Text>
        <Group align="flex-end" gap="sm">
          <TextInput label={t('notices.build.shop')} description={t('notices.build.shop.help')} required value={shopAddress} onChange={(event) => setShopAddress(event.currentTarget.value)} w={360} />
          <Button type="submit" loading={busy}>
            {t('notices.build.submit')}
          </Button>
        </Group>
        <ErrorAlert error={start.error} />
        {jobId && <JobProgress job={job} error={jobError} label={t('notices.build.progress')} />}
        {built && (
          <Text role="status" fw={600}>
            {t('notices.build.done', { total: built.total, run: built.run, added: built.added, updated: built.updated, withdrawn: built.withdrawn, kept: built.kept })}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** Who built the set and when, its approval, and the button for the one who may give it. */
function ApprovalPanel({ id, approval }: { id: string; approval: Approval }) {
  const t = useMessage();
  const intl = useIntl();
  const can = useCan();
  const queryClient = useQueryClient();
  const when = (instant: string) => intl.formatDate(instant, { dateStyle: 'long', timeStyle: 'short' });
  const { data: session } = useSuspenseQuery(sessionQuery);
  const approve = useMutation({
    mutationFn: () => api('POST', '/api/incidents/:id/notices/approve', { params: { id }, body: { built_at: approval.built_at } }),
    onSuccess: (approved) => {
      queryClient.setQueryData(approvalQuery(id).queryKey, approved);
      return queryClient.invalidateQueries({ queryKey: pipelineQuery(id).queryKey });
    },
  });
  const builtBySelf = approval.built_by !== null && approval.built_by.toLowerCase() === session?.account.email.toLowerCase();
  const refusal = !can('notices:approve') ? t('notices.approve.notPrivacy') : builtBySelf ? t('notices.approve.builder') : null;
  return (
    <Paper component="section" aria-labelledby="approval-title" withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h3" id="approval-title">
            {t('notices.approval')}
          </Title>
          {approval.approved_by ? <Badge color="teal.9">{t('notices.approved')}</Badge> : <Badge color="gray.8">{t('notices.waiting')}</Badge>}
        </Group>
        <Text>{t('notices.builtBy', { who: approval.built_by ?? t('notices.unknownBuilder'), date: when(approval.built_at) })}</Text>
        {approval.approved_by && approval.approved_at ? (
          <Text>{t('notices.approvedBy', { who: approval.approved_by, date: when(approval.approved_at) })}</Text>
        ) : (
          <>
            <Text size="sm">{approval.required ? t('notices.rule') : t('notices.notRequired')}</Text>
            <Group gap="sm">
              <Button onClick={() => approve.mutate()} loading={approve.isPending} disabled={refusal !== null} aria-describedby={refusal ? 'approve-refusal' : undefined}>
                {t('notices.approve')}
              </Button>
              {refusal && (
                <Text size="sm" id="approve-refusal">
                  {refusal}
                </Text>
              )}
            </Group>
          </>
        )}
        <ErrorAlert error={approve.error} />
      </Stack>
    </Paper>
  );
}

/** One notice per variant and language, as its reader gets it: the HTML in a frame that runs nothing, the plain text beside it. */
function PreviewPanel({ id }: { id: string }) {
  const t = useMessage();
  const preview = useQuery(previewQuery(id));
  const items = preview.data?.items ?? [];
  const variants = [...new Set(items.map((item) => item.variant))];
  const [variant, setVariant] = useState<string | null>(null);
  const [locale, setLocale] = useState<string | null>(null);
  const shownVariant = variant !== null && variants.includes(variant as Preview['variant']) ? variant : variants[0];
  const locales = items.filter((item) => item.variant === shownVariant).map((item) => item.locale);
  const shownLocale = locale !== null && locales.includes(locale) ? locale : locales[0];
  const shown = items.find((item) => item.variant === shownVariant && item.locale === shownLocale);
  return (
    <section aria-labelledby="preview-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="preview-title">
          {t('notices.preview')}
        </Title>
        {preview.error && <ErrorAlert error={preview.error} />}
        {!preview.data && !preview.error && <Skeleton h={400} />}
        {shown && (
          <>
            <Group gap="sm" align="flex-end">
              <NativeSelect label={t('notices.variant')} value={shownVariant} onChange={(event) => setVariant(event.currentTarget.value)} data={variants} />
              <NativeSelect label={t('notices.locale')} value={shownLocale} onChange={(event) => setLocale(event.currentTarget.value)} data={locales} />
            </Group>
            <Text>
              <Text span fw={600}>
                {t('notices.subjectLine')}
              </Text>{' '}
              {shown.subject_line}
            </Text>
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <Stack gap={4}>
                <Text fw={600} id="preview-html-title">
                  {t('notices.html')}
                </Text>
                {/* No allow-* token: the notice's HTML runs no script, submits no form and reaches no other frame.
                    A frame of its own for each notice (the key): Chromium sometimes kept showing the
                    previous notice when the src of a frame still loading changed again. */}
                <iframe key={htmlAddress(id, shown)} sandbox="" src={htmlAddress(id, shown)} title={t('notices.htmlFrame', { variant: shown.variant, locale: shown.locale })} className="notice-frame" />
              </Stack>
              <Stack gap={4}>
                <Text fw={600}>{t('notices.text')}</Text>
                <Paper withBorder p="sm" component="pre" className="notice-text" tabIndex={0} aria-label={t('notices.text')}>
                  {shown.text}
                </Paper>
              </Stack>
            </SimpleGrid>
          </>
        )}
      </Stack>
    </section>
  );
}

/** The notice's HTML as the server gives it to a frame, under a policy that admits its inline styles (the console's own refuses them). */
function htmlAddress(id: string, preview: Preview): string {
  return linkTo('/api/incidents/:id/notices/preview.html', { params: { id }, query: { variant: preview.variant, locale: preview.locale } });
}

/** What `templates check` finds: each problem with its file and line. */
function ChecksPanel({ id }: { id: string }) {
  const t = useMessage();
  const check = useQuery(checkQuery(id));
  return (
    <section aria-labelledby="check-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="check-title">
          {t('notices.check')}
        </Title>
        {check.error && <ErrorAlert error={check.error} />}
        {!check.data && !check.error && <Skeleton h={80} />}
        {check.data && check.data.problems.length === 0 && (
          <Alert color="green" variant="light">
            {t('notices.check.ok', { dirs: check.data.dirs.join(', ') })}
          </Alert>
        )}
        {check.data && check.data.problems.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="xs" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('notices.check.file')}</Table.Th>
                  <Table.Th scope="col">{t('notices.check.line')}</Table.Th>
                  <Table.Th scope="col">{t('notices.check.problem')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {check.data.problems.map((problem, index) => (
                  <Table.Tr key={index}>
                    <Table.Td ff="monospace">{('file' in problem && problem.file) || '—'}</Table.Td>
                    <Table.Td>{('line' in problem && problem.line) || '—'}</Table.Td>
                    <Table.Td>{problem.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </section>
  );
}
