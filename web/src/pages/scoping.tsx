import { Button, Checkbox, Group, List, NativeSelect, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { type ChangeEvent, useEffect, useState } from 'react';
import { FormattedDate, FormattedNumber, useIntl } from 'react-intl';
import type { detectionView, scopeRunView } from '../../../src/scoping/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { CheckedEditor } from '../checked-editor.tsx';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { JobProgress, useIncidentJob } from '../jobs.tsx';
import { useCan } from '../session.ts';
import { UploadForm, uploadsQuery, useUploadText } from '../uploads.tsx';

type Detection = ReturnType<typeof detectionView>;
type Suspect = Detection['suspects'][number];
type ScopeRun = ReturnType<typeof scopeRunView>;

/** What a new incident's editor starts with: the shape of a scope file, to be made the shop's own. */
const STARTER = `# Which requests reveal which records (rules), and what marks the attacker's requests (indicators).
rules:
  - name: order-api
    request: GET /api/orders/:order_id
    exposes: [name, email, postal_address]
`;

/**
 * The draft stays in this tab while one moves between pages, and goes with the tab: the server
 * keeps a scope file only with the runs and the audit trail it was used in.
 */
const draftKey = (id: string) => `tocsin.scope-file.${id}`;

/** Scoping: the scope file edited and checked by the server, the logs chosen, detection, scope runs and their diff. */
export default function ScopingPage({ id }: { id: string }) {
  const t = useMessage();
  const can = useCan();
  const [rules, setRules] = useState(() => sessionStorage.getItem(draftKey(id)) ?? STARTER);
  const [logs, setLogs] = useState<string[]>([]);
  useEffect(() => sessionStorage.setItem(draftKey(id), rules), [id, rules]);
  const [settled] = useDebouncedValue(rules, 400);
  const check = useQuery({ queryKey: ['scope-file-check', settled], queryFn: () => api('POST', '/api/scope-file/check', { body: { rules: settled } }), placeholderData: (previous) => previous });
  // Jobs start on a file the server accepts as it now reads; one with problems would only fail.
  const ready = settled === rules && !check.isPlaceholderData && check.data?.problems.length === 0 && logs.length > 0;
  const writes = can('scoping:write');
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('scoping.back')}
      </AnchorLink>
      <Title order={1}>{t('scoping.title')}</Title>
      <ScopeFileEditor rules={rules} onChange={setRules} check={check} />
      {writes && (
        <>
          <LogPicker id={id} logs={logs} onChange={setLogs} />
          <Detect id={id} rules={rules} logs={logs} ready={ready} onRules={setRules} />
          <RunScope id={id} rules={rules} logs={logs} ready={ready} />
        </>
      )}
      <Runs id={id} />
      <UnknownReads id={id} />
      <Evidence id={id} />
    </Stack>
  );
}

/** The scope file, checked by the server as one types. */
function ScopeFileEditor({ rules, onChange, check }: { rules: string; onChange(rules: string): void; check: UseQueryResult<ReplyOf<'POST', '/api/scope-file/check'>> }) {
  const t = useMessage();
  const load = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    if (file) onChange(await file.text());
  };
  return (
    <section aria-labelledby="scope-file-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="scope-file-title">
          {t('scoping.file')}
        </Title>
        <Group gap="xs">
          <label htmlFor="scope-file-load" className="field-label">
            {t('scoping.file.load')}
          </label>
          <input id="scope-file-load" type="file" accept=".yml,.yaml,text/yaml" onChange={load} />
        </Group>
      </Group>
      <CheckedEditor
        id="scope-file"
        label={t('scoping.file')}
        value={rules}
        onChange={onChange}
        problems={check.data?.problems ?? []}
        checking={check.isPending}
        valid={check.data && t('scoping.file.valid', { rules: check.data.rules.length, columns: [...new Set(check.data.rules.flatMap((rule) => rule.columns))].join(', ') })}
        error={check.error}
      />
    </section>
  );
}

/** The access logs detection and scope runs read: the incident's uploads, and files the server may read (its import_dirs). */
function LogPicker({ id, logs, onChange }: { id: string; logs: string[]; onChange(logs: string[]): void }) {
  const t = useMessage();
  const uploadText = useUploadText();
  const uploads = useQuery(uploadsQuery(id));
  const items = uploads.data?.items ?? [];
  const chosenUploads = logs.filter((log) => items.some((upload) => upload.upload_id === log));
  const [paths, setPaths] = useState('');
  const set = (uploadIds: string[], serverPaths: string) =>
    onChange([
      ...uploadIds,
      ...serverPaths
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    ]);
  return (
    <section aria-labelledby="logs-title">
      <Title order={2} size="h3" id="logs-title" mb="sm">
        {t('scoping.logs')}
      </Title>
      <Stack gap="sm">
        <Checkbox.Group label={t('scoping.logs.uploads')} value={chosenUploads} onChange={(value) => set(value, paths)}>
          <Stack gap={4} mt={4}>
            {items.map((upload) => (
              <Checkbox key={upload.upload_id} value={upload.upload_id} label={uploadText(upload)} />
            ))}
            {!uploads.isPending && items.length === 0 && <Text size="sm">{t('scoping.logs.none')}</Text>}
          </Stack>
        </Checkbox.Group>
        <UploadForm incidentId={id} label={t('scoping.logs.upload')} onUploaded={(upload) => set([...chosenUploads, upload.upload_id], paths)} />
        <Textarea
          label={t('scoping.logs.paths')}
          description={t('scoping.logs.paths.help')}
          value={paths}
          onChange={(event) => {
            setPaths(event.currentTarget.value);
            set(chosenUploads, event.currentTarget.value);
          }}
          autosize
          minRows={2}
          classNames={{ input: 'monospace-input' }}
        />
        <ErrorAlert error={uploads.error} />
      </Stack>
    </section>
  );
}

/** Starts a scope or detect job on the rules and logs, and follows it over its event stream. */
function useLogJob(id: string, kind: 'detect' | 'scope-runs', rules: string, logs: string[]) {
  return useIncidentJob(id, () =>
    kind === 'detect'
      ? api('POST', '/api/incidents/:id/detect', { params: { id }, body: { rules, logs } })
      : api('POST', '/api/incidents/:id/scope-runs', { params: { id }, body: { rules, logs } }),
  );
}

/** Detection: the clients ranked by how much their requests look like enumeration, each with why; one click adds one to the indicators. */
function Detect({ id, rules, logs, ready, onRules }: { id: string; rules: string; logs: string[]; ready: boolean; onRules(rules: string): void }) {
  const t = useMessage();
  const { start, job, jobError, jobId, busy } = useLogJob(id, 'detect', rules, logs);
  const [added, setAdded] = useState<Set<number>>(new Set());
  const add = useMutation({
    mutationFn: ({ suspect }: { suspect: Suspect; rank: number }) =>
      api('POST', '/api/scope-file/indicators', {
        body: { rules, ip: suspect.ip, account: suspect.account, user_agent: suspect.distinctive_user_agent ? suspect.user_agent : null, first_seen: suspect.first_seen, last_seen: suspect.last_seen },
      }),
    onSuccess: (edited, { rank }) => {
      onRules(edited.rules);
      setAdded((before) => new Set(before).add(rank));
    },
  });
  useEffect(() => setAdded(new Set()), [jobId]);
  const detection = job?.state === 'succeeded' ? (job.result as Detection) : null;
  return (
    <section aria-labelledby="detect-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="detect-title">
          {t('scoping.detect')}
        </Title>
        <Button onClick={() => start.mutate()} disabled={!ready} loading={busy}>
          {t('scoping.detect.submit')}
        </Button>
      </Group>
      <Text size="sm" mb="xs">
        {t('scoping.detect.help')}
      </Text>
      <ErrorAlert error={start.error ?? add.error} />
      {jobId && <JobProgress job={job} error={jobError} label={t('scoping.detect.progress')} />}
      {detection && (
        <Table.ScrollContainer minWidth={900} mt="sm">
          <Table verticalSpacing="xs" striped aria-label={t('scoping.suspects')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">#</Table.Th>
                <Table.Th scope="col">{t('scoping.suspect.client')}</Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('scoping.suspect.records')}
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('scoping.suspect.requests')}
                </Table.Th>
                <Table.Th scope="col">{t('scoping.suspect.reasons')}</Table.Th>
                <Table.Th scope="col">{t('scoping.suspect.action')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {detection.suspects.map((suspect, index) => (
                <Table.Tr key={index}>
                  <Table.Td>{index + 1}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {suspect.ip ?? '—'}
                      {suspect.account !== null && ` · ${t('scoping.suspect.account', { account: suspect.account })}`}
                    </Text>
                    <Text size="xs" c="gray.7" className="request-line">
                      {suspect.user_agent}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={suspect.records} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={suspect.requests} />
                  </Table.Td>
                  <Table.Td>
                    {suspect.reasons.length > 0 ? (
                      <List size="xs">
                        {suspect.reasons.map((reason) => (
                          <List.Item key={reason}>{reason}</List.Item>
                        ))}
                      </List>
                    ) : (
                      <Text size="xs" c="gray.7">
                        {t('scoping.suspect.ordinary')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {added.has(index) ? (
                      <Text size="sm" fw={600}>
                        ✓ {t('scoping.suspect.added')}
                      </Text>
                    ) : (
                      <Button size="xs" variant="light" onClick={() => add.mutate({ suspect, rank: index })} loading={add.isPending && add.variables?.rank === index}>
                        {t('scoping.suspect.add')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {detection && detection.suspects.length === 0 && <Text c="dimmed">{t('scoping.suspects.none')}</Text>}
    </section>
  );
}

/** A scope run on the rules and logs, followed live; its totals once done, and the runs list refreshed. */
function RunScope({ id, rules, logs, ready }: { id: string; rules: string; logs: string[]; ready: boolean }) {
  const t = useMessage();
  const { start, job, jobError, jobId, busy } = useLogJob(id, 'scope-runs', rules, logs);
  const run = job?.state === 'succeeded' ? (job.result as ScopeRun) : null;
  return (
    <section aria-labelledby="scope-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="scope-title">
          {t('scoping.scope')}
        </Title>
        <Button onClick={() => start.mutate()} disabled={!ready} loading={busy}>
          {t('scoping.scope.submit')}
        </Button>
      </Group>
      <ErrorAlert error={start.error} />
      {jobId && <JobProgress job={job} error={jobError} label={t('scoping.scope.progress')} />}
      {run && (
        <Text role="status" fw={600} mt="xs">
          {t('scoping.scope.done', { run: run.run, affected: run.affected, requests: run.attacker_requests, records: run.exposed_records })}
        </Text>
      )}
    </section>
  );
}

const runsQuery = (id: string) => ({ queryKey: ['incident', id, 'scope-runs'], queryFn: () => api('GET', '/api/incidents/:id/scope-runs', { params: { id } }) });

/** The incident's scope runs, newest first, and who changed between two of them. */
function Runs({ id }: { id: string }) {
  const t = useMessage();
  const runs = useQuery(runsQuery(id));
  const items = runs.data?.items ?? [];
  const [pair, setPair] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const to = pair.to || String(items[0]?.run ?? '');
  const from = pair.from || String(items[1]?.run ?? '');
  const [compared, setCompared] = useState<{ from: number; to: number } | null>(null);
  const options = items.map((run) => String(run.run));
  return (
    <section aria-labelledby="runs-title">
      <Title order={2} size="h3" id="runs-title" mb="sm">
        {t('scoping.runs')}
      </Title>
      <ErrorAlert error={runs.error} />
      {!runs.isPending && items.length === 0 && <Text c="dimmed">{t('scoping.runs.none')}</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('scoping.run')}</Table.Th>
                <Table.Th scope="col">{t('scoping.run.at')}</Table.Th>
                <Table.Th scope="col">{t('scoping.run.rules')}</Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('scoping.run.logs')}
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('scoping.run.requests')}
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('scoping.run.affected')}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((run) => (
                <Table.Tr key={run.run}>
                  <Table.Th scope="row">{run.run}</Table.Th>
                  <Table.Td>
                    <FormattedDate value={run.at} dateStyle="medium" timeStyle="short" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" className="request-line">
                      {run.rules_path}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{run.logs}</Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={run.attacker_requests} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={run.affected} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {items.length > 1 && (
        <Group align="flex-end" gap="sm" mt="md" component="form" onSubmit={(event) => (event.preventDefault(), setCompared({ from: Number(from), to: Number(to) }))}>
          <NativeSelect label={t('scoping.diff.from')} value={from} onChange={(event) => setPair({ from: event.currentTarget.value, to })} data={options} />
          <NativeSelect label={t('scoping.diff.to')} value={to} onChange={(event) => setPair({ from, to: event.currentTarget.value })} data={options} />
          <Button type="submit" variant="default">
            {t('scoping.diff.submit')}
          </Button>
        </Group>
      )}
      {compared && <RunDiff id={id} from={compared.from} to={compared.to} />}
    </section>
  );
}

/** Who became affected, stopped being affected, or lost other data between two runs; the people themselves for personal_data:read only. */
function RunDiff({ id, from, to }: { id: string; from: number; to: number }) {
  const t = useMessage();
  const can = useCan();
  const diff = useQuery({ queryKey: ['incident', id, 'scope-runs', 'diff', from, to], queryFn: () => api('GET', '/api/incidents/:id/scope-runs/diff', { params: { id }, query: { from, to } }) });
  if (diff.error) return <ErrorAlert error={diff.error} />;
  if (!diff.data) return <Text size="sm">{t('common.loading')}</Text>;
  const { added, removed, changed } = diff.data;
  const categories = (list: readonly string[]) => list.map((category) => t(`category.${category}` as MessageId)).join(', ');
  const people = can('personal_data:read');
  return (
    <Stack gap="xs" mt="sm" aria-live="polite">
      <Text fw={600}>{t('scoping.diff.summary', { from, to, added: added.length, removed: removed.length, changed: changed.length })}</Text>
      {people && added.length + removed.length + changed.length > 0 && (
        <Table.ScrollContainer minWidth={640} mah={400}>
          <Table verticalSpacing={4} striped aria-label={t('scoping.diff.table', { from, to })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('scoping.diff.person')}</Table.Th>
                <Table.Th scope="col">{t('scoping.diff.change')}</Table.Th>
                <Table.Th scope="col">{t('scoping.diff.exposed')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {added.map((entry) => (
                <Table.Tr key={`+${entry.subject}`}>
                  <Table.Td>{entry.subject}</Table.Td>
                  <Table.Td>{t('scoping.diff.added')}</Table.Td>
                  <Table.Td>{categories(entry.exposed)}</Table.Td>
                </Table.Tr>
              ))}
              {removed.map((entry) => (
                <Table.Tr key={`-${entry.subject}`}>
                  <Table.Td>{entry.subject}</Table.Td>
                  <Table.Td>{t('scoping.diff.removed')}</Table.Td>
                  <Table.Td>{categories(entry.exposed)}</Table.Td>
                </Table.Tr>
              ))}
              {changed.map((entry) => (
                <Table.Tr key={`~${entry.subject}`}>
                  <Table.Td>{entry.subject}</Table.Td>
                  <Table.Td>{t('scoping.diff.changed')}</Table.Td>
                  <Table.Td>
                    {categories(entry.before)} → {categories(entry.after)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/**
 * The values the latest run's attacker requests read that matched no imported record: people
 * possibly missing from the affected list. Counted for every role; the values themselves, like
 * the people of a diff, for personal_data:read only.
 */
function UnknownReads({ id }: { id: string }) {
  const t = useMessage();
  const intl = useIntl();
  const can = useCan();
  const runs = useQuery(runsQuery(id));
  const scoped = (runs.data?.items.length ?? 0) > 0;
  const unknown = useQuery({ queryKey: ['incident', id, 'unknown'], queryFn: () => api('GET', '/api/incidents/:id/unknown', { params: { id } }), enabled: scoped });
  if (!scoped) return null;
  const reads = unknown.data?.reads ?? [];
  return (
    <section aria-labelledby="unknown-title">
      <Title order={2} size="h3" id="unknown-title" mb="sm">
        {t('scoping.unknown')}
      </Title>
      <ErrorAlert error={unknown.error} />
      {unknown.data && <Text mb="xs">{t('scoping.unknown.summary', { run: unknown.data.run, count: unknown.data.count })}</Text>}
      {can('personal_data:read') && reads.length > 0 && (
        <Table.ScrollContainer minWidth={900} mah={400}>
          <Table verticalSpacing={4} striped aria-label={t('scoping.unknown.table', { run: unknown.data!.run })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('scoping.unknown.value')}</Table.Th>
                <Table.Th scope="col">{t('scoping.unknown.column')}</Table.Th>
                <Table.Th scope="col">{t('scoping.unknown.request')}</Table.Th>
                <Table.Th scope="col">{t('scoping.unknown.at')}</Table.Th>
                <Table.Th scope="col">{t('scoping.unknown.why')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {reads.map((read) => (
                <Table.Tr key={`${read.file}\0${read.line}\0${read.column}`}>
                  <Table.Td>
                    <Text size="sm" ff="monospace" className="request-line">
                      {read.value}
                    </Text>
                  </Table.Td>
                  <Table.Td>{read.column}</Table.Td>
                  <Table.Td>
                    <Text size="sm" className="request-line">
                      {read.request}
                    </Text>
                    <Text size="xs" c="gray.7" className="request-line">
                      {read.file}:{read.line}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <FormattedDate value={read.at} dateStyle="medium" timeStyle="short" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" className="request-line">
                      {read.purged_at
                        ? t('scoping.unknown.purged', { date: intl.formatDate(read.purged_at, { dateStyle: 'medium' }) })
                        : read.quarantined_row
                          ? t('scoping.unknown.quarantined', { file: read.quarantined_row.file, line: read.quarantined_row.line, reason: read.quarantined_row.reason })
                          : t('scoping.unknown.missing')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

/** Every file the incident's results rest on, with its SHA-256: the records' exports imported and the logs the runs read. */
function Evidence({ id }: { id: string }) {
  const t = useMessage();
  const evidence = useQuery({ queryKey: ['incident', id, 'evidence'], queryFn: () => api('GET', '/api/incidents/:id/evidence', { params: { id } }) });
  const items = evidence.data?.items ?? [];
  return (
    <section aria-labelledby="evidence-title">
      <Title order={2} size="h3" id="evidence-title" mb="sm">
        {t('scoping.evidence')}
      </Title>
      <Text size="sm" mb="xs">
        {t('scoping.evidence.help')}
      </Text>
      <ErrorAlert error={evidence.error} />
      {!evidence.isPending && items.length === 0 && <Text c="dimmed">{t('scoping.evidence.none')}</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing="xs" striped aria-label={t('scoping.evidence')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('scoping.evidence.file')}</Table.Th>
                <Table.Th scope="col">{t('scoping.evidence.kind')}</Table.Th>
                <Table.Th scope="col">{t('scoping.evidence.sha256')}</Table.Th>
                <Table.Th scope="col" ta="right">
                  {t('scoping.evidence.size')}
                </Table.Th>
                <Table.Th scope="col">{t('scoping.evidence.when')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((file) => (
                <Table.Tr key={`${file.kind}\0${file.path}\0${file.sha256}`}>
                  <Table.Th scope="row" fw={400}>
                    <Text size="sm" className="request-line">
                      {file.path}
                    </Text>
                    {file.error && (
                      <Text size="xs" c="red.9" className="request-line">
                        {file.error}
                      </Text>
                    )}
                  </Table.Th>
                  <Table.Td>{t(file.kind === 'log' ? 'scoping.evidence.log' : 'scoping.evidence.records')}</Table.Td>
                  <Table.Td maw={280}>
                    <Text size="xs" ff="monospace" className="request-line">
                      {file.sha256}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <FormattedNumber value={file.bytes} style="unit" unit="byte" unitDisplay="long" />
                  </Table.Td>
                  <Table.Td>
                    {file.first_time && file.last_time ? (
                      <Text size="sm">
                        <FormattedDate value={file.first_time} dateStyle="medium" timeStyle="short" /> – <FormattedDate value={file.last_time} dateStyle="medium" timeStyle="short" />
                      </Text>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}
