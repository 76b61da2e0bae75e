import { Alert, Box, Button, Code, Group, NativeSelect, Paper, SegmentedControl, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { AnchorLink } from '../anchor-link.tsx';
import { api, documentText, linkTo } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';
import { assessmentQuery, Duty } from './incident.tsx';
import { pipelineQuery } from './incidents.tsx';
import { REPORT_LANGUAGES } from '../../../src/domain/index.ts';
import { type Phase, PHASES, ReportSections } from './report-sections.tsx';
import { fromLocalInput } from './time-input.ts';

/** Who must be told, by when; each authority's report previewed and downloaded; a submission recorded. */
export default function CompliancePage({ id }: { id: string }) {
  const t = useMessage();
  const can = useCan();
  const assessment = useQuery(assessmentQuery(id));
  const pipeline = useQuery(pipelineQuery(id));
  const [chosen, setChosen] = useState<string | null>(null);
  const jurisdictions = assessment.data?.jurisdictions ?? [];
  const shown = chosen ?? jurisdictions.find((line) => line.authority_duty === 'required')?.jurisdiction ?? jurisdictions[0]?.jurisdiction ?? null;
  const reported = pipeline.data?.reported ?? [];
  return (
    <Stack gap="lg">
      <AnchorLink to="/incidents/$id" params={{ id }} size="sm">
        ← {t('affected.back')}
      </AnchorLink>
      <Title order={1}>{t('compliance.title')}</Title>
      <ErrorAlert error={assessment.error} />
      <section aria-labelledby="assessment-title">
        <Title order={2} size="h3" id="assessment-title" mb="sm">
          {t('compliance.assessment')}
        </Title>
        {assessment.data ? (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" striped className="assessment">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('overview.clock.jurisdiction')}</Table.Th>
                  <Table.Th scope="col">{t('overview.clock.authority')}</Table.Th>
                  <Table.Th scope="col">{t('compliance.deadline')}</Table.Th>
                  <Table.Th scope="col">{t('compliance.status')}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('overview.clock.people.count')}
                  </Table.Th>
                  <Table.Th scope="col">{t('compliance.report')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {jurisdictions.map((line) => (
                  <Table.Tr key={line.jurisdiction}>
                    <Table.Th scope="row">{line.jurisdiction}</Table.Th>
                    <Table.Td>
                      <Text size="sm">{line.authority}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Duty duty={line.authority_duty} deadline={line.authority_deadline} reported={reported.includes(line.jurisdiction)} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{reported.includes(line.jurisdiction) ? t('compliance.status.submitted') : line.overdue ? t('compliance.status.overdue') : t(`compliance.duty.${line.authority_duty}`)}</Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <FormattedNumber value={line.subjects} />
                    </Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" variant={line.jurisdiction === shown ? 'filled' : 'default'} aria-pressed={line.jurisdiction === shown} onClick={() => setChosen(line.jurisdiction)}>
                        {t('compliance.preview', { jurisdiction: line.jurisdiction })}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : (
          !assessment.error && <Skeleton h={200} />
        )}
        <Text size="xs" c="dimmed" mt="xs">
          {t('overview.disclaimer')}
        </Text>
      </section>
      {shown && <ReportPreview key={shown} id={id} jurisdiction={shown} />}
      {can('compliance:write') && jurisdictions.length > 0 && <RecordSubmitted id={id} jurisdictions={jurisdictions.map((line) => line.jurisdiction)} initial={shown} />}
    </Stack>
  );
}

/** One authority's report, as Markdown text or as its HTML in a sandboxed frame, with each format to download, and the sections a person writes in it. */
function ReportPreview({ id, jurisdiction }: { id: string; jurisdiction: string }) {
  const t = useMessage();
  const [phase, setPhase] = useState<Phase>('initial');
  const [format, setFormat] = useState<'md' | 'html'>('html');
  // '' is the authority's own language.
  const [locale, setLocale] = useState('');
  const frame = useRef<HTMLIFrameElement>(null);
  // A download is the report made (its facts kept for a complementary one, and audited); a preview is only looked at.
  const link = (as: 'md' | 'html' | 'json', preview = false) =>
    linkTo('/api/incidents/:id/reports/:jurisdiction', { params: { id, jurisdiction }, query: { phase, format: as, preview: preview ? 'true' : 'false', ...(locale ? { locale } : {}) } });
  const markdown = useQuery({ queryKey: ['incident', id, 'report', jurisdiction, phase, locale, 'md'], queryFn: () => documentText(link('md', true)), enabled: format === 'md' });
  return (
    <Paper component="section" aria-labelledby="report-title" withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3" id="report-title">
            {t('compliance.reportTo', { jurisdiction })}
          </Title>
          <Group gap="xs">
            {(['md', 'html', 'json'] as const).map((as) => (
              <Button key={as} component="a" size="xs" variant="default" href={link(as)} download={`report-${id}-${jurisdiction}-${phase}.${as}`}>
                {t(`compliance.download.${as}`)}
              </Button>
            ))}
          </Group>
        </Group>
        <Group>
          <NativeSelect label={t('compliance.phase')} value={phase} onChange={(event) => setPhase(event.currentTarget.value as Phase)} data={PHASES.map((value) => ({ value, label: t(`compliance.phase.${value}`) }))} />
          <NativeSelect label={t('compliance.language')} value={locale} onChange={(event) => setLocale(event.currentTarget.value)} data={[{ value: '', label: t('compliance.language.authority') }, ...REPORT_LANGUAGES]} />
          <Box>
            <Text size="sm" fw={500} id="format-label" mb={4}>
              {t('compliance.format')}
            </Text>
            <SegmentedControl aria-labelledby="format-label" value={format} onChange={(value) => setFormat(value as 'md' | 'html')} data={[{ value: 'html', label: 'HTML' }, { value: 'md', label: 'Markdown' }]} />
          </Box>
        </Group>
        {format === 'html' ? (
          // sandbox="" lets the report run nothing; the server's policy for it says the same.
          <iframe ref={frame} title={t('compliance.reportTo', { jurisdiction })} src={link('html', true)} sandbox="" className="report-frame" />
        ) : (
          <>
            <ErrorAlert error={markdown.error} />
            {/* Its own scroll box, reachable from the keyboard. */}
            <Code block className="report-markdown report-markdown-box" tabIndex={0} role="region" aria-label={t('compliance.reportTo', { jurisdiction })}>
              {markdown.data ?? t('common.loading')}
            </Code>
          </>
        )}
        {/* A section written: the frame loads the report again (setting its address navigates it anew); the Markdown is asked for again with the incident's queries. */}
        <ReportSections id={id} jurisdiction={jurisdiction} phase={phase} locale={locale} onChange={() => frame.current && (frame.current.src = link('html', true))} />
      </Stack>
    </Paper>
  );
}

/** That a report was submitted, and when: the pipeline and notices built afterwards say so. */
function RecordSubmitted({ id, jurisdictions, initial }: { id: string; jurisdictions: string[]; initial: string | null }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const [jurisdiction, setJurisdiction] = useState(initial ?? jurisdictions[0]);
  const [at, setAt] = useState('');
  const record = useMutation({
    mutationFn: () => api('POST', '/api/incidents/:id/reports/:jurisdiction/submitted', { params: { id, jurisdiction }, body: { submitted_at: fromLocalInput(at) ?? '' } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['incident', id] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    record.mutate();
  };
  return (
    <Paper component="section" aria-labelledby="submitted-title" withBorder p="md">
      <Stack component="form" onSubmit={submit}>
        <Title order={2} size="h3" id="submitted-title">
          {t('compliance.submitted')}
        </Title>
        <Text size="sm">{t('compliance.submitted.intro')}</Text>
        <ErrorAlert error={record.error} />
        {record.data && (
          <Alert color="green" role="status" variant="light">
            {t('compliance.submitted.done', { authority: record.data.authority })} <FormattedDate value={record.data.submitted_at} dateStyle="medium" timeStyle="short" />
          </Alert>
        )}
        <Group align="flex-end">
          <NativeSelect label={t('overview.clock.jurisdiction')} value={jurisdiction} onChange={(event) => setJurisdiction(event.currentTarget.value)} data={jurisdictions} />
          <TextInput type="datetime-local" label={t('compliance.submittedAt')} required value={at} onChange={(event) => setAt(event.currentTarget.value)} />
          <Button type="submit" loading={record.isPending}>
            {t('compliance.submitted.button')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
