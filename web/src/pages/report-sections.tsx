import { Badge, Button, Group, NativeSelect, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type RefObject, useRef, useState } from 'react';
import { FormattedDate } from 'react-intl';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';

type Status = ReplyOf<'GET', '/api/incidents/:id/report-sections'>;
type Section = Status['sections'][number];
export const PHASES = ['initial', 'complementary'] as const;
export type Phase = (typeof PHASES)[number];

export const sectionsQuery = (id: string, jurisdiction: string, phase: Phase, locale: string) => ({
  queryKey: ['incident', id, 'report-sections', jurisdiction, phase, locale],
  queryFn: () => api('GET', '/api/incidents/:id/report-sections', { params: { id }, query: { jurisdiction, phase, ...(locale ? { locale } : {}) } }),
});

/**
 * What only a person can write in an authority's report (its nature, consequences, measures…), in
 * the report's language: which of them this report still lacks, and, for compliance:write roles,
 * an editor that writes, replaces or clears one. `onChange` tells the preview to load the report again.
 */
export function ReportSections({ id, jurisdiction, phase, locale, onChange }: { id: string; jurisdiction: string; phase: Phase; locale: string; onChange(): void }) {
  const t = useMessage();
  const can = useCan();
  const status = useQuery(sectionsQuery(id, jurisdiction, phase, locale));
  const [chosen, setChosen] = useState<Section['section'] | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  const name = (section: string) => t(`compliance.section.${section}` as MessageId);
  const data = status.data;
  const missing = data?.missing ?? [];
  const shown = data?.sections.find((row) => row.section === (chosen ?? missing[0] ?? data.sections[0]?.section));
  const edit = (section: Section['section']) => {
    setChosen(section);
    // After the editor shows the chosen section's text.
    requestAnimationFrame(() => editor.current?.focus());
  };
  return (
    <Stack component="section" aria-labelledby="sections-title" gap="sm">
      <Title order={3} size="h4" id="sections-title">
        {t('compliance.sections')}
      </Title>
      <Text size="sm">{t('compliance.sections.intro')}</Text>
      <ErrorAlert error={status.error} />
      {data && (
        <>
          <Text fw={600} role="status" className="sections-missing">
            {missing.length > 0
              ? t('compliance.sections.missing', { jurisdiction, locale: data.locale, sections: missing.map(name).join(', ') })
              : t('compliance.sections.complete', { jurisdiction, locale: data.locale })}
          </Text>
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing={4} striped className="report-sections">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('compliance.section')}</Table.Th>
                  <Table.Th scope="col">{t('compliance.section.inReport')}</Table.Th>
                  <Table.Th scope="col">{t('compliance.section.written')}</Table.Th>
                  {can('compliance:write') && <Table.Th scope="col">{t('compliance.section.action')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.sections.map((row) => (
                  <Table.Tr key={row.section}>
                    <Table.Th scope="row">{name(row.section)}</Table.Th>
                    <Table.Td>
                      {row.missing === true ? (
                        <Badge color="red.9">{t('compliance.section.toWrite')}</Badge>
                      ) : row.missing === false ? (
                        <Badge color="teal.9">{t('compliance.section.complete')}</Badge>
                      ) : (
                        <Text size="sm" c="gray.7">
                          {t('compliance.section.notAsked')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {row.updated_at ? (
                        <Text size="sm">
                          <FormattedDate value={row.updated_at} dateStyle="medium" timeStyle="short" /> · {row.updated_by}
                        </Text>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    {can('compliance:write') && (
                      <Table.Td>
                        <Button size="compact-sm" variant="default" onClick={() => edit(row.section)} aria-label={t('compliance.section.actionOf', { action: t(row.written ? 'compliance.section.edit' : 'compliance.section.write'), section: name(row.section) })}>
                          {t(row.written ? 'compliance.section.edit' : 'compliance.section.write')}
                        </Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {can('compliance:write') && shown && <SectionEditor key={`${shown.section}:${data.locale}:${shown.updated_at}`} id={id} section={shown} locale={data.locale} name={name(shown.section)} onChange={onChange} editor={editor} choose={setChosen} sections={data.sections.map((row) => ({ value: row.section, label: name(row.section) }))} />}
        </>
      )}
    </Stack>
  );
}

/** One section's text in one language: written, replaced, or cleared so the report asks for it again. */
function SectionEditor(props: {
  id: string;
  section: Section;
  locale: string;
  name: string;
  sections: { value: string; label: string }[];
  editor: RefObject<HTMLTextAreaElement | null>;
  choose(section: Section['section']): void;
  onChange(): void;
}) {
  const { id, section, locale, name, onChange } = props;
  const t = useMessage();
  const queryClient = useQueryClient();
  const [text, setText] = useState(section.text ?? '');
  const params = { id, section: section.section };
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: ['incident', id] });
    onChange();
  };
  const save = useMutation({ mutationFn: () => api('PUT', '/api/incidents/:id/report-sections/:section', { params, body: { locale, text } }), onSuccess: done });
  const clear = useMutation({ mutationFn: () => api('DELETE', '/api/incidents/:id/report-sections/:section', { params, query: { locale } }), onSuccess: done });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    clear.reset();
    save.mutate();
  };
  return (
    <Stack gap="sm" component="form" onSubmit={submit} className="section-editor">
      <NativeSelect label={t('compliance.section')} value={section.section} onChange={(event) => props.choose(event.currentTarget.value as Section['section'])} data={props.sections} w={320} />
      <Textarea
        ref={props.editor}
        label={t('compliance.section.text', { section: name, locale })}
        description={t('compliance.section.hint')}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={6}
        maxRows={20}
        maxLength={64 * 1024}
        lang={locale}
      />
      <Group>
        <Button type="submit" loading={save.isPending} disabled={text.trim() === '' || text === section.text}>
          {t('compliance.section.save')}
        </Button>
        {section.written && (
          <Button
            color="red.8"
            variant="outline"
            loading={clear.isPending}
            onClick={() => {
              save.reset();
              if (window.confirm(t('compliance.section.clear.confirm', { section: name, locale }))) clear.mutate();
            }}
          >
            {t('compliance.section.clear')}
          </Button>
        )}
      </Group>
      <ErrorAlert error={save.error ?? clear.error} />
    </Stack>
  );
}
