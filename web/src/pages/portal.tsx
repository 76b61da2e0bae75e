import { Alert, Anchor, Badge, Button, Code, Group, Paper, Skeleton, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormattedDate } from 'react-intl';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';

type Status = ReplyOf<'GET', '/api/incidents/:id/portal'>;
type Faq = Status['faqs'][number];

const portalQuery = (id: string) => ({ queryKey: ['incident', id, 'portal'], queryFn: () => api('GET', '/api/incidents/:id/portal', { params: { id } }) });

/** The incident's page on the customer portal: whether and where it is published, publishing it again or taking it off, and its FAQ in each portal locale. */
export default function PortalPage({ id }: { id: string }) {
  const t = useMessage();
  const status = useQuery(portalQuery(id));
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('records.back')}
      </AnchorLink>
      <Title order={1}>{t('portal.title')}</Title>
      <Text maw={760}>{t('portal.intro')}</Text>
      <ErrorAlert error={status.error} />
      {status.data ? (
        <>
          <Publication id={id} status={status.data} />
          <Faqs id={id} status={status.data} />
        </>
      ) : (
        !status.error && <Skeleton h={320} />
      )}
    </Stack>
  );
}

/** Published or not, at which address; publish (again, with what the incident says now) or take it off. */
function Publication({ id, status }: { id: string; status: Status }) {
  const t = useMessage();
  const can = useCan();
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: portalQuery(id).queryKey });
  const publish = useMutation({ mutationFn: () => api('POST', '/api/incidents/:id/portal/publish', { params: { id }, body: slug.trim() ? { slug: slug.trim() } : {} }), onSuccess: refresh });
  const unpublish = useMutation({ mutationFn: () => api('DELETE', '/api/incidents/:id/portal', { params: { id } }), onSuccess: refresh });
  const page = status.page;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    unpublish.reset();
    publish.mutate();
  };
  return (
    <Paper component="section" aria-labelledby="publication-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="publication-title">
          {t('portal.publication')}
        </Title>
        {page ? (
          <Stack gap={4} role="status">
            <Group gap="xs">
              <Badge color="teal.9">{t('portal.published')}</Badge>
              <Text size="sm">
                <FormattedDate value={page.published_at} dateStyle="medium" timeStyle="short" />
              </Text>
            </Group>
            {/* Only an absolute http(s) address is a link: without public_url the server knows the path alone. */}
            {/^https?:\/\//.test(page.url) ? (
              <Anchor href={page.url} target="_blank" rel="noreferrer" className="portal-url">
                {page.url}
              </Anchor>
            ) : (
              <>
                <Code className="portal-url">{page.url}</Code>
                <Text size="xs" c="gray.7">
                  {t('portal.pathOnly')}
                </Text>
              </>
            )}
          </Stack>
        ) : (
          <Group gap="xs" role="status">
            <Badge color="gray.8">{t('portal.notPublished')}</Badge>
          </Group>
        )}
        {can('incidents:write') && (
          <Stack gap="sm" component="form" onSubmit={submit}>
            <Text size="sm">{t('portal.publish.intro')}</Text>
            <Group align="flex-end">
              <TextInput label={t('portal.slug')} description={t('portal.slug.hint', { slug: page?.slug ?? id })} value={slug} onChange={(event) => setSlug(event.currentTarget.value)} maxLength={64} w={320} />
              <Button type="submit" loading={publish.isPending}>
                {page ? t('portal.publishAgain') : t('portal.publish')}
              </Button>
              {page && (
                <Button
                  color="red.8"
                  variant="outline"
                  loading={unpublish.isPending}
                  onClick={() => {
                    publish.reset();
                    if (window.confirm(t('portal.unpublish.confirm'))) unpublish.mutate();
                  }}
                >
                  {t('portal.unpublish')}
                </Button>
              )}
            </Group>
            <ErrorAlert error={publish.error ?? unpublish.error} />
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

/** Each portal locale's FAQ, as Markdown (one heading per question), written here and checked by the server. */
function Faqs({ id, status }: { id: string; status: Status }) {
  const t = useMessage();
  return (
    <Paper component="section" aria-labelledby="faq-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="faq-title">
          {t('portal.faq')}
        </Title>
        <Text size="sm" maw={760}>
          {t('portal.faq.intro')}
        </Text>
        <Tabs defaultValue={status.faqs[0]?.locale} keepMounted={false}>
          <Tabs.List aria-label={t('portal.faq.locales')}>
            {status.faqs.map((faq) => (
              <Tabs.Tab key={faq.locale} value={faq.locale}>
                {faq.locale}
                {faq.faq === null ? '' : ' ✓'}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {status.faqs.map((faq) => (
            <Tabs.Panel key={faq.locale} value={faq.locale} pt="sm">
              <FaqEditor id={id} faq={faq} publishedAt={status.page?.published_at ?? null} />
            </Tabs.Panel>
          ))}
        </Tabs>
      </Stack>
    </Paper>
  );
}

function FaqEditor({ id, faq, publishedAt }: { id: string; faq: Faq; publishedAt: string | null }) {
  const t = useMessage();
  const can = useCan();
  const queryClient = useQueryClient();
  const [text, setText] = useState(faq.faq ?? '');
  const save = useMutation({
    mutationFn: () => api('PUT', '/api/incidents/:id/portal/faqs/:locale', { params: { id, locale: faq.locale }, body: { faq: text } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: portalQuery(id).queryKey }),
  });
  // ISO instants of one clock compare as text.
  const waiting = faq.updated_at !== null && publishedAt !== null && faq.updated_at > publishedAt;
  if (!can('incidents:write')) {
    return faq.faq === null ? (
      <Text c="dimmed">{t('portal.faq.none')}</Text>
    ) : (
      <Code block className="report-markdown" tabIndex={0} role="region" aria-label={t('portal.faq.in', { locale: faq.locale })}>
        {faq.faq}
      </Code>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Stack gap="sm" component="form" onSubmit={submit}>
      <Textarea
        label={t('portal.faq.in', { locale: faq.locale })}
        description={t('portal.faq.hint')}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={8}
        maxRows={24}
        maxLength={100_000}
        classNames={{ input: 'monospace-input' }}
        spellCheck
      />
      <Group>
        <Button type="submit" loading={save.isPending} disabled={text.trim() === '' || text === faq.faq}>
          {t('portal.faq.save')}
        </Button>
        {faq.updated_at && (
          <Text size="sm" c="gray.7">
            {t('portal.faq.updated')} <FormattedDate value={faq.updated_at} dateStyle="medium" timeStyle="short" />
          </Text>
        )}
      </Group>
      <ErrorAlert error={save.error} />
      {waiting && (
        <Alert color="yellow" variant="light" role="status">
          {t('portal.faq.waiting')}
        </Alert>
      )}
    </Stack>
  );
}
