import { Button, type ButtonProps, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import { useMessage } from './i18n.tsx';
import { passkeySupport } from './passkeys.ts';

/** A button that starts a passkey ceremony; where this page cannot have passkeys, disabled, with the reason beneath. */
export function PasskeyButton({ label, loading, onClick, variant }: { label: string; loading: boolean; onClick(): void; variant?: ButtonProps['variant'] }) {
  const t = useMessage();
  const reasonId = useId();
  const support = passkeySupport();
  return (
    <Stack gap="xs" align="stretch">
      <Button variant={variant} loading={loading} disabled={support !== 'ok'} aria-describedby={support === 'ok' ? undefined : reasonId} onClick={onClick}>
        {label}
      </Button>
      {support !== 'ok' && (
        <Text size="sm" c="dimmed" id={reasonId}>
          {t(`passkey.${support}`, { host: window.location.hostname, detail: '' })}
        </Text>
      )}
    </Stack>
  );
}
