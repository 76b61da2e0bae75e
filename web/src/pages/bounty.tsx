import { Alert, Badge, Group, Stack, Title } from '@mantine/core';
import { Outlet } from '@tanstack/react-router';
import type { ReportState, SlaStanding, SlaTarget } from '../../../src/bounty/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import type { ReplyOf } from '../api.ts';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';

export type BountySeverity = NonNullable<ReplyOf<'GET', '/api/bounty/reports'>['reports'][number]['severity']>;

// Dark shades: white on a filled badge, and an outlined badge's words on white, read at 4.5:1 or better. The server's
// lists, as records keyed by its types: a state, standing or severity added there fails the typecheck here.
const STATE_COLOURS: Record<ReportState, string> = {
  new: 'blue.9',
  triaged: 'violet.9',
  needs_more_info: 'grape.9',
  resolved: 'teal.9',
  duplicate: 'gray.7',
  informative: 'cyan.9',
  not_applicable: 'gray.7',
  spam: 'gray.7',
};
const STANDING_COLOURS: Record<SlaStanding, string> = { overdue: 'red.9', due_soon: 'grape.9', on_track: 'blue.9', done: 'teal.9' };
const SEVERITY_COLOURS: Record<BountySeverity, string> = { critical: 'red.9', high: 'pink.9', medium: 'indigo.9', low: 'blue.9', none: 'gray.7' };
const TARGETS: Record<SlaTarget, true> = { first_response: true, triage: true, bounty: true, resolution: true };

export const REPORT_STATES = Object.keys(STATE_COLOURS) as ReportState[];
export const SLA_STANDINGS = Object.keys(STANDING_COLOURS) as SlaStanding[];
export const SEVERITIES = Object.keys(SEVERITY_COLOURS) as BountySeverity[];
export const SLA_TARGETS = Object.keys(TARGETS) as SlaTarget[];

/** The triage queue's filters, kept in the URL so a view can be shared by link (router.tsx validates them). */
export interface QueueSearch {
  state: ReportState | undefined;
  asset: string | undefined;
  severity: BountySeverity | undefined;
  sla: SlaStanding | undefined;
}

export const ANY_REPORT: QueueSearch = { state: undefined, asset: undefined, severity: undefined, sla: undefined };

/** The metrics page's period start (a day, YYYY-MM-DD), in the URL; the last 365 days without it. */
export interface MetricsSearch {
  since: string | undefined;
}

export function StateBadge({ state }: { state: ReportState }) {
  const t = useMessage();
  return (
    <Badge variant="outline" color={STATE_COLOURS[state]}>
      {t(`bounty.state.${state}`)}
    </Badge>
  );
}

export function SeverityBadge({ severity }: { severity: BountySeverity | null }) {
  const t = useMessage();
  if (severity === null) return <Badge variant="outline" color="gray.7">{t('bounty.severity.unscored')}</Badge>;
  return <Badge color={SEVERITY_COLOURS[severity]}>{t(`bounty.severity.${severity}`)}</Badge>;
}

export function StandingBadge({ standing }: { standing: SlaStanding }) {
  const t = useMessage();
  return <Badge color={STANDING_COLOURS[standing]}>{t(`bounty.sla.${standing}`)}</Badge>;
}

/** Every page of the bug bounty's triage: its own navigation over the page, for the roles that triage. */
export function BountyLayout() {
  const t = useMessage();
  const can = useCan();
  if (!can('bounty:triage')) {
    return (
      <Stack>
        <Title order={1}>{t('bounty.title')}</Title>
        <Alert color="yellow" variant="light">
          {t('bounty.forbidden')}
        </Alert>
      </Stack>
    );
  }
  const current = { 'aria-current': 'page' } as const;
  return (
    <Stack gap="md">
      <Group component="nav" aria-label={t('bounty.nav')} gap="lg" className="section-nav">
        <AnchorLink to="/bounty/reports" search={ANY_REPORT} activeProps={current} activeOptions={{ includeSearch: false }} fw={600}>
          {t('bounty.nav.reports')}
        </AnchorLink>
        <AnchorLink to="/bounty/metrics" search={{ since: undefined }} activeProps={current} activeOptions={{ includeSearch: false }} fw={600}>
          {t('bounty.nav.metrics')}
        </AnchorLink>
      </Group>
      <Outlet />
    </Stack>
  );
}
