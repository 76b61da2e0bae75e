import { Alert, Badge, Group, Stack, Table, Title } from '@mantine/core';
import { Outlet } from '@tanstack/react-router';
import { defang, type TriageState, type Verdict } from '../../../src/domain/index.ts';
import { AnchorLink } from '../anchor-link.tsx';
import { useMessage } from '../i18n.tsx';
import { useCan } from '../session.ts';

/** The report inbox's filters, kept in the URL so a view can be shared by link (router.tsx validates them). */
export interface ReportsSearch {
  triage: TriageState | undefined;
  verdict: Verdict | undefined;
}

/** Dark shades: white on a filled badge, and an outlined badge's words on white, read at 4.5:1 or better. */
const VERDICT_COLOURS: Record<Verdict, string> = { phishing: 'red.9', suspicious: 'orange.9', spam: 'gray.7', genuine: 'green.9', unknown: 'gray.7' };
const TRIAGE_COLOURS: Record<TriageState, string> = { new: 'blue.9', phishing_confirmed: 'red.9', benign: 'teal.9', genuine: 'green.9', spam: 'gray.7' };

/** The desk's verdict on a report or a campaign; none while a report awaits its analysis. */
export function VerdictBadge({ verdict }: { verdict: string | null }) {
  const t = useMessage();
  if (verdict === null) return <Badge variant="outline" color="gray.7">{t('phishing.verdict.none')}</Badge>;
  return <Badge color={VERDICT_COLOURS[verdict as Verdict] ?? 'gray.7'}>{t(`phishing.verdict.${verdict as Verdict}`)}</Badge>;
}

export function TriageBadge({ triage }: { triage: string }) {
  const t = useMessage();
  return (
    <Badge variant="outline" color={TRIAGE_COLOURS[triage as TriageState] ?? 'gray.7'}>
      {t(`phishing.triage.${triage as TriageState}`)}
    </Badge>
  );
}

/** Every page of the phishing desk: its own navigation over the page, for the roles that may read the reports. */
export function PhishingLayout() {
  const t = useMessage();
  const can = useCan();
  if (!can('personal_data:read')) {
    return (
      <Stack>
        <Title order={1}>{t('phishing.title')}</Title>
        <Alert color="yellow" variant="light">
          {t('phishing.forbidden')}
        </Alert>
      </Stack>
    );
  }
  const current = { 'aria-current': 'page' } as const;
  return (
    <Stack gap="md">
      <Group component="nav" aria-label={t('phishing.nav')} gap="lg" className="section-nav">
        <AnchorLink to="/phishing/reports" search={{ triage: undefined, verdict: undefined }} activeProps={current} activeOptions={{ includeSearch: false }} fw={600}>
          {t('phishing.nav.reports')}
        </AnchorLink>
        <AnchorLink to="/phishing/campaigns" activeProps={current} fw={600}>
          {t('phishing.nav.campaigns')}
        </AnchorLink>
        <AnchorLink to="/phishing/domains" activeProps={current} fw={600}>
          {t('phishing.nav.domains')}
        </AnchorLink>
      </Group>
      <Outlet />
    </Stack>
  );
}

/** A look-alike domain's first cells in a table row: the domain (defanged), the shop's domain it imitates, and how (the permutation classes, as the desk names them). */
export function LookalikeCells({ domain, imitates, kinds }: { domain: string; imitates: string; kinds: readonly string[] }) {
  return (
    <>
      <Table.Td ff="monospace" className="defanged">
        {defang(domain)}
      </Table.Td>
      <Table.Td ff="monospace">{imitates}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          {kinds.map((kind) => (
            <Badge key={kind} variant="outline" color="indigo.9" tt="none">
              {kind}
            </Badge>
          ))}
        </Group>
      </Table.Td>
    </>
  );
}
