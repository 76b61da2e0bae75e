import { Alert } from '@mantine/core';
import { ApiError } from './api.ts';
import { type MessageId, useMessage } from './i18n.tsx';
import { PasskeyError } from './passkeys.ts';

const KNOWN = new Set<string>([
  'LOGIN_FAILED',
  'OTP_REQUIRED',
  'OTP_INVALID',
  'PASSKEY_REQUIRED',
  'PASSKEY_CHALLENGE',
  'PASSKEY_INVALID',
  'PASSKEY_EXISTS',
  'ENROLMENT_CODE_WRONG',
  'FORBIDDEN',
  'LINK_INVALID',
  'CURRENT_PASSWORD_WRONG',
  'SIGN_IN_AGAIN',
]);

/** What went wrong, in the user's language where the console knows the code, else the server's own words. */
export function useErrorText() {
  const t = useMessage();
  return (error: unknown): string => {
    if (error instanceof PasskeyError) return t(`passkey.${error.problem}`, { host: window.location.hostname, detail: error.message });
    if (!(error instanceof ApiError)) return t('error.network');
    if (error.code === 'LOCKED_OUT') return t('error.LOCKED_OUT', { minutes: Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60)) });
    if (error.code === 'THROTTLED') return t('error.THROTTLED', { seconds: error.retryAfter ?? 1 });
    if (KNOWN.has(error.code)) return t(`error.${error.code}` as MessageId);
    return t('error.other', { message: error.message });
  };
}

export function ErrorAlert({ error }: { error: unknown }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <Alert color="red" role="alert" variant="light">
      {text(error)}
    </Alert>
  );
}
