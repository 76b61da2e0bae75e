import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { useMessage } from './i18n.tsx';

/** The time now, renewed every `everyMs`: what live clocks count from. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/** A span as its two largest units in the user's locale: `2d 3h`, `2j 3h`, `5m 12s`. */
function useSpan() {
  const intl = useIntl();
  return (ms: number) => {
    let rest = Math.max(0, ms);
    const parts: string[] = [];
    for (const [unit, size] of UNITS) {
      const count = Math.floor(rest / size);
      rest -= count * size;
      if (count > 0 || parts.length > 0 || unit === 'second') parts.push(intl.formatNumber(count, { style: 'unit', unit, unitDisplay: 'narrow' }));
      if (parts.length === 2) break;
    }
    return parts.join(' ');
  };
}

/** A legal deadline counting down each second; red, and counting up, once it has passed. */
export function Countdown({ dueAt }: { dueAt: string }) {
  const t = useMessage();
  const span = useSpan();
  const intl = useIntl();
  const left = Date.parse(dueAt) - useNow();
  const overdue = left < 0;
  return (
    <Text component="span" size="sm" c={overdue ? 'red.9' : undefined} fw={overdue ? 700 : 500} title={intl.formatDate(dueAt, { dateStyle: 'full', timeStyle: 'long' })}>
      {overdue ? t('countdown.overdueBy', { time: span(-left) }) : t('countdown.dueIn', { time: span(left) })}
    </Text>
  );
}
