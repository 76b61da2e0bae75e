import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiError } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';

/**
 * The page of a one-time set-password link (`/set-password#TOKEN`). The token sits in the
 * fragment, which browsers never send: it reaches only this page's request to the API, and is
 * taken out of the address bar (and so of the history) as soon as the page has it.
 */
export function SetPasswordPage() {
  const t = useMessage();
  const navigate = useNavigate();
  const [token] = useState(() => window.location.hash.slice(1));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  const setIt = useMutation({
    mutationFn: () => api('POST', '/api/session/set-password', { body: { token, password } }),
    onSuccess: () => navigate({ to: '/sign-in', search: { redirect: undefined, password_set: true } }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(password !== repeat);
    if (password === repeat) setIt.mutate();
  };
  // The password policy's own words, next to the field they are about.
  const weak = setIt.error instanceof ApiError && setIt.error.code === 'WEAK_PASSWORD' ? setIt.error.message : undefined;
  return (
    <Center component="main" id="content" mih="100vh" p="md">
      <Paper component="form" onSubmit={submit} withBorder shadow="sm" p="xl" w={400} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            {t('setPassword.title')}
          </Title>
          {token ? <Text>{t('setPassword.intro')}</Text> : <ErrorAlert error={new ApiError(404, 'LINK_INVALID', '', null)} />}
          {!weak && <ErrorAlert error={setIt.error} />}
          <PasswordInput label={t('setPassword.password')} autoComplete="new-password" required value={password} error={weak} onChange={(event) => setPassword(event.currentTarget.value)} />
          <PasswordInput
            label={t('setPassword.repeat')}
            autoComplete="new-password"
            required
            value={repeat}
            error={mismatch ? t('setPassword.mismatch') : undefined}
            onChange={(event) => setRepeat(event.currentTarget.value)}
          />
          <Button type="submit" loading={setIt.isPending} disabled={!token}>
            {t('setPassword.submit')}
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
