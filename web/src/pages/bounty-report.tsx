import { Anchor, Badge, Button, Checkbox, Code, Group, List, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormattedDate } from 'react-intl';
import type { ReportState } from '../../../src/bounty/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, linkTo, type ReplyOf } from '../api.ts';
import { ErrorAlert, useErrorText } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { ANY_REPORT, REPORT_STATES, SeverityBadge, StateBadge } from './bounty.tsx';

type Report = ReplyOf<'GET', '/api/bounty/reports/:reference'>;

const reportKey = (reference: string) => ['bounty', 'report', reference];
const reportQuery = (reference: string) => ({ queryKey: reportKey(reference), queryFn: () => api('GET', '/api/bounty/reports/:reference', { params: { reference } }) });

/** The states a triager may move a report to: any but new, which only a submission is. */
const TRIAGE_TO = REPORT_STATES.filter((state) => state !== 'new');

/** A change to the report: the page shows the server's answer, and the queue and metrics are read again. */
function useReportChange<T>(change: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: change, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['bounty'] }) });
}

/** One report for triage: its fields, both CVSS vectors, duplicate candidates, the thread with internal notes, and the team's actions on it. */
export default function BountyReportPage({ reference }: { reference: string }) {
  const t = useMessage();
  const { data: report } = useSuspenseQuery(reportQuery(reference));
  return (
    <Stack gap="lg">
      <AnchorLink to="/bounty/reports" search={ANY_REPORT} size="sm">
        ← {t('bounty.report.back')}
      </AnchorLink>
      <Stack gap={4}>
        <Title order={1}>{report.title}</Title>
        <Group gap="xs">
          <StateBadge state={report.state} />
          <SeverityBadge severity={report.severity} />
          <Text size="sm" c="dimmed" ff="monospace">
            {report.reference}
          </Text>
          <Text size="sm">
            {t('bounty.report.submitted')} <FormattedDate value={report.submitted_at} dateStyle="long" timeStyle="short" />
          </Text>
        </Group>
        <Text size="sm">{t('bounty.report.facts', { asset: report.asset, weakness: report.weakness, researcher: report.researcher?.email ?? t('bounty.report.byEmail') })}</Text>
        {report.duplicate_of && (
          <Text size="sm">
            {t('bounty.report.duplicateOf')}{' '}
            <AnchorLink to="/bounty/reports/$reference" params={{ reference: report.duplicate_of }} ff="monospace">
              {report.duplicate_of}
            </AnchorLink>
          </Text>
        )}
      </Stack>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Stack gap="lg">
          <Texts report={report} />
          <Attachments report={report} />
        </Stack>
        <Stack gap="lg">
          <Cvss report={report} />
          <Sla report={report} />
          <Candidates report={report} />
        </Stack>
      </SimpleGrid>
      <Triage report={report} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Award report={report} />
        <Breach report={report} />
      </SimpleGrid>
      <Disclosure report={report} />
      <Thread report={report} />
    </Stack>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <Title order={2} size="h3" id={id} mb="xs">
        {title}
      </Title>
      {children}
    </section>
  );
}

/** The researcher's words, as plain text: their Markdown is never rendered as HTML here. */
function Texts({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <Section id="texts-title" title={t('bounty.report.texts')}>
      <Stack gap="sm">
        {(['description', 'steps', 'impact'] as const).map((field) => (
          <div key={field}>
            <Text size="sm" fw={600}>
              {t(`bounty.report.${field}`)}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {report[field]}
            </Text>
          </div>
        ))}
      </Stack>
    </Section>
  );
}

function Attachments({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <Section id="attachments-title" title={t('bounty.report.attachments')}>
      {report.attachments.length === 0 ? (
        <Text c="dimmed">{t('bounty.report.noAttachments')}</Text>
      ) : (
        <List spacing={4}>
          {report.attachments.map((file) => (
            <List.Item key={file.id}>
              <a href={linkTo('/api/bounty/reports/:reference/attachments/:attachment_id', { params: { reference: report.reference, attachment_id: file.id } })} download={file.filename}>
                {file.filename}
              </a>{' '}
              <Text span size="xs" c="dimmed">
                {t('bounty.report.attachmentSize', { type: file.content_type, kb: Math.max(1, Math.round(file.size / 1024)) })}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}

function Cvss({ report }: { report: Report }) {
  const t = useMessage();
  const rows = [
    { who: t('bounty.report.cvssResearcher'), score: report.researcher_cvss },
    { who: t('bounty.report.cvssTriager'), score: report.triager_cvss },
  ];
  return (
    <Section id="cvss-title" title={t('bounty.report.cvss')}>
      <Table withTableBorder verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(({ who, score }) => (
            <Table.Tr key={who}>
              <Table.Th scope="row">{who}</Table.Th>
              <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: 'anywhere' }}>
                {score?.vector ?? t('bounty.report.cvssNone')}
              </Table.Td>
              <Table.Td>{score && <Text size="sm">{score.score.toFixed(1)}</Text>}</Table.Td>
              <Table.Td>{score && <SeverityBadge severity={score.severity} />}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt={4}>
        {t('bounty.report.cvssCounts')}
      </Text>
    </Section>
  );
}

function Sla({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <Section id="sla-title" title={t('bounty.report.sla')}>
      <Table withTableBorder verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('bounty.report.slaTarget')}</Table.Th>
            <Table.Th scope="col">{t('bounty.report.slaDue')}</Table.Th>
            <Table.Th scope="col">{t('bounty.report.slaStatus')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.sla.map((measure) => (
            <Table.Tr key={measure.target}>
              <Table.Th scope="row">{t(`bounty.target.${measure.target}`)}</Table.Th>
              <Table.Td>
                <FormattedDate value={measure.due_at} dateStyle="medium" timeStyle="short" />
              </Table.Td>
              <Table.Td>
                {t(`bounty.slaStatus.${measure.status}`)}
                {measure.hours !== null && ` (${t('bounty.hours', { hours: measure.hours })})`}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function Candidates({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <Section id="candidates-title" title={t('bounty.report.candidates')}>
      {report.duplicate_candidates.length === 0 ? (
        <Text c="dimmed">{t('bounty.report.noCandidates')}</Text>
      ) : (
        <List spacing={4}>
          {report.duplicate_candidates.map((candidate) => (
            <List.Item key={candidate.reference}>
              <AnchorLink to="/bounty/reports/$reference" params={{ reference: candidate.reference }} fw={600} size="sm">
                {candidate.title}
              </AnchorLink>{' '}
              <Text span size="xs" ff="monospace" c="dimmed">
                {candidate.reference}
              </Text>{' '}
              <StateBadge state={candidate.state} />
              <Text size="xs">
                {[
                  candidate.same_asset && t('bounty.report.sameAsset'),
                  candidate.same_weakness && t('bounty.report.sameWeakness'),
                  ...candidate.shared_endpoints,
                  candidate.shared_text_bands > 0 && t('bounty.report.textAlike', { bands: candidate.shared_text_bands }),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}

/** A new state, the triager's CVSS vector and a comment to the researcher, in one change; a duplicate names its original among the candidates. */
function Triage({ report }: { report: Report }) {
  const t = useMessage();
  const [state, setState] = useState<ReportState | ''>('');
  const [vector, setVector] = useState('');
  const [original, setOriginal] = useState('');
  const [comment, setComment] = useState('');
  const triage = useReportChange((body: { state?: ReportState; duplicate_of?: string; cvss?: string; comment?: string }) =>
    api('POST', '/api/bounty/reports/:reference/triage', { params: { reference: report.reference }, body }),
  );
  // A candidate closed as a duplicate itself stands for its own original, the report to name.
  const originals = new Map(
    report.duplicate_candidates.map((candidate) =>
      candidate.duplicate_of === null
        ? [candidate.reference, `${candidate.reference}: ${candidate.title}`]
        : [candidate.duplicate_of, t('bounty.report.originalOf', { original: candidate.duplicate_of, reference: candidate.reference })],
    ),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    triage.mutate(
      {
        ...(state ? { state } : {}),
        ...(state === 'duplicate' && original ? { duplicate_of: original } : {}),
        ...(vector.trim() ? { cvss: vector.trim() } : {}),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      },
      { onSuccess: () => (setState(''), setVector(''), setOriginal(''), setComment('')) },
    );
  };
  return (
    <Section id="triage-title" title={t('bounty.report.triage')}>
      <Paper withBorder p="md" component="form" onSubmit={submit}>
        <Stack gap="sm">
          {/* From the top: the vector's score shows under it. */}
          <Group align="flex-start" gap="sm">
            <NativeSelect
              label={t('bounty.report.newState')}
              value={state}
              onChange={(event) => setState(TRIAGE_TO.find((to) => to === event.currentTarget.value) ?? '')}
              data={[{ value: '', label: t('bounty.report.keepState') }, ...TRIAGE_TO.filter((to) => to !== report.state).map((to) => ({ value: to, label: t(`bounty.state.${to}`) }))]}
            />
            {state === 'duplicate' && (
              <NativeSelect
                label={t('bounty.report.original')}
                value={original}
                onChange={(event) => setOriginal(event.currentTarget.value)}
                data={[{ value: '', label: t('bounty.report.chooseOriginal') }, ...[...originals].map(([value, label]) => ({ value, label }))]}
              />
            )}
            <VectorInput vector={vector} onChange={setVector} />
          </Group>
          <Textarea label={t('bounty.report.triageComment')} value={comment} onChange={(event) => setComment(event.currentTarget.value)} autosize minRows={2} maxLength={20_000} />
          <ErrorAlert error={triage.error} />
          <Group>
            <Button type="submit" loading={triage.isPending} disabled={!state && !vector.trim() && !comment.trim()}>
              {t('bounty.report.triageSubmit')}
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Section>
  );
}

/** The triager's vector, scored by the server as one types: its score and severity, or what is wrong with it. */
function VectorInput({ vector, onChange }: { vector: string; onChange(vector: string): void }) {
  const t = useMessage();
  const errorText = useErrorText();
  const [settled] = useDebouncedValue(vector.trim(), 400);
  const scored = useQuery({ queryKey: ['bounty', 'cvss', settled], queryFn: () => api('POST', '/api/bounty/cvss', { body: { vector: settled } }), enabled: settled !== '', retry: false, staleTime: Infinity });
  const current = settled !== '' && settled === vector.trim();
  return (
    <Stack gap={4}>
      <TextInput
        label={t('bounty.report.triagerVector')}
        placeholder="CVSS:3.1/AV:N/…"
        value={vector}
        onChange={(event) => onChange(event.currentTarget.value)}
        miw={360}
        maxLength={512}
        error={current && scored.error ? errorText(scored.error) : undefined}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      />
      {current && scored.data && (
        <Group gap="xs" role="status">
          <Text size="sm">{t('bounty.report.vectorScore', { version: scored.data.version, score: scored.data.score.toFixed(1) })}</Text>
          <SeverityBadge severity={scored.data.severity} />
        </Group>
      )}
    </Stack>
  );
}

function Award({ report }: { report: Report }) {
  const t = useMessage();
  const [amount, setAmount] = useState<number | string>(report.award?.amount ?? report.suggested_reward?.amount ?? '');
  const [bonus, setBonus] = useState<number | string>(report.award?.bonus ?? 0);
  const award = useReportChange((body: { amount: number; bonus: number }) => api('POST', '/api/bounty/reports/:reference/award', { params: { reference: report.reference }, body }));
  const paid = useReportChange(() => api('POST', '/api/bounty/reports/:reference/award/paid', { params: { reference: report.reference } }));
  const current = report.award;
  return (
    <Section id="award-title" title={t('bounty.report.award')}>
      <Stack gap="sm">
        {report.suggested_reward && (
          <Text size="sm">{t('bounty.report.suggested', { amount: report.suggested_reward.amount, currency: report.suggested_reward.currency, tier: report.suggested_reward.tier })}</Text>
        )}
        {current ? (
          <Text size="sm" fw={600}>
            {t('bounty.report.awarded', { total: current.total, currency: current.currency, amount: current.amount, bonus: current.bonus })}{' '}
            {current.paid_at ? (
              <Badge color="teal.9">
                {t('bounty.report.paid')} <FormattedDate value={current.paid_at} dateStyle="medium" />
              </Badge>
            ) : (
              <Badge variant="outline" color="pink.9">
                {t('bounty.report.unpaid')}
              </Badge>
            )}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            {t('bounty.report.noAward')}
          </Text>
        )}
        {!current?.paid_at && (
          <Group
            component="form"
            align="flex-end"
            gap="sm"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              award.mutate({ amount: Number(amount), bonus: Number(bonus) || 0 });
            }}
          >
            <NumberInput label={t('bounty.report.amount')} value={amount} onChange={setAmount} min={0} allowDecimal={false} w={140} required />
            <NumberInput label={t('bounty.report.bonus')} value={bonus} onChange={setBonus} min={0} allowDecimal={false} w={140} />
            <Button type="submit" variant="default" loading={award.isPending}>
              {current ? t('bounty.report.changeAward') : t('bounty.report.giveAward')}
            </Button>
            {current && (
              <Button variant="default" loading={paid.isPending} onClick={() => paid.mutate(undefined)}>
                {t('bounty.report.markPaid')}
              </Button>
            )}
          </Group>
        )}
        <ErrorAlert error={award.error ?? paid.error} />
      </Stack>
    </Section>
  );
}

/** "Personal data reachable": the report becomes the evidence of a new incident, or of the one named. */
function Breach({ report }: { report: Report }) {
  const t = useMessage();
  const [incident, setIncident] = useState('');
  const link = useReportChange((body: { incident_id?: string }) => api('POST', '/api/bounty/reports/:reference/breach', { params: { reference: report.reference }, body }));
  return (
    <Section id="breach-title" title={t('bounty.report.breach')}>
      {report.breach ? (
        <Text size="sm">
          {t('bounty.report.breachLinked', { by: report.breach.confirmed_by })}{' '}
          <AnchorLink to="/incidents/$id" params={{ id: report.breach.incident_id }} ff="monospace">
            {report.breach.incident_id}
          </AnchorLink>
        </Text>
      ) : (
        <Group
          component="form"
          align="flex-end"
          gap="sm"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            link.mutate(incident.trim() ? { incident_id: incident.trim() } : {});
          }}
        >
          <TextInput label={t('bounty.report.breachIncident')} description={t('bounty.report.breachIncidentHelp')} value={incident} onChange={(event) => setIncident(event.currentTarget.value)} />
          <Button type="submit" color="red.9" loading={link.isPending}>
            {t('bounty.report.breachSubmit')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={link.error} />
    </Section>
  );
}

/**
 * Coordinated disclosure: who asked and who agreed, the team's redacted title and text (all that
 * is published), and publication; each action offered only in the state the server allows it.
 */
function Disclosure({ report }: { report: Report }) {
  const t = useMessage();
  const disclosure = report.disclosure;
  const ask = useReportChange(() => api('POST', '/api/bounty/reports/:reference/disclosure', { params: { reference: report.reference } }));
  const publish = useReportChange(() => api('POST', '/api/bounty/reports/:reference/disclosure/publish', { params: { reference: report.reference } }));
  // Who of the team asked or agreed: the audit trail's actor of that event.
  const teamMember = report.events.find((event) => (event.event === 'disclosure_requested' || event.event === 'disclosure_agreed') && event.details.by === 'team')?.actor;
  const date = (at: string | null) => (at === null ? t('bounty.disclosure.notYet') : <FormattedDate value={at} dateStyle="medium" timeStyle="short" />);
  const canAsk = report.disclosable && (disclosure === null || (disclosure.published_at === null && disclosure.team_agreed_at === null));
  return (
    <Section id="disclosure-title" title={t('bounty.disclosure')}>
      <Stack gap="sm">
        {disclosure === null ? (
          <Text size="sm" c="dimmed">
            {report.disclosable ? t('bounty.disclosure.none') : t('bounty.disclosure.tooEarly')}
          </Text>
        ) : (
          <Table withTableBorder verticalSpacing={4}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row">{t('bounty.disclosure.requested')}</Table.Th>
                <Table.Td>
                  {date(disclosure.requested_at)} · {disclosure.requested_by === 'team' ? t('bounty.disclosure.byTeam') : t('bounty.disclosure.byResearcher')}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t('bounty.disclosure.researcherAgreed')}</Table.Th>
                <Table.Td>{date(disclosure.researcher_agreed_at)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t('bounty.disclosure.teamAgreed')}</Table.Th>
                <Table.Td>
                  {date(disclosure.team_agreed_at)}
                  {disclosure.team_agreed_at !== null && teamMember && ` · ${teamMember}`}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t('bounty.disclosure.deadline')}</Table.Th>
                <Table.Td>
                  <FormattedDate value={disclosure.deadline_at} dateStyle="medium" timeStyle="short" />
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t('bounty.disclosure.published')}</Table.Th>
                <Table.Td>
                  {date(disclosure.published_at)}
                  {disclosure.url && (
                    <>
                      {' · '}
                      {/* Only an absolute http(s) address is a link: without public_url the server knows the path alone. */}
                      {/^https?:\/\//.test(disclosure.url) ? (
                        <Anchor href={disclosure.url} target="_blank" rel="noreferrer" style={{ overflowWrap: 'anywhere' }}>
                          {disclosure.url}
                        </Anchor>
                      ) : (
                        <Code>{disclosure.url}</Code>
                      )}
                    </>
                  )}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        )}
        {canAsk && (
          <Group>
            <Button variant="default" loading={ask.isPending} onClick={() => ask.mutate(undefined)}>
              {disclosure === null ? t('bounty.disclosure.ask') : t('bounty.disclosure.agree')}
            </Button>
          </Group>
        )}
        <ErrorAlert error={ask.error} />
        {disclosure !== null && <DisclosureText report={report} disclosure={disclosure} />}
        {disclosure !== null && disclosure.published_at === null && (
          <Stack gap="xs">
            <Text size="sm">
              {disclosure.publishable
                ? t('bounty.disclosure.ready')
                : disclosure.public_text === null
                  ? t('bounty.disclosure.writeFirst')
                  : t('bounty.disclosure.waiting', { side: disclosure.researcher_agreed_at === null ? 'researcher' : 'team' })}
            </Text>
            <Group>
              <Button color="red.9" loading={publish.isPending} disabled={!disclosure.publishable} onClick={() => publish.mutate(undefined)}>
                {t('bounty.disclosure.publish')}
              </Button>
            </Group>
            <ErrorAlert error={publish.error} />
          </Stack>
        )}
      </Stack>
    </Section>
  );
}

/** The team's redacted title and Markdown text: written after a request, corrected even after publication. */
function DisclosureText({ report, disclosure }: { report: Report; disclosure: NonNullable<Report['disclosure']> }) {
  const t = useMessage();
  const [title, setTitle] = useState(disclosure.public_title ?? '');
  const [text, setText] = useState(disclosure.public_text ?? '');
  const write = useReportChange((body: { title: string; text: string }) => api('PUT', '/api/bounty/reports/:reference/disclosure/text', { params: { reference: report.reference }, body }));
  const unchanged = title.trim() === (disclosure.public_title ?? '') && text.trim() === (disclosure.public_text ?? '');
  return (
    <Stack
      component="form"
      gap="xs"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        write.mutate({ title: title.trim(), text: text.trim() });
      }}
    >
      <TextInput label={t('bounty.disclosure.title')} value={title} onChange={(event) => setTitle(event.currentTarget.value)} maxLength={200} required />
      <Textarea label={t('bounty.disclosure.text')} description={t('bounty.disclosure.textHelp')} value={text} onChange={(event) => setText(event.currentTarget.value)} autosize minRows={4} maxRows={20} maxLength={50_000} required />
      <ErrorAlert error={write.error} />
      <Group>
        <Button type="submit" variant="default" loading={write.isPending} disabled={unchanged || !title.trim() || !text.trim()}>
          {t('bounty.disclosure.save')}
        </Button>
        {write.isSuccess && unchanged && (
          <Text size="sm" role="status">
            {t('bounty.disclosure.saved')}
          </Text>
        )}
      </Group>
    </Stack>
  );
}

/** The thread: the researcher's and the team's comments, and the team's internal notes, marked and never shown to the researcher. */
function Thread({ report }: { report: Report }) {
  const t = useMessage();
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(true);
  const comment = useReportChange((input: { body: string; internal: boolean }) => api('POST', '/api/bounty/reports/:reference/comments', { params: { reference: report.reference }, body: input }));
  return (
    <Section id="thread-title" title={t('bounty.report.thread')}>
      <Stack gap="sm">
        {report.comments.length === 0 && <Text c="dimmed">{t('bounty.report.noComments')}</Text>}
        <Stack component="ol" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {report.comments.map((entry, index) => (
            <Paper
              component="li"
              key={`${entry.at} ${index}`}
              withBorder
              p="sm"
              bg={entry.internal ? 'yellow.0' : entry.author_kind === 'researcher' ? 'gray.0' : undefined}
              style={entry.internal ? { borderStyle: 'dashed', borderColor: 'var(--mantine-color-yellow-9)' } : undefined}
              aria-label={entry.internal ? t('bounty.report.internalNote') : t('bounty.report.comment')}
            >
              <Group gap="xs" mb={4}>
                {entry.internal && <Badge color="yellow.4" autoContrast>
                    {t('bounty.report.internalNote')}
                  </Badge>}
                <Text size="sm" fw={600}>
                  {entry.author_kind === 'researcher' ? t('bounty.report.byResearcher') : entry.author}
                </Text>
                <Text size="xs" c="dimmed">
                  <FormattedDate value={entry.at} dateStyle="medium" timeStyle="short" />
                </Text>
              </Group>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {entry.body}
              </Text>
            </Paper>
          ))}
        </Stack>
        <Stack
          component="form"
          gap="xs"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            comment.mutate({ body: body.trim(), internal }, { onSuccess: () => setBody('') });
          }}
        >
          <Textarea label={t('bounty.report.newComment')} value={body} onChange={(event) => setBody(event.currentTarget.value)} autosize minRows={3} maxLength={20_000} required />
          <Checkbox label={t('bounty.report.internalToggle')} checked={internal} onChange={(event) => setInternal(event.currentTarget.checked)} />
          <ErrorAlert error={comment.error} />
          <Group>
            <Button type="submit" loading={comment.isPending} disabled={!body.trim()}>
              {internal ? t('bounty.report.addNote') : t('bounty.report.sendComment')}
            </Button>
          </Group>
        </Stack>
      </Stack>
    </Section>
  );
}
