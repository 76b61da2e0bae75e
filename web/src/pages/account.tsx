import { Alert, Button, Code, Group, Image, List, Paper, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { queryOptions, useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { FormattedDate, useIntl } from 'react-intl';
import { api, ApiError } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { type MessageId, useMessage } from '../i18n.tsx';
import { PasskeyButton } from '../passkey-button.tsx';
import { addPasskey } from '../passkeys.ts';
import { sessionQuery } from '../session.ts';

/** The signed-in person's own account: its password, an authenticator app and passkeys for sign-in, and ending every session. */
export function AccountPage() {
  const t = useMessage();
  const { data: session } = useSuspenseQuery(sessionQuery);
  if (!session) return null;
  return (
    <Stack maw={720}>
      <Title order={1}>{t('account.title')}</Title>
      <Text>{t('account.signedInAs', { email: session.account.email, role: t(`role.${session.account.role}` as MessageId) })}</Text>
      {session.account.via === 'session' && <ChangePassword />}
      {session.account.via === 'session' && <TotpEnrolment mustEnrol={session.account.must_enrol_2fa === true} />}
      {session.account.via === 'session' && <Passkeys />}
      <SignOutEverywhere />
    </Stack>
  );
}

function TotpEnrolment({ mustEnrol }: { mustEnrol: boolean }) {
  const t = useMessage();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const begin = useMutation({ mutationFn: () => api('POST', '/api/session/totp') });
  const confirm = useMutation({
    mutationFn: () => api('POST', '/api/session/totp/confirm', { body: { code } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate();
  };
  return (
    <Paper component="section" aria-labelledby="totp-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="totp-title">
          {t('account.totp')}
        </Title>
        {mustEnrol && <Alert color="orange">{t('account.totp.must')}</Alert>}
        <Text size="sm">{t('account.totp.intro')}</Text>
        <ErrorAlert error={begin.error} />
        {confirm.data ? (
          <Alert color="green" role="status">
            <Stack gap="xs">
              <Text size="sm">{t('account.totp.done')}</Text>
              <List size="sm" className="recovery-codes">
                {confirm.data.recovery_codes.map((recovery) => (
                  <List.Item key={recovery}>
                    <Code>{recovery}</Code>
                  </List.Item>
                ))}
              </List>
            </Stack>
          </Alert>
        ) : begin.data ? (
          <form onSubmit={submit}>
            <Stack>
              <Image src={`data:image/svg+xml;base64,${btoa(begin.data.qr_svg)}`} alt={t('account.totp.qr')} w={200} h={200} />
              <Text size="sm">{t('account.totp.scan', { secret: begin.data.secret })}</Text>
              <ErrorAlert error={confirm.error} />
              <Group align="flex-end">
                <TextInput label={t('account.totp.code')} autoComplete="one-time-code" required value={code} onChange={(event) => setCode(event.currentTarget.value)} />
                <Button type="submit" loading={confirm.isPending}>
                  {t('account.totp.confirm')}
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Group>
            <Button onClick={() => begin.mutate()} loading={begin.isPending}>
              {t('account.totp.start')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

const passkeysQuery = queryOptions({ queryKey: ['passkeys'], queryFn: () => api('GET', '/api/session/passkeys') });

/** The person's passkeys: when each was added and last signed in; adding one on this device, removing one. */
function Passkeys() {
  const t = useMessage();
  const intl = useIntl();
  const queryClient = useQueryClient();
  const passkeys = useQuery(passkeysQuery);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: passkeysQuery.queryKey });
    // Adding one may lift the duty to enrol a second factor.
    await queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey });
  };
  const add = useMutation({ mutationFn: addPasskey, onSuccess: refresh });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', '/api/session/passkeys/:id', { params: { id } }), onSuccess: refresh });
  const items = passkeys.data?.items ?? [];
  return (
    <Paper component="section" aria-labelledby="passkeys-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="passkeys-title">
          {t('account.passkeys')}
        </Title>
        <Text size="sm">{t('account.passkeys.intro')}</Text>
        <ErrorAlert error={passkeys.error ?? add.error ?? remove.error} />
        {add.isSuccess && (
          <Alert color="green" role="status" variant="light">
            {t('account.passkeys.done')}
          </Alert>
        )}
        {remove.isSuccess && (
          <Alert color="green" role="status" variant="light">
            {t('account.passkeys.removed')}
          </Alert>
        )}
        {passkeys.isSuccess && items.length === 0 && <Text c="dimmed">{t('account.passkeys.none')}</Text>}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing="xs" className="passkeys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('account.passkeys.added')}</Table.Th>
                  <Table.Th scope="col">{t('account.passkeys.lastUsed')}</Table.Th>
                  <Table.Th scope="col">{t('admin.column.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((passkey) => (
                  <Table.Tr key={passkey.id}>
                    <Table.Th scope="row" fw="normal">
                      <FormattedDate value={passkey.created_at} dateStyle="medium" timeStyle="short" />
                    </Table.Th>
                    <Table.Td>{passkey.last_used_at ? <FormattedDate value={passkey.last_used_at} dateStyle="medium" timeStyle="short" /> : t('account.passkeys.never')}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="default"
                        color="red.8"
                        loading={remove.isPending && remove.variables === passkey.id}
                        aria-label={t('account.passkeys.removeOf', { date: intl.formatDate(passkey.created_at, { dateStyle: 'medium', timeStyle: 'short' }) })}
                        onClick={() => {
                          if (!window.confirm(t('account.passkeys.remove.confirm'))) return;
                          add.reset();
                          remove.mutate(passkey.id);
                        }}
                      >
                        {t('account.passkeys.remove')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group>
          <PasskeyButton
            label={t('account.passkeys.add')}
            loading={add.isPending}
            onClick={() => {
              remove.reset();
              add.mutate();
            }}
          />
        </Group>
      </Stack>
    </Paper>
  );
}

function ChangePassword() {
  const t = useMessage();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const change = useMutation({
    mutationFn: () => api('POST', '/api/session/password', { body: { current, password } }),
    onSuccess: () => {
      setCurrent('');
      setPassword('');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  // The password policy's own words, next to the field they are about.
  const weak = change.error instanceof ApiError && change.error.code === 'WEAK_PASSWORD' ? change.error.message : undefined;
  return (
    <Paper component="section" aria-labelledby="password-title" withBorder p="md">
      <Stack component="form" onSubmit={submit}>
        <Title order={2} size="h3" id="password-title">
          {t('account.password')}
        </Title>
        <Text size="sm">{t('account.password.intro')}</Text>
        {!weak && <ErrorAlert error={change.error} />}
        {change.isSuccess && (
          <Alert color="green" role="status" variant="light">
            {t('account.password.done')}
          </Alert>
        )}
        <PasswordInput label={t('account.password.current')} autoComplete="current-password" required value={current} onChange={(event) => setCurrent(event.currentTarget.value)} />
        <PasswordInput label={t('setPassword.password')} autoComplete="new-password" required value={password} error={weak} onChange={(event) => setPassword(event.currentTarget.value)} />
        <Group>
          <Button type="submit" loading={change.isPending}>
            {t('account.password')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function SignOutEverywhere() {
  const t = useMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const everywhere = useMutation({
    mutationFn: () => api('POST', '/api/session/logout-everywhere'),
    onSuccess: async () => {
      queryClient.clear();
      await navigate({ to: '/sign-in', search: { redirect: undefined } });
    },
  });
  return (
    <Paper component="section" aria-labelledby="everywhere-title" withBorder p="md">
      <Stack>
        <Title order={2} size="h3" id="everywhere-title">
          {t('account.everywhere')}
        </Title>
        <Text size="sm">{t('account.everywhere.intro')}</Text>
        <ErrorAlert error={everywhere.error} />
        <Group>
          <Button color="red.8" onClick={() => window.confirm(t('account.everywhere.confirm')) && everywhere.mutate()} loading={everywhere.isPending}>
            {t('account.everywhere.button')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
