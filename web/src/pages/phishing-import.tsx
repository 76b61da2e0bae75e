import { Alert, Button, FileInput, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { AnchorLink } from '../anchor-link.tsx';
import { importMessages, type ReplyOf } from '../api.ts';
import { useErrorText } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { VerdictBadge } from './phishing.tsx';

type Imported = ReplyOf<'POST', '/api/phishing/messages'>['items'];

/**
 * How a chosen file goes to the desk, or why it does not: the desk keeps any bytes it is sent and
 * gives them a verdict, so a document or a picture picked by mistake is stopped here, by its name
 * or by a NUL byte near its start (mail is text).
 */
export function messageFileType(name: string, head: Uint8Array): 'message/rfc822' | 'application/mbox' | 'not_mail' | 'binary' {
  const extension = /\.([^.]*)$/.exec(name)?.[1]?.toLowerCase();
  if (extension !== 'eml' && extension !== 'mbox') return 'not_mail';
  if (head.includes(0)) return 'binary';
  return extension === 'mbox' ? 'application/mbox' : 'message/rfc822';
}

/** Reported messages (.eml files, mboxes) imported into the desk, as `tocsin phishing import` does: each file sent on its own, so one refused stops none of the others. */
export function ImportMessages() {
  const t = useMessage();
  const errorText = useErrorText();
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const run = useMutation({
    mutationFn: async (chosen: File[]) => {
      const imported: Imported = [];
      const refused: { name: string; why: string }[] = [];
      for (const file of chosen) {
        const type = messageFileType(file.name, new Uint8Array(await file.slice(0, 8192).arrayBuffer()));
        if (type === 'not_mail' || type === 'binary') {
          refused.push({ name: file.name, why: t(`phishing.import.refused.${type}`) });
          continue;
        }
        try {
          imported.push(...(await importMessages(file, type)).items);
        } catch (error) {
          refused.push({ name: file.name, why: errorText(error) });
        }
      }
      return { imported, refused };
    },
    onSuccess: async () => {
      setFiles([]);
      // The inbox, the campaigns and the look-alike domains all read the new reports.
      await queryClient.invalidateQueries({ queryKey: ['phishing'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate(files);
  };
  const result = run.data;
  return (
    <Paper component="section" aria-labelledby="import-title" withBorder p="md">
      <Stack component="form" onSubmit={submit} gap="sm">
        <Title order={2} size="h3" id="import-title">
          {t('phishing.import.title')}
        </Title>
        <Text size="sm">{t('phishing.import.intro')}</Text>
        {result && result.imported.length > 0 && (
          <Alert color="green" role="status" variant="light" className="import-result">
            <Text fw={600} size="sm" mb={4}>
              {t('phishing.import.done', { count: result.imported.length })}
            </Text>
            <List size="sm" spacing={4}>
              {result.imported.map((report) => (
                <List.Item key={report.id}>
                  <Group gap="xs" wrap="wrap">
                    <AnchorLink to="/phishing/reports/$reference" params={{ reference: report.id }} ff="monospace" size="sm">
                      {report.id}
                    </AnchorLink>
                    <VerdictBadge verdict={report.verdict} />
                    <Text size="sm">{report.subject || t('phishing.report.noSubject')}</Text>
                    {report.campaign && (
                      <Text size="sm">
                        {t('phishing.import.campaign')}{' '}
                        <AnchorLink to="/phishing/campaigns/$id" params={{ id: report.campaign }} ff="monospace" size="sm">
                          {report.campaign}
                        </AnchorLink>
                      </Text>
                    )}
                  </Group>
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {result && result.imported.length === 0 && result.refused.length === 0 && (
          <Alert color="gray" role="status" variant="light">
            {t('phishing.import.none')}
          </Alert>
        )}
        {result && result.refused.length > 0 && (
          <Alert color="red" role="alert" variant="light" className="import-refused">
            <Text fw={600} size="sm" mb={4}>
              {t('phishing.import.refused', { count: result.refused.length })}
            </Text>
            <List size="sm" spacing={4}>
              {result.refused.map((file, index) => (
                <List.Item key={index}>
                  <Text span fw={600} size="sm">
                    {file.name}
                  </Text>
                  {': '}
                  {file.why}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group align="flex-end">
          <FileInput label={t('phishing.import.files')} multiple required clearable accept=".eml,.mbox,message/rfc822,application/mbox" value={files} onChange={setFiles} w={360} />
          <Button type="submit" disabled={files.length === 0} loading={run.isPending}>
            {t('phishing.import.button')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
