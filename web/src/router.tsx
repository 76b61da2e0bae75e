import { Center, Loader, Text } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, Outlet, redirect } from '@tanstack/react-router';
import { lazy } from 'react';
import { CATEGORIES, TRIAGE_STATES, VERDICTS } from '../../src/domain/index.ts';
import { ErrorAlert } from './errors.tsx';
import { useMessage } from './i18n.tsx';
import { INCIDENT_STATUSES, type IncidentStatus } from './incident-status.ts';
import { AppLayout } from './layout.tsx';
import { AccountPage } from './pages/account.tsx';
import { type AffectedSearch, countryOf } from './pages/affected-search.ts';
import { IncidentPage, incidentQuery } from './pages/incident.tsx';
import { IncidentsPage, incidentsQuery, pipelineQuery } from './pages/incidents.tsx';
import { ANY_REPORT, BountyLayout, type MetricsSearch, type QueueSearch, REPORT_STATES as BOUNTY_STATES, SEVERITIES, SLA_STANDINGS } from './pages/bounty.tsx';
import { PhishingLayout, type ReportsSearch } from './pages/phishing.tsx';
import { SetPasswordPage } from './pages/set-password.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { sessionQuery } from './session.ts';

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({ component: Outlet, notFoundComponent: NotFound });

/** Only a path of this console: a redirect elsewhere after sign-in would be an open redirect. */
const localPath = (value: unknown) => (typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : undefined);

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { redirect: string | undefined; password_set?: boolean } => ({
    redirect: localPath(search.redirect),
    ...(search.password_set === true ? { password_set: true } : {}),
  }),
  component: function SignIn() {
    const search = signInRoute.useSearch();
    return <SignInPage redirect={search.redirect} passwordSet={search.password_set === true} />;
  },
});

const setPasswordRoute = createRoute({ getParentRoute: () => rootRoute, path: '/set-password', component: SetPasswordPage });

/** Every page but sign-in and setting a password: a session first, and a second factor first for an account that must enrol one. */
const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  beforeLoad: async ({ context, location }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
    if (session.account.must_enrol_2fa && location.pathname !== '/account') throw redirect({ to: '/account' });
  },
  component: AppLayout,
});

const homeRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/incidents', search: { status: undefined } });
  },
});

const incidentsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents',
  validateSearch: (search: Record<string, unknown>): { status: IncidentStatus | undefined } => ({
    status: INCIDENT_STATUSES.find((status) => status === search.status),
  }),
  loader: ({ context }) => context.queryClient.ensureQueryData(incidentsQuery),
  component: function Incidents() {
    return <IncidentsPage status={incidentsRoute.useSearch().status} />;
  },
});

const incidentRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id',
  loader: ({ context, params }) => Promise.all([context.queryClient.ensureQueryData(incidentQuery(params.id)), context.queryClient.ensureQueryData(pipelineQuery(params.id))]),
  component: function Incident() {
    return <IncidentPage id={incidentRoute.useParams().id} />;
  },
});

// The table and its virtualizer load only with this page: the first load stays within its budget.
const AffectedPage = lazy(() => import('./pages/affected.tsx'));

const affectedRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/affected',
  validateSearch: (search: Record<string, unknown>): AffectedSearch => ({
    q: typeof search.q === 'string' && search.q.trim() ? search.q.trim().slice(0, 320) : undefined,
    category: CATEGORIES.find((category) => category === search.category),
    country: typeof search.country === 'string' ? countryOf(search.country) : undefined,
  }),
  component: function Affected() {
    return <AffectedPage id={affectedRoute.useParams().id} search={affectedRoute.useSearch()} />;
  },
});

// The import and scoping pages load only when opened, each with its editor and tables.
const RecordsPage = lazy(() => import('./pages/records.tsx'));
const ScopingPage = lazy(() => import('./pages/scoping.tsx'));

const recordsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/records',
  component: function Records() {
    return <RecordsPage id={recordsRoute.useParams().id} />;
  },
});

const scopingRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/scoping',
  component: function Scoping() {
    return <ScopingPage id={scopingRoute.useParams().id} />;
  },
});

// The notices' previews and checks load only with their page.
const NoticesPage = lazy(() => import('./pages/notices.tsx'));

const noticesRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/notices',
  component: function Notices() {
    return <NoticesPage id={noticesRoute.useParams().id} />;
  },
});

// The template and narrative editors load only with their page.
const TemplatesPage = lazy(() => import('./pages/templates.tsx'));

const templatesRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/templates',
  component: function Templates() {
    return <TemplatesPage id={templatesRoute.useParams().id} />;
  },
});

const accountRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/account', component: AccountPage });

// The phishing desk's pages load only when opened.
const PhishingReportsPage = lazy(() => import('./pages/phishing-reports.tsx'));
const PhishingReportPage = lazy(() => import('./pages/phishing-report.tsx'));
const PhishingCampaignsPage = lazy(() => import('./pages/phishing-campaigns.tsx'));
const PhishingCampaignPage = lazy(() => import('./pages/phishing-campaign.tsx'));
const PhishingDomainsPage = lazy(() => import('./pages/phishing-domains.tsx'));

const phishingRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/phishing', component: PhishingLayout });

const phishingHomeRoute = createRoute({
  getParentRoute: () => phishingRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/phishing/reports', search: { triage: undefined, verdict: undefined } });
  },
});

const phishingReportsRoute = createRoute({
  getParentRoute: () => phishingRoute,
  path: '/reports',
  validateSearch: (search: Record<string, unknown>): ReportsSearch => ({
    triage: TRIAGE_STATES.find((state) => state === search.triage),
    verdict: VERDICTS.find((verdict) => verdict === search.verdict),
  }),
  component: function PhishingReports() {
    return <PhishingReportsPage search={phishingReportsRoute.useSearch()} />;
  },
});

const phishingReportRoute = createRoute({
  getParentRoute: () => phishingRoute,
  path: '/reports/$reference',
  component: function PhishingReport() {
    return <PhishingReportPage reference={phishingReportRoute.useParams().reference} />;
  },
});

const phishingCampaignsRoute = createRoute({ getParentRoute: () => phishingRoute, path: '/campaigns', component: PhishingCampaignsPage });

const phishingCampaignRoute = createRoute({
  getParentRoute: () => phishingRoute,
  path: '/campaigns/$id',
  component: function PhishingCampaign() {
    return <PhishingCampaignPage id={phishingCampaignRoute.useParams().id} />;
  },
});

const phishingDomainsRoute = createRoute({ getParentRoute: () => phishingRoute, path: '/domains', component: PhishingDomainsPage });

// The bug bounty's triage pages load only when opened, the metrics with their chart.
const BountyReportsPage = lazy(() => import('./pages/bounty-reports.tsx'));
const BountyReportPage = lazy(() => import('./pages/bounty-report.tsx'));
const BountyMetricsPage = lazy(() => import('./pages/bounty-metrics.tsx'));

const bountyRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/bounty', component: BountyLayout });

const bountyHomeRoute = createRoute({
  getParentRoute: () => bountyRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/bounty/reports', search: ANY_REPORT });
  },
});

const bountyReportsRoute = createRoute({
  getParentRoute: () => bountyRoute,
  path: '/reports',
  validateSearch: (search: Record<string, unknown>): QueueSearch => ({
    state: BOUNTY_STATES.find((state) => state === search.state),
    asset: typeof search.asset === 'string' && search.asset.trim() ? search.asset.trim().slice(0, 200) : undefined,
    severity: SEVERITIES.find((severity) => severity === search.severity),
    sla: SLA_STANDINGS.find((standing) => standing === search.sla),
  }),
  component: function BountyReports() {
    return <BountyReportsPage search={bountyReportsRoute.useSearch()} />;
  },
});

const bountyReportRoute = createRoute({
  getParentRoute: () => bountyRoute,
  path: '/reports/$reference',
  component: function BountyReport() {
    return <BountyReportPage reference={bountyReportRoute.useParams().reference} />;
  },
});

const bountyMetricsRoute = createRoute({
  getParentRoute: () => bountyRoute,
  path: '/metrics',
  validateSearch: (search: Record<string, unknown>): MetricsSearch => ({
    since: typeof search.since === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(search.since) ? search.since : undefined,
  }),
  component: function BountyMetrics() {
    return <BountyMetricsPage search={bountyMetricsRoute.useSearch()} />;
  },
});

// The operations and administration pages load only when opened, each with its own code.
const CampaignPage = lazy(() => import('./pages/campaign.tsx'));
const CompliancePage = lazy(() => import('./pages/compliance.tsx'));
const AuditPage = lazy(() => import('./pages/audit.tsx'));
const PicturesPage = lazy(() => import('./pages/pictures.tsx'));
const PortalPage = lazy(() => import('./pages/portal.tsx'));
const RegisterPage = lazy(() => import('./pages/register.tsx'));
const UsersPage = lazy(() => import('./pages/admin.tsx').then((page) => ({ default: page.UsersPage })));
const TokensPage = lazy(() => import('./pages/admin.tsx').then((page) => ({ default: page.TokensPage })));
const SecurityLogPage = lazy(() => import('./pages/admin.tsx').then((page) => ({ default: page.SecurityLogPage })));

const campaignRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/campaign',
  component: function Campaign() {
    return <CampaignPage id={campaignRoute.useParams().id} />;
  },
});

const complianceRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/compliance',
  component: function Compliance() {
    return <CompliancePage id={complianceRoute.useParams().id} />;
  },
});

const auditRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/audit',
  component: function Audit() {
    return <AuditPage id={auditRoute.useParams().id} />;
  },
});

const picturesRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/pictures',
  component: function Pictures() {
    return <PicturesPage id={picturesRoute.useParams().id} />;
  },
});

const portalRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/incidents/$id/portal',
  component: function Portal() {
    return <PortalPage id={portalRoute.useParams().id} />;
  },
});

const registerRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/register', component: RegisterPage });
const usersRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/admin/users', component: UsersPage });
const tokensRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/admin/tokens', component: TokensPage });
const securityLogRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/admin/security-log', component: SecurityLogPage });

const routeTree = rootRoute.addChildren([
  signInRoute,
  setPasswordRoute,
  signedInRoute.addChildren([
    homeRoute,
    incidentsRoute,
    incidentRoute,
    affectedRoute,
    recordsRoute,
    scopingRoute,
    noticesRoute,
    templatesRoute,
    campaignRoute,
    complianceRoute,
    auditRoute,
    picturesRoute,
    portalRoute,
    registerRoute,
    usersRoute,
    tokensRoute,
    securityLogRoute,
    accountRoute,
    phishingRoute.addChildren([phishingHomeRoute, phishingReportsRoute, phishingReportRoute, phishingCampaignsRoute, phishingCampaignRoute, phishingDomainsRoute]),
    bountyRoute.addChildren([bountyHomeRoute, bountyReportsRoute, bountyReportRoute, bountyMetricsRoute]),
  ]),
]);

function Pending() {
  const t = useMessage();
  return (
    <Center p="xl">
      <Loader aria-label={t('common.loading')} />
    </Center>
  );
}

function NotFound() {
  const t = useMessage();
  return (
    <Center component="main" p="xl">
      <Text>{t('common.notFound')}</Text>
    </Center>
  );
}

export function createConsoleRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPendingComponent: Pending, defaultErrorComponent: RouteError, defaultPreload: 'intent', defaultPreloadStaleTime: 0 });
}

function RouteError({ error }: { error: unknown }) {
  return (
    <Center component="main" p="xl">
      <ErrorAlert error={error} />
    </Center>
  );
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createConsoleRouter>;
  }
}
