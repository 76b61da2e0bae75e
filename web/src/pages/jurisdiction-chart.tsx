import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { useMessage } from '../i18n.tsx';

/** Affected people per jurisdiction, as bars; the table beside it holds the same numbers for screen readers. */
export default function JurisdictionChart({ rows }: { rows: { jurisdiction: string; subjects: number }[] }) {
  const t = useMessage();
  return (
    <div role="img" aria-label={`${t('overview.chart')}: ${rows.map((row) => `${row.jurisdiction} ${row.subjects}`).join(', ')}`}>
      <BarChart h={260} data={rows} dataKey="jurisdiction" series={[{ name: 'subjects', label: t('overview.clock.people.count'), color: 'indigo.7' }]} tickLine="y" withTooltip={false} />
    </div>
  );
}
