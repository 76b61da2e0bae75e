import { Badge, Button, Code, Group, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { FormattedDate } from 'react-intl';
import { defang, TRIAGE_STATES, type TriageState } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';
import { LookalikeCells, TriageBadge, VerdictBadge } from './phishing.tsx';

type Report = ReplyOf<'GET', '/api/phishing/reports/:reference'>;

export const reportQuery = (reference: string) => ({ queryKey: ['phishing', 'report', reference], queryFn: () => api('GET', '/api/phishing/reports/:reference', { params: { reference } }) });

/** One report as the desk analysed it: the reasons with their evidence, authentication, look-alikes, leaked data and the text as plain text, never as HTML. */
export default function PhishingReportPage({ reference }: { reference: string }) {
  const t = useMessage();
  const { data: report } = useSuspenseQuery(reportQuery(reference));
  return (
    <Stack gap="lg">
      <AnchorLink to="/phishing/reports" search={{ triage: undefined, verdict: undefined }} size="sm">
        ← {t('phishing.report.back')}
      </AnchorLink>
      <Stack gap={4}>
        <Title order={1}>{report.subject || t('phishing.report.noSubject')}</Title>
        <Group gap="xs">
          <VerdictBadge verdict={report.verdict} />
          <TriageBadge triage={report.triage} />
          <Text size="sm" c="dimmed" ff="monospace">
            {report.id}
          </Text>
          <Text size="sm">
            {t('phishing.report.received', { source: t(`phishing.receivedAs.${report.received_as}` as MessageId) })} <FormattedDate value={report.received_at} dateStyle="long" timeStyle="short" />
          </Text>
          {report.score !== null && <Text size="sm">{t('phishing.report.score', { score: report.score })}</Text>}
          {report.campaign && (
            <AnchorLink to="/phishing/campaigns/$id" params={{ id: report.campaign }} size="sm">
              {t('phishing.report.campaign', { id: report.campaign })}
            </AnchorLink>
          )}
        </Group>
      </Stack>
      <Triage report={report} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Reasons report={report} />
        <Stack gap="lg">
          <Authentication report={report} />
          <Leaked report={report} />
        </Stack>
      </SimpleGrid>
      <Lookalikes report={report} />
      <section aria-labelledby="preview-title">
        <Title order={2} size="h3" id="preview-title" mb="xs">
          {t('phishing.report.preview')}
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          {t('phishing.report.previewHelp')}
        </Text>
        <Paper withBorder p="sm">
          {/* Plain text from the analysis, rendered as text: the message's HTML never reaches the page. */}
          <Text component="pre" size="sm" className="phish-preview">
            {report.preview ?? t('phishing.report.notAnalysed')}
          </Text>
        </Paper>
        {report.link_domains.length > 0 && (
          <Text size="sm" mt="xs">
            {t('phishing.report.linkDomains')} <span className="defanged">{report.link_domains.map(defang).join(', ')}</span>
          </Text>
        )}
      </section>
    </Stack>
  );
}

/** The triage buttons, for the roles that may triage (the server refuses the others anyway); the state for everyone. */
function Triage({ report }: { report: Report }) {
  const t = useMessage();
  const can = useCan();
  const queryClient = useQueryClient();
  const triage = useMutation({
    mutationFn: (state: TriageState) => api('PUT', '/api/phishing/reports/:reference/triage', { params: { reference: report.id }, body: { state } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['phishing'] }),
  });
  if (!can('incidents:write')) return null;
  return (
    <section aria-labelledby="triage-title">
      <Title order={2} size="h3" id="triage-title" mb="xs">
        {t('phishing.report.triage')}
      </Title>
      <Stack gap="xs">
        <ErrorAlert error={triage.error} />
        <Group gap="xs" role="group" aria-labelledby="triage-title">
          {TRIAGE_STATES.map((state) => (
            <Button
              key={state}
              size="sm"
              variant={report.triage === state ? 'filled' : 'default'}
              aria-pressed={report.triage === state}
              loading={triage.isPending && triage.variables === state}
              disabled={triage.isPending}
              onClick={() => report.triage !== state && triage.mutate(state)}
            >
              {t(`phishing.triage.${state}`)}
            </Button>
          ))}
        </Group>
      </Stack>
    </section>
  );
}

function Reasons({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <section aria-labelledby="reasons-title">
      <Title order={2} size="h3" id="reasons-title" mb="xs">
        {t('phishing.report.reasons')}
      </Title>
      {report.reasons.length === 0 ? (
        <Text c="dimmed">{t('phishing.report.noReasons')}</Text>
      ) : (
        <List spacing="sm">
          {report.reasons.map((reason, index) => (
            <List.Item key={`${reason.code} ${index}`}>
              <Text size="sm" fw={600}>
                {reason.text}{' '}
                <Text span size="xs" c="dimmed" fw={400}>
                  {t('phishing.report.points', { points: reason.points })}
                </Text>
              </Text>
              {reason.evidence.length > 0 && (
                <Group gap={4} mt={2}>
                  <Text size="xs" c="dimmed">
                    {t('phishing.report.evidence')}
                  </Text>
                  {reason.evidence.map((item) => (
                    <Code key={item} className="defanged">
                      {defang(item)}
                    </Code>
                  ))}
                </Group>
              )}
            </List.Item>
          ))}
        </List>
      )}
    </section>
  );
}

function Authentication({ report }: { report: Report }) {
  const t = useMessage();
  const { auth } = report;
  return (
    <section aria-labelledby="auth-title">
      <Title order={2} size="h3" id="auth-title" mb="xs">
        {t('phishing.report.auth')}
      </Title>
      {auth === null ? (
        <Text c="dimmed">{t('phishing.report.noAuth')}</Text>
      ) : (
        <Stack gap={4}>
          <Table withTableBorder verticalSpacing={4} maw={420}>
            <Table.Tbody>
              {(['spf', 'dkim', 'dmarc', 'arc'] as const).map((method) => (
                <Table.Tr key={method}>
                  <Table.Th scope="row">{method.toUpperCase()}</Table.Th>
                  <Table.Td ff="monospace">{auth[method]}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed">
            {auth.source === 'computed' ? t('phishing.report.authComputed') : t('phishing.report.authTrusted', { source: auth.source })}
            {auth.dkim_domains.length > 0 && ` ${t('phishing.report.dkimDomains', { domains: auth.dkim_domains.join(', ') })}`}
          </Text>
        </Stack>
      )}
    </section>
  );
}

function Leaked({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <section aria-labelledby="leaked-title">
      <Title order={2} size="h3" id="leaked-title" mb="xs">
        {t('phishing.report.leaked')}
      </Title>
      {report.leaked.length === 0 ? (
        <Text c="dimmed">{t('phishing.report.noLeaked')}</Text>
      ) : (
        <List spacing={4}>
          {report.leaked.map((leak) => (
            <List.Item key={leak.incident}>
              <AnchorLink to="/incidents/$id" params={{ id: leak.incident }} ff="monospace" size="sm">
                {leak.incident}
              </AnchorLink>
              {': '}
              {leak.fields.map((field) => (
                <Badge key={field} color="red.9" mr={4}>
                  {t(`phishing.field.${field}`)}
                </Badge>
              ))}
            </List.Item>
          ))}
        </List>
      )}
    </section>
  );
}

function Lookalikes({ report }: { report: Report }) {
  const t = useMessage();
  return (
    <section aria-labelledby="lookalikes-title">
      <Title order={2} size="h3" id="lookalikes-title" mb="xs">
        {t('phishing.report.lookalikes')}
      </Title>
      {report.lookalikes.length === 0 ? (
        <Text c="dimmed">{t('phishing.report.noLookalikes')}</Text>
      ) : (
        <LookalikeTable rows={report.lookalikes} />
      )}
    </section>
  );
}

/** Look-alike domains: each defanged, with the shop domain it imitates, how, and where in the messages. */
export function LookalikeTable({ rows }: { rows: readonly { domain: string; imitates: string; kinds: readonly string[]; seen_in: readonly string[] }[] }) {
  const t = useMessage();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('phishing.lookalike.domain')}</Table.Th>
            <Table.Th scope="col">{t('phishing.lookalike.imitates')}</Table.Th>
            <Table.Th scope="col">{t('phishing.lookalike.kinds')}</Table.Th>
            <Table.Th scope="col">{t('phishing.lookalike.seenIn')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={`${row.domain} ${row.imitates}`}>
              <LookalikeCells domain={row.domain} imitates={row.imitates} kinds={row.kinds} />
              <Table.Td>{row.seen_in.map((where) => t(`phishing.seenIn.${where}` as MessageId)).join(', ')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
