import { Alert, Button, Center, Divider, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { api, ApiError } from '../api.ts';
import { ErrorAlert } from '../errors.tsx';
import { useMessage } from '../i18n.tsx';
import { PasskeyButton } from '../passkey-button.tsx';
import { signInWithPasskey } from '../passkeys.ts';
import { sessionQuery } from '../session.ts';

/** Email and password, the code field appearing once the server says the account has a second factor; or a passkey alone. */
export function SignInPage({ redirect, passwordSet }: { redirect: string | undefined; passwordSet: boolean }) {
  const t = useMessage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const [askOtp, setAskOtp] = useState(false);
  const signedIn = async () => {
    // Forgotten, not just marked stale: the signed-in pages ask for it before loading, and must not get the old "nobody".
    queryClient.removeQueries({ queryKey: sessionQuery.queryKey });
    await navigate({ to: redirect ?? '/incidents' });
  };
  const signIn = useMutation({
    mutationFn: () => api('POST', '/api/session', { body: { email, password, ...(askOtp && otp ? { otp } : {}) } }),
    onSuccess: signedIn,
    onError: (error) => {
      if (error instanceof ApiError && (error.code === 'OTP_REQUIRED' || error.code === 'OTP_INVALID')) setAskOtp(true);
    },
  });
  const passkey = useMutation({ mutationFn: signInWithPasskey, onSuccess: signedIn });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    passkey.reset();
    signIn.mutate();
  };
  return (
    <Center component="main" id="content" mih="100vh" p="md">
      <Paper component="form" onSubmit={submit} withBorder shadow="sm" p="xl" w={400} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            {t('signIn.title')}
          </Title>
          {passwordSet && !signIn.error && (
            <Alert color="green" role="status" variant="light">
              {t('signIn.passwordSet')}
            </Alert>
          )}
          <ErrorAlert error={signIn.error ?? passkey.error} />
          <TextInput label={t('signIn.email')} type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} />
          <PasswordInput label={t('signIn.password')} autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.currentTarget.value)} />
          {askOtp && (
            <TextInput label={t('signIn.otp')} autoComplete="one-time-code" inputMode="text" required autoFocus value={otp} onChange={(event) => setOtp(event.currentTarget.value)} />
          )}
          <Button type="submit" loading={signIn.isPending}>
            {t('signIn.submit')}
          </Button>
          <Divider label={t('signIn.or')} />
          <PasskeyButton
            label={t('signIn.passkey')}
            variant="default"
            loading={passkey.isPending}
            onClick={() => {
              signIn.reset();
              passkey.mutate();
            }}
          />
        </Stack>
      </Paper>
    </Center>
  );
}
