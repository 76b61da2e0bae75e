import { AppShell, Badge, Button, Group, NativeSelect, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { Outlet, useNavigate } from '@tanstack/react-router';
import { AnchorLink } from './anchor-link.tsx';
import { api } from './api.ts';
import { LANGUAGES, type Language, type MessageId, useLanguage, useMessage } from './i18n.tsx';
import { sessionQuery, useCan } from './session.ts';

/** Every signed-in page: the header (name, navigation, language, who is signed in) over the page. */
export function AppLayout() {
  const t = useMessage();
  const { language, setLanguage } = useLanguage();
  const { data: session } = useSuspenseQuery(sessionQuery);
  const can = useCan();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => api('DELETE', '/api/session'),
    onSettled: async () => {
      queryClient.clear();
      await navigate({ to: '/sign-in', search: { redirect: undefined } });
    },
  });
  return (
    <AppShell header={{ height: 60 }} padding="md">
      <a className="skip-link" href="#content">
        {t('app.skip')}
      </a>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group component="nav" aria-label={t('nav.main')} gap="sm" wrap="nowrap">
            {/* On a phone the header keeps its links and actions, not the name. */}
            <Text fw={800} size="lg" c="red.9" visibleFrom="xs">
              {t('app.name')}
            </Text>
            <AnchorLink to="/incidents" search={{ status: undefined }} activeProps={{ 'aria-current': 'page' }} fw={600}>
              {t('nav.incidents')}
            </AnchorLink>
            {can('personal_data:read') && (
              <AnchorLink to="/phishing" activeProps={{ 'aria-current': 'page' }} fw={600}>
                {t('nav.phishing')}
              </AnchorLink>
            )}
            {can('bounty:triage') && (
              <AnchorLink to="/bounty" activeProps={{ 'aria-current': 'page' }} fw={600}>
                {t('nav.bounty')}
              </AnchorLink>
            )}
            <AnchorLink to="/register" activeProps={{ 'aria-current': 'page' }} fw={600}>
              {t('nav.register')}
            </AnchorLink>
            {can('users:manage') ? (
              <AnchorLink to="/admin/users" activeProps={{ 'aria-current': 'page' }} fw={600}>
                {t('nav.admin')}
              </AnchorLink>
            ) : (
              can('security_log:read') && (
                <AnchorLink to="/admin/security-log" activeProps={{ 'aria-current': 'page' }} fw={600}>
                  {t('nav.admin')}
                </AnchorLink>
              )
            )}
            <AnchorLink to="/account" activeProps={{ 'aria-current': 'page' }} fw={600}>
              {t('nav.account')}
            </AnchorLink>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NativeSelect
              aria-label={t('nav.language')}
              size="xs"
              w={88}
              value={language}
              onChange={(event) => setLanguage(event.currentTarget.value as Language)}
              data={Object.entries(LANGUAGES).map(([value, { label }]) => ({ value, label }))}
            />
            {session && (
              <Group gap={6} wrap="nowrap" visibleFrom="sm">
                <Text size="sm">{session.account.email}</Text>
                <Badge variant="light" color="gray">
                  <VisuallyHidden>role: </VisuallyHidden>
                  {t(`role.${session.account.role}` as MessageId)}
                </Badge>
              </Group>
            )}
            <Button variant="default" size="xs" flex="none" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              {t('nav.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="content" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
