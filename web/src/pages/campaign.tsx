import { Alert, Badge, Button, FileInput, Group, NumberInput, Paper, Progress, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { FINAL_NOTICE_STATES, NOTICE_STATES } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, linkTo, type ReplyOf, uploadFile } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { NOTICE_STATE_COLOURS } from '../notice-state-colours.ts';
import { useCan } from '../session.ts';

type Progress = ReplyOf<'GET', '/api/incidents/:id/campaigns'>;

/** How often the page asks how far sending is: often while a campaign job is at work, now and then otherwise. */
const POLL_ACTIVE_MS = 2000;
const POLL_IDLE_MS = 15_000;

const campaignQuery = (id: string) => ({ queryKey: ['incident', id, 'campaign'], queryFn: () => api('GET', '/api/incidents/:id/campaigns', { params: { id } }) });

const isActive = (progress: Progress | undefined) => progress?.job?.state === 'queued' || progress?.job?.state === 'running';

/** Sending the notices: start, pause and resume the campaign, its progress and rate live, who was not reached. */
export default function CampaignPage({ id }: { id: string }) {
  const t = useMessage();
  const can = useCan();
  const progress = useQuery({ ...campaignQuery(id), refetchInterval: (query) => (isActive(query.state.data) ? POLL_ACTIVE_MS : POLL_IDLE_MS) });
  const rate = useLiveRate(progress.data, progress.dataUpdatedAt);
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('affected.back')}
      </AnchorLink>
      <Title order={1}>{t('campaign.title')}</Title>
      <ErrorAlert error={progress.error} />
      {can('delivery:write') && <Controls id={id} progress={progress.data} />}
      {progress.data && (
        <>
          <Overview progress={progress.data} rate={rate} />
          <Domains throttles={progress.data.delivery.throttles} />
          {can('uploads:write') && can('delivery:write') && <BounceImport id={id} />}
          {can('personal_data:read') && <Unreached id={id} bounced={progress.data.delivery.states.bounced + progress.data.delivery.states.failed} />}
        </>
      )}
    </Stack>
  );
}

/** Notices finished (sent, bounced or failed) per minute between the last two polls while a campaign job is at work; null when idle or before two polls. */
function useLiveRate(progress: Progress | undefined, updatedAt: number): number | null {
  const last = useRef<{ finished: number; at: number } | null>(null);
  const [rate, setRate] = useState<number | null>(null);
  useEffect(() => {
    if (!progress) return;
    const finished = FINAL_NOTICE_STATES.reduce((sum, state) => sum + progress.delivery.states[state], 0);
    const previous = last.current;
    last.current = { finished, at: updatedAt };
    setRate(isActive(progress) && previous && updatedAt > previous.at ? ((finished - previous.finished) / (updatedAt - previous.at)) * 60_000 : null);
  }, [progress, updatedAt]);
  return rate;
}

function Controls({ id, progress }: { id: string; progress: Progress | undefined }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState('');
  const [rate, setRate] = useState<number | string>('');
  const [perDomain, setPerDomain] = useState<number | string>('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['incident', id] });
  const start = useMutation({
    mutationFn: () =>
      api('POST', '/api/incidents/:id/campaigns', {
        params: { id },
        body: { ...(from.trim() ? { from: from.trim() } : {}), ...(typeof rate === 'number' ? { rate } : {}), ...(typeof perDomain === 'number' ? { per_domain: perDomain } : {}) },
      }),
    onSettled: refresh,
  });
  const pause = useMutation({ mutationFn: () => api('POST', '/api/incidents/:id/campaigns/pause', { params: { id } }), onSettled: refresh });
  const resume = useMutation({ mutationFn: () => api('POST', '/api/incidents/:id/campaigns/resume', { params: { id } }), onSettled: refresh });
  const active = isActive(progress);
  const actions = [start, pause, resume];
  /** One action at a time: the others' errors go, so the alert speaks of the last one tried. */
  const run = (action: (typeof actions)[number]) => {
    for (const other of actions) if (other !== action) other.reset();
    action.mutate();
  };
  const error = actions.find((action) => action.isError)?.error;
  return (
    <Paper component="section" aria-labelledby="controls-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="controls-title">
          {t('campaign.controls')}
        </Title>
        <ErrorAlert error={error} />
        <Group align="flex-end">
          <TextInput label={t('campaign.from')} description={t('campaign.from.help')} value={from} onChange={(event) => setFrom(event.currentTarget.value)} w={280} />
          <NumberInput label={t('campaign.rate')} description={t('campaign.rate.help')} min={0} decimalScale={2} value={rate} onChange={setRate} w={220} />
          <NumberInput label={t('campaign.perDomain')} description={t('campaign.rate.help')} min={0} decimalScale={2} value={perDomain} onChange={setPerDomain} w={220} />
          <Button disabled={active} loading={start.isPending} onClick={() => run(start)}>
            {t('campaign.start')}
          </Button>
        </Group>
        <Group>
          <Button variant="default" disabled={!active} loading={pause.isPending} onClick={() => run(pause)}>
            {t('campaign.pause')}
          </Button>
          <Button variant="default" disabled={active || !progress?.job} loading={resume.isPending} onClick={() => run(resume)}>
            {t('campaign.resume')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function Overview({ progress, rate }: { progress: Progress; rate: number | null }) {
  const t = useMessage();
  const { delivery, job } = progress;
  const share = (count: number) => (delivery.total === 0 ? 0 : (count / delivery.total) * 100);
  return (
    <Paper component="section" aria-labelledby="progress-title" withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3" id="progress-title">
            {t('campaign.progress')}
          </Title>
          {job && (
            <Badge color={job.state === 'failed' ? 'red.9' : job.state === 'succeeded' ? 'teal.9' : 'blue.9'} className="campaign-job">
              {t('campaign.job', { state: t(`jobState.${job.state}`) })}
            </Badge>
          )}
        </Group>
        <Text role="status" className="campaign-done">
          {t('campaign.done', { done: delivery.done, total: delivery.total })}
        </Text>
        <Progress.Root size="xl" aria-hidden>
          {NOTICE_STATES.map((state) => (
            <Progress.Section key={state} value={share(delivery.states[state])} color={NOTICE_STATE_COLOURS[state]} />
          ))}
        </Progress.Root>
        <Table.ScrollContainer minWidth={480}>
          <Table className="notice-states">
            <Table.Thead>
              <Table.Tr>
                {NOTICE_STATES.map((state) => (
                  <Table.Th key={state} scope="col" ta="right">
                    {t(`noticeState.${state}`)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                {NOTICE_STATES.map((state) => (
                  <Table.Td key={state} ta="right">
                    <FormattedNumber value={delivery.states[state]} />
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Fact label={t('campaign.liveRate')}>{rate === null ? t('campaign.liveRate.idle') : t('campaign.perMinute', { count: Math.round(rate) })}</Fact>
          <Fact label={t('campaign.senders')}>{delivery.senders.length === 0 ? t('campaign.senders.none') : delivery.senders.map((sender) => `${sender.host} (${sender.pid})`).join(', ')}</Fact>
          <Fact label={t('campaign.firstSent')}>{delivery.first_sent_at ? <FormattedDate value={delivery.first_sent_at} dateStyle="medium" timeStyle="short" /> : '—'}</Fact>
          <Fact label={t('campaign.lastSent')}>{delivery.last_sent_at ? <FormattedDate value={delivery.last_sent_at} dateStyle="medium" timeStyle="short" /> : '—'}</Fact>
          {delivery.next_attempt_at && (
            <Fact label={t('campaign.nextAttempt')}>
              <FormattedDate value={delivery.next_attempt_at} dateStyle="medium" timeStyle="short" />
            </Fact>
          )}
          {job?.error && <Fact label={t('campaign.jobError')}>{job.error.message}</Fact>}
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

/** Each sender's per-domain throttles as of its last heartbeat, added up: which domains are slowed down by 4xx replies, and how far. */
function Domains({ throttles }: { throttles: Progress['delivery']['throttles'] }) {
  const t = useMessage();
  const { domains, others } = throttles;
  const perSecond = (rate: number | null) => (rate === null ? t('campaign.domains.unlimited') : <FormattedNumber value={rate} maximumFractionDigits={2} />);
  return (
    <Paper component="section" aria-labelledby="domains-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="domains-title">
          {t('campaign.domains')}
        </Title>
        <Text size="sm">{t('campaign.domains.intro')}</Text>
        {domains.length === 0 ? (
          <Text c="dimmed">{t('campaign.domains.none')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped className="campaign-domains">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('campaign.domains.column.domain')}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('campaign.domains.column.pace')}
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('campaign.domains.column.limit')}
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('campaign.domains.column.queued')}
                  </Table.Th>
                  <Table.Th scope="col">{t('campaign.domains.column.slowedSince')}</Table.Th>
                  <Table.Th scope="col">{t('campaign.domains.column.lastDeferral')}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('campaign.domains.column.deferrals')}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {domains.map((domain) => (
                  <Table.Tr key={domain.domain}>
                    <Table.Th scope="row" fw={400}>
                      <Group gap="xs" wrap="nowrap">
                        {domain.domain}
                        {domain.slowed_since && (
                          <Badge color="red.9" size="sm" className="domain-slowed">
                            {t('campaign.domains.slowed')}
                          </Badge>
                        )}
                      </Group>
                    </Table.Th>
                    <Table.Td ta="right">{perSecond(domain.pace)}</Table.Td>
                    <Table.Td ta="right">{perSecond(domain.limit)}</Table.Td>
                    <Table.Td ta="right">
                      <FormattedNumber value={domain.queued} />
                    </Table.Td>
                    <Table.Td>{domain.slowed_since ? <FormattedDate value={domain.slowed_since} dateStyle="medium" timeStyle="medium" /> : '—'}</Table.Td>
                    <Table.Td>{domain.last_deferral ?? '—'}</Table.Td>
                    <Table.Td ta="right">
                      <FormattedNumber value={domain.deferrals} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {others.domains > 0 && (
          <Text size="sm" className="campaign-other-domains">
            {t('campaign.domains.others', others)}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Stack>
  );
}

/** Bounce reports that came back later (.eml or mbox files): uploaded, then read, their notices marked bounced with the reason. */
function BounceImport({ id }: { id: string }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const read = useMutation({
    mutationFn: async () => {
      const uploads = await Promise.all(files.map((file) => uploadFile(id, file)));
      return api('POST', '/api/incidents/:id/bounces', { params: { id }, body: { files: uploads.map((upload) => upload.upload_id) } });
    },
    onSuccess: async () => {
      setFiles([]);
      await queryClient.invalidateQueries({ queryKey: ['incident', id] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    read.mutate();
  };
  return (
    <Paper component="section" aria-labelledby="bounces-title" withBorder p="md">
      <Stack component="form" onSubmit={submit}>
        <Title order={2} size="h3" id="bounces-title">
          {t('campaign.bounces')}
        </Title>
        <Text size="sm">{t('campaign.bounces.intro')}</Text>
        <ErrorAlert error={read.error} />
        {read.data && (
          <Alert color="green" role="status" variant="light" className="bounce-result">
            {t('campaign.bounces.done', { bounced: read.data.bounced, already: read.data.already_bounced, unmatched: read.data.unmatched.length, notReports: read.data.not_reports })}
          </Alert>
        )}
        <Group align="flex-end">
          <FileInput label={t('campaign.bounces.files')} multiple required clearable value={files} onChange={setFiles} w={360} />
          <Button type="submit" disabled={files.length === 0} loading={read.isPending}>
            {t('campaign.bounces.button')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The people the notice did not reach, with the server's reason: who needs a letter. */
function Unreached({ id, bounced }: { id: string; bounced: number }) {
  const t = useMessage();
  const unreached = useQuery({ queryKey: ['incident', id, 'unreached', bounced], queryFn: () => api('GET', '/api/incidents/:id/delivery/unreached', { params: { id } }) });
  return (
    <Paper component="section" aria-labelledby="unreached-title" withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3" id="unreached-title">
            {t('campaign.unreached')}
          </Title>
          <Group gap="xs">
            <Button component="a" variant="default" size="xs" href={linkTo('/api/incidents/:id/delivery/notices', { params: { id } })} download={`delivery-${id}.json`}>
              {t('campaign.download.report')}
            </Button>
            <Button component="a" variant="default" size="xs" href={linkTo('/api/incidents/:id/delivery/unreached', { params: { id } })} download={`unreached-${id}.json`}>
              {t('campaign.download.unreached')}
            </Button>
          </Group>
        </Group>
        <ErrorAlert error={unreached.error} />
        {unreached.data &&
          (unreached.data.items.length === 0 ? (
            <Text c="dimmed">{t('campaign.unreached.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('affected.column.email')}</Table.Th>
                    <Table.Th scope="col">{t('affected.column.name')}</Table.Th>
                    <Table.Th scope="col">{t('campaign.column.state')}</Table.Th>
                    <Table.Th scope="col">{t('campaign.column.reason')}</Table.Th>
                    <Table.Th scope="col">{t('campaign.column.postal')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {unreached.data.items.map((person) => (
                    <Table.Tr key={person.email}>
                      <Table.Td>{person.email}</Table.Td>
                      <Table.Td>{person.name ?? '—'}</Table.Td>
                      <Table.Td>{t(`noticeState.${person.state}`)}</Table.Td>
                      <Table.Td>{person.last_reply ?? '—'}</Table.Td>
                      <Table.Td>{person.postal_address ?? '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
      </Stack>
    </Paper>
  );
}
