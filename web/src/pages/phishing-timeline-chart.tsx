import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { useIntl } from 'react-intl';
import { useMessage } from '../i18n.tsx';

type Unit = 'hour' | 'day' | 'week';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Hours for a wave of two days at most, days up to four months, weeks beyond: a few dozen bars or so, never one per report. */
function unitFor(span: number): Unit {
  if (span <= 2 * DAY) return 'hour';
  if (span <= 120 * DAY) return 'day';
  return 'week';
}

/** The start of the unit a time falls in, in the browser's time zone (a day starts at local midnight). */
function startOf(time: Date, unit: Unit): Date {
  const start = new Date(time);
  if (unit === 'hour') start.setMinutes(0, 0, 0);
  else start.setHours(0, 0, 0, 0);
  return start;
}

function next(time: Date, unit: Unit): Date {
  const after = new Date(time);
  if (unit === 'hour') after.setHours(after.getHours() + 1);
  else after.setDate(after.getDate() + (unit === 'day' ? 1 : 7));
  return after;
}

/** Reports per hour, day or week from the first to the last, the empty ones included so gaps show. */
export function reportsOverTime(times: readonly string[]): { unit: Unit; buckets: { start: Date; reports: number }[] } {
  const sorted = times.map((time) => new Date(time)).sort((a, b) => a.getTime() - b.getTime());
  if (sorted.length === 0) return { unit: 'hour', buckets: [] };
  const unit = unitFor(sorted.at(-1)!.getTime() - sorted[0].getTime());
  const buckets: { start: Date; reports: number }[] = [];
  let start = startOf(sorted[0], unit);
  let end = next(start, unit);
  buckets.push({ start, reports: 0 });
  for (const time of sorted) {
    while (time >= end) {
      start = end;
      end = next(start, unit);
      buckets.push({ start, reports: 0 });
    }
    buckets[buckets.length - 1].reports++;
  }
  return { unit, buckets };
}

/** A campaign's reports over time, as bars; the label reads the same numbers to screen readers. */
export default function PhishingTimelineChart({ times }: { times: readonly string[] }) {
  const t = useMessage();
  const intl = useIntl();
  const { unit, buckets } = reportsOverTime(times);
  const label = (start: Date) => (unit === 'hour' ? intl.formatDate(start, { dateStyle: 'medium', timeStyle: 'short' }) : intl.formatDate(start, { dateStyle: 'medium' }));
  const data = buckets.map((bucket) => ({ period: label(bucket.start), reports: bucket.reports }));
  const summary = data.filter((row) => row.reports > 0).map((row) => `${row.period}: ${row.reports}`);
  return (
    <div role="img" aria-label={`${t(`phishing.campaign.chart.${unit}`)}. ${summary.join('; ')}`}>
      <BarChart h={240} data={data} dataKey="period" series={[{ name: 'reports', label: t('phishing.campaign.chart.reports'), color: 'red.8' }]} tickLine="y" yAxisProps={{ allowDecimals: false }} withTooltip={false} />
    </div>
  );
}
