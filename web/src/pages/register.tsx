import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { linkTo } from '../api.ts';
import { useMessage } from '../i18n.tsx';

/** The breach register (GDPR Art. 33(5)): every incident's facts, effects and remedial action, previewed and downloaded. */
export default function RegisterPage() {
  const t = useMessage();
  const link = (format: 'md' | 'html' | 'json') => linkTo('/api/register', { query: { format } });
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>{t('register.title')}</Title>
        <Group gap="xs">
          {(['md', 'html', 'json'] as const).map((format) => (
            <Button key={format} component="a" size="xs" variant="default" href={link(format)} download={`breach-register.${format}`}>
              {t(`compliance.download.${format}`)}
            </Button>
          ))}
        </Group>
      </Group>
      <Text size="sm">{t('register.intro')}</Text>
      {/* sandbox="" lets the register run nothing; the server's policy for it says the same. */}
      <iframe title={t('register.title')} src={link('html')} sandbox="" className="report-frame" />
    </Stack>
  );
}
