import { Alert, Badge, Button, Code, Group, NativeSelect, Paper, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormattedDate } from 'react-intl';
import type { Role, SecurityEvent } from '../../../src/accounts/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { api, type ReplyOf } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { sentenceCase } from '../sentence-case.ts';
import { useCan } from '../session.ts';

/** Every role, most powerful first; `Record` makes the compiler ask for a role added on the server. */
const ROLE_ORDER: Record<Role, number> = { admin: 0, responder: 1, privacy: 2, viewer: 3 };
const ROLES = (Object.keys(ROLE_ORDER) as Role[]).sort((a, b) => ROLE_ORDER[a] - ROLE_ORDER[b]);

type Account = ReplyOf<'GET', '/api/users'>['items'][number];

const usersQuery = { queryKey: ['admin', 'users'], queryFn: () => api('GET', '/api/users') };
const tokensQuery = { queryKey: ['admin', 'tokens'], queryFn: () => api('GET', '/api/tokens') };

function useRoleOptions() {
  const t = useMessage();
  return ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }));
}

/** The administration pages' own navigation: accounts, API tokens, the security log (each where the role may see it). */
function AdminNav() {
  const t = useMessage();
  const can = useCan();
  return (
    <Group component="nav" aria-label={t('admin.nav')} gap="md">
      {can('users:manage') && (
        <AnchorLink to="/admin/users" activeProps={{ 'aria-current': 'page', fw: 700 }}>
          {t('admin.users')}
        </AnchorLink>
      )}
      {can('users:manage') && (
        <AnchorLink to="/admin/tokens" activeProps={{ 'aria-current': 'page', fw: 700 }}>
          {t('admin.tokens')}
        </AnchorLink>
      )}
      {can('security_log:read') && (
        <AnchorLink to="/admin/security-log" activeProps={{ 'aria-current': 'page', fw: 700 }}>
          {t('admin.securityLog')}
        </AnchorLink>
      )}
    </Group>
  );
}

/** What a role without the permission sees instead of the page (the server refuses it the data anyway). */
function Forbidden() {
  const t = useMessage();
  return (
    <Alert color="yellow" variant="light">
      {t('error.FORBIDDEN')}
    </Alert>
  );
}

/** A one-time secret (a set-password link, an API token), shown once with what to do with it. */
function Once({ intro, value }: { intro: string; value: string }) {
  return (
    <Alert color="green" role="status" variant="light">
      <Stack gap="xs">
        <Text size="sm">{intro}</Text>
        <Code block className="one-time-secret">
          {value}
        </Code>
      </Stack>
    </Alert>
  );
}

/** Staff accounts: add one with a role, change a role, disable, reset a password, remove second factors. */
export function UsersPage() {
  const can = useCan();
  return can('users:manage') ? <Users /> : <Forbidden />;
}

function Users() {
  const t = useMessage();
  const can = useCan();
  const users = useQuery(usersQuery);
  const [link, setLink] = useState<{ email: string; link: string } | null>(null);
  return (
    <Stack gap="lg">
      <Title order={1}>{t('admin.users')}</Title>
      <AdminNav />
      <AddUser onLink={setLink} />
      {link && <Once intro={t('admin.users.link', { email: link.email })} value={link.link} />}
      {users.data && can('settings:manage') && <RequireTwoFactor required={users.data.require_2fa} />}
      <ErrorAlert error={users.error} />
      {users.data && (
        <Table.ScrollContainer minWidth={880}>
          <Table verticalSpacing="xs" striped className="users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('signIn.email')}</Table.Th>
                <Table.Th scope="col">{t('admin.column.role')}</Table.Th>
                <Table.Th scope="col">{t('admin.column.status')}</Table.Th>
                <Table.Th scope="col">{t('admin.column.twoFactor')}</Table.Th>
                <Table.Th scope="col">{t('admin.column.created')}</Table.Th>
                <Table.Th scope="col">{t('admin.column.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.items.map((account) => (
                <UserRow key={account.id} account={account} onLink={setLink} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ResearcherTwoFactor />
    </Stack>
  );
}

/** Every staff account must have a second factor (enrolled right after its next sign-in), or not. */
function RequireTwoFactor({ required }: { required: boolean }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (on: boolean) => api('PUT', '/api/settings/require-2fa', { body: { required: on } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersQuery.queryKey }),
  });
  return (
    <Paper component="section" aria-labelledby="require-2fa-title" withBorder p="md">
      <Stack gap="sm">
        <Title order={2} size="h3" id="require-2fa-title">
          {t('admin.require2fa')}
        </Title>
        <Switch label={t('admin.require2fa.switch')} checked={required} disabled={change.isPending} onChange={(event) => change.mutate(event.currentTarget.checked)} />
        {change.data && (
          <Text size="sm" role="status">
            {change.data.required ? t('admin.require2fa.on', { count: change.data.must_enrol }) : t('admin.require2fa.off')}
          </Text>
        )}
        <ErrorAlert error={change.error} />
      </Stack>
    </Paper>
  );
}

/** A researcher who lost every second factor: they are all removed and their sessions end, so they sign in with the password alone and enrol again. */
function ResearcherTwoFactor() {
  const t = useMessage();
  const [email, setEmail] = useState('');
  const remove = useMutation({ mutationFn: () => api('POST', '/api/bounty/researchers/remove-2fa', { body: { email } }), onSuccess: () => setEmail('') });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (window.confirm(t('admin.researcher2fa.confirm', { email }))) remove.mutate();
  };
  return (
    <Paper component="section" aria-labelledby="researcher-2fa-title" withBorder p="md">
      <Stack component="form" onSubmit={submit} gap="sm">
        <Title order={2} size="h3" id="researcher-2fa-title">
          {t('admin.researcher2fa')}
        </Title>
        <Text size="sm">{t('admin.researcher2fa.intro')}</Text>
        <Group align="flex-end">
          <TextInput type="email" label={t('admin.researcher2fa.email')} required value={email} onChange={(event) => setEmail(event.currentTarget.value)} w={320} />
          <Button type="submit" color="red.9" variant="outline" loading={remove.isPending}>
            {t('admin.researcher2fa.button')}
          </Button>
        </Group>
        {remove.data && (
          <Text size="sm" role="status">
            {t('admin.researcher2fa.done', { email: remove.data.researcher.email })}
          </Text>
        )}
        <ErrorAlert error={remove.error} />
      </Stack>
    </Paper>
  );
}

function AddUser({ onLink }: { onLink: (link: { email: string; link: string }) => void }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const roles = useRoleOptions();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const add = useMutation({
    mutationFn: () => api('POST', '/api/users', { body: { email, role } }),
    onSuccess: async (added) => {
      if (added.set_password_link) onLink({ email: added.account.email, link: added.set_password_link });
      setEmail('');
      await queryClient.invalidateQueries({ queryKey: usersQuery.queryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Paper component="section" aria-labelledby="add-user-title" withBorder p="md">
      <Stack component="form" onSubmit={submit}>
        <Title order={2} size="h3" id="add-user-title">
          {t('admin.users.add')}
        </Title>
        <Text size="sm">{t('admin.users.add.intro')}</Text>
        <ErrorAlert error={add.error} />
        <Group align="flex-end">
          <TextInput type="email" label={t('signIn.email')} required value={email} onChange={(event) => setEmail(event.currentTarget.value)} w={320} />
          <NativeSelect label={t('admin.column.role')} value={role} onChange={(event) => setRole(event.currentTarget.value as Role)} data={roles} />
          <Button type="submit" loading={add.isPending}>
            {t('admin.users.add.button')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function UserRow({ account, onLink }: { account: Account; onLink: (link: { email: string; link: string }) => void }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const roles = useRoleOptions();
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersQuery.queryKey });
  const update = useMutation({ mutationFn: (body: { role?: Role; disabled?: boolean }) => api('PATCH', '/api/users/:id', { params: { id: account.id }, body }), onSuccess: refresh });
  const reset = useMutation({
    mutationFn: () => api('POST', '/api/users/:id/reset', { params: { id: account.id }, body: {} }),
    onSuccess: async (done) => {
      onLink({ email: done.account.email, link: done.set_password_link });
      await refresh();
    },
  });
  const removeTwoFactor = useMutation({ mutationFn: () => api('POST', '/api/users/:id/remove-2fa', { params: { id: account.id } }), onSuccess: refresh });
  const error = [update, reset, removeTwoFactor].find((mutation) => mutation.isError)?.error;
  return (
    <Table.Tr>
      <Table.Th scope="row">{account.email}</Table.Th>
      <Table.Td>
        <NativeSelect
          aria-label={t('admin.users.roleOf', { email: account.email })}
          size="xs"
          value={account.role}
          onChange={(event) => update.mutate({ role: event.currentTarget.value as Role })}
          data={roles}
        />
      </Table.Td>
      <Table.Td>
        <Badge color={account.disabled ? 'gray.8' : 'teal.9'} variant="outline">
          {account.disabled ? t('admin.status.disabled') : account.has_password ? t('admin.status.active') : t('admin.status.invited')}
        </Badge>
      </Table.Td>
      <Table.Td>{account.two_factor.length === 0 ? (account.must_enrol_2fa ? t('admin.twoFactor.must') : t('admin.twoFactor.none')) : account.two_factor.map((kind) => t(`admin.twoFactor.${kind}`)).join(', ')}</Table.Td>
      <Table.Td>
        <FormattedDate value={account.created_at} dateStyle="medium" />
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Group gap={4} wrap="nowrap">
            <Button size="compact-xs" variant="default" loading={update.isPending} onClick={() => update.mutate({ disabled: !account.disabled })} aria-label={t(account.disabled ? 'admin.users.enableOf' : 'admin.users.disableOf', { email: account.email })}>
              {account.disabled ? t('admin.users.enable') : t('admin.users.disable')}
            </Button>
            <Button size="compact-xs" variant="default" loading={reset.isPending} onClick={() => window.confirm(t('admin.users.reset.confirm', { email: account.email })) && reset.mutate()} aria-label={t('admin.users.resetOf', { email: account.email })}>
              {t('admin.users.reset')}
            </Button>
            {account.two_factor.length > 0 && (
              <Button
                size="compact-xs"
                variant="default"
                color="red.8"
                loading={removeTwoFactor.isPending}
                onClick={() => window.confirm(t('admin.users.remove2fa.confirm', { email: account.email })) && removeTwoFactor.mutate()}
                aria-label={t('admin.users.remove2faOf', { email: account.email })}
              >
                {t('admin.users.remove2fa')}
              </Button>
            )}
          </Group>
          <ErrorAlert error={error} />
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

/** API tokens: create one (its secret shown this once), revoke one. */
export function TokensPage() {
  const can = useCan();
  return can('users:manage') ? <Tokens /> : <Forbidden />;
}

function Tokens() {
  const t = useMessage();
  const queryClient = useQueryClient();
  const roles = useRoleOptions();
  const tokens = useQuery(tokensQuery);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const refresh = () => queryClient.invalidateQueries({ queryKey: tokensQuery.queryKey });
  const create = useMutation({
    mutationFn: () => api('POST', '/api/tokens', { body: { name, role } }),
    onSuccess: async () => {
      setName('');
      await refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => api('DELETE', '/api/tokens/:id', { params: { id } }), onSuccess: refresh });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Stack gap="lg">
      <Title order={1}>{t('admin.tokens')}</Title>
      <AdminNav />
      <Paper component="section" aria-labelledby="add-token-title" withBorder p="md">
        <Stack component="form" onSubmit={submit}>
          <Title order={2} size="h3" id="add-token-title">
            {t('admin.tokens.add')}
          </Title>
          <ErrorAlert error={create.error} />
          {create.data && <Once intro={t('admin.tokens.once', { name: create.data.api_token.name })} value={create.data.token} />}
          <Group align="flex-end">
            <TextInput label={t('admin.tokens.name')} description={t('admin.tokens.name.help')} required maxLength={100} value={name} onChange={(event) => setName(event.currentTarget.value)} w={320} />
            <NativeSelect label={t('admin.column.role')} value={role} onChange={(event) => setRole(event.currentTarget.value as Role)} data={roles} />
            <Button type="submit" loading={create.isPending}>
              {t('admin.tokens.add.button')}
            </Button>
          </Group>
        </Stack>
      </Paper>
      <ErrorAlert error={tokens.error ?? revoke.error} />
      {tokens.data &&
        (tokens.data.items.length === 0 ? (
          <Text c="dimmed">{t('admin.tokens.none')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table verticalSpacing="xs" striped className="tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('admin.tokens.name')}</Table.Th>
                  <Table.Th scope="col">{t('admin.column.role')}</Table.Th>
                  <Table.Th scope="col">{t('admin.tokens.by')}</Table.Th>
                  <Table.Th scope="col">{t('admin.column.created')}</Table.Th>
                  <Table.Th scope="col">{t('admin.tokens.lastUsed')}</Table.Th>
                  <Table.Th scope="col">{t('admin.column.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.items.map((token) => (
                  <Table.Tr key={token.id}>
                    <Table.Th scope="row">{token.name}</Table.Th>
                    <Table.Td>{t(`role.${token.role}`)}</Table.Td>
                    <Table.Td>{token.created_by}</Table.Td>
                    <Table.Td>
                      <FormattedDate value={token.created_at} dateStyle="medium" timeStyle="short" />
                    </Table.Td>
                    <Table.Td>{token.last_used_at ? <FormattedDate value={token.last_used_at} dateStyle="medium" timeStyle="short" /> : t('admin.tokens.never')}</Table.Td>
                    <Table.Td>
                      {token.revoked_at ? (
                        <Text size="sm">
                          {t('admin.tokens.revokedAt')} <FormattedDate value={token.revoked_at} dateStyle="medium" timeStyle="short" />
                        </Text>
                      ) : (
                        <Button
                          size="compact-xs"
                          variant="default"
                          color="red.8"
                          loading={revoke.isPending && revoke.variables === token.id}
                          onClick={() => window.confirm(t('admin.tokens.revoke.confirm', { name: token.name })) && revoke.mutate(token.id)}
                          aria-label={t('admin.tokens.revokeOf', { name: token.name })}
                        >
                          {t('admin.tokens.revoke')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
    </Stack>
  );
}

const SECURITY_LOG_PAGE = 100;

/** The security log, newest first, older pages on demand. */
export function SecurityLogPage() {
  const can = useCan();
  return can('security_log:read') ? <SecurityLog /> : <Forbidden />;
}

function SecurityLog() {
  const t = useMessage();
  const log = useInfiniteQuery({
    queryKey: ['admin', 'security-log'],
    queryFn: ({ pageParam }) => api('GET', '/api/security-log', { query: { limit: SECURITY_LOG_PAGE, ...(pageParam === null ? {} : { before: pageParam }) } }),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.next_before,
  });
  // Each page comes oldest first; the table reads newest first.
  const entries = (log.data?.pages ?? []).flatMap((page) => [...page.items].reverse());
  return (
    <Stack gap="lg">
      <Title order={1}>{t('admin.securityLog')}</Title>
      <AdminNav />
      <Text size="sm">{t('admin.securityLog.intro')}</Text>
      <ErrorAlert error={log.error} />
      <Table.ScrollContainer minWidth={880}>
        <Table verticalSpacing="xs" striped className="security-log">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('audit.column.when')}</Table.Th>
              <Table.Th scope="col">{t('admin.securityLog.event')}</Table.Th>
              <Table.Th scope="col">{t('admin.securityLog.account')}</Table.Th>
              <Table.Th scope="col">{t('audit.column.who')}</Table.Th>
              <Table.Th scope="col">{t('admin.securityLog.address')}</Table.Th>
              <Table.Th scope="col">{t('audit.column.details')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td>
                  <FormattedDate value={entry.at} dateStyle="medium" timeStyle="medium" />
                </Table.Td>
                <Table.Td>{t(`securityEvent.${entry.event as SecurityEvent}`)}</Table.Td>
                <Table.Td>{entry.email ?? '—'}</Table.Td>
                <Table.Td>{entry.actor}</Table.Td>
                <Table.Td>{entry.address ?? '—'}</Table.Td>
                <Table.Td className="audit-details">
                  {Object.entries(entry.details)
                    .map(([key, value]) => `${sentenceCase(key)}: ${String(value)}`)
                    .join(' · ')}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {log.hasNextPage && (
        <Group>
          <Button variant="default" onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
            {t('admin.securityLog.older')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
