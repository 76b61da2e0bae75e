import { BOUNTY_PATHS, disclosurePath, isDisclosable, type ProgrammeMetrics, type PublicDisclosure, type ResearcherReportView } from '../bounty/index.ts';
import type { Config } from '../config.ts';
import { renderPage } from './pages.ts';
import { BOUNTY_WORDS } from './words.ts';

/** A duration as a reader takes it in: hours under two days, days (to a tenth) after. */
export function formatHours(hours: number, locale: string): string {
  if (hours < 48) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'hour', unitDisplay: 'long', maximumFractionDigits: 1 }).format(hours);
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: 1 }).format(hours / 24);
}

/** The programme's measured response times in `locale`, against its targets (GET /bounty/response-times). */
export function renderResponseTimes(locale: string, config: Pick<Config, 'shop'>, metrics: ProgrammeMetrics): string {
  const words = BOUNTY_WORDS.get(locale)!;
  const days = new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' });
  const share = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const none = words.times.none;
  return renderPage('response-times', locale, config, {
    intro: words.times.intro.replace('{reports}', new Intl.NumberFormat(locale).format(metrics.reports)),
    rows: metrics.targets.map((target) => ({
      label: words.policy[target.target === 'bounty' ? 'bounty' : target.target],
      target: days.format(target.target_days),
      median: target.median_hours === null ? none : formatHours(target.median_hours, locale),
      p90: target.p90_hours === null ? none : formatHours(target.p90_hours, locale),
      within: target.within_target === null ? none : share.format(target.within_target),
      overdue: new Intl.NumberFormat(locale).format(target.overdue),
    })),
    paths: BOUNTY_PATHS,
  });
}

function severityWord(locale: string, severity: string | null): string {
  return severity === null ? '' : (BOUNTY_WORDS.get(locale)!.severities[severity] ?? severity);
}

function dateOf(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
}

/** The published reports in `locale`, the latest first (GET /bounty/disclosures). */
export function renderDisclosures(locale: string, config: Pick<Config, 'shop'>, entries: PublicDisclosure[]): string {
  return renderPage('disclosures', locale, config, {
    entries: entries.map((entry) => ({ ...entry, severity: severityWord(locale, entry.severity), published: dateOf(entry.published_at, locale) })),
    paths: BOUNTY_PATHS,
  });
}

/** One published report in `locale`: its facts and the team's redacted text, rendered without raw HTML (`html`). */
export function renderDisclosure(locale: string, config: Pick<Config, 'shop'>, entry: PublicDisclosure & { html: string | null }): string {
  return renderPage(
    'disclosure',
    locale,
    config,
    { entry, html: entry.html, severity: severityWord(locale, entry.severity), submitted: dateOf(entry.submitted_at, locale), published: dateOf(entry.published_at, locale), paths: BOUNTY_PATHS },
    disclosurePath(entry.reference),
  );
}

/** What the researcher's report page shows of its award and disclosure, in their words. */
export function researcherOutcomeValues(report: ResearcherReportView, locale: string) {
  const words = BOUNTY_WORDS.get(locale)!.researcher;
  const date = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
  let award: string | null = null;
  if (report.award) {
    const money = new Intl.NumberFormat(locale, { style: 'currency', currency: report.award.currency, maximumFractionDigits: 0 });
    const bonus = report.award.bonus > 0 ? ` (${words.award_bonus.replace('{bonus}', money.format(report.award.bonus))})` : '';
    award = `${money.format(report.award.total)}${bonus}, ${report.award.paid_at ? words.award_paid.replace('{date}', date(report.award.paid_at)) : words.award_unpaid}`;
  }
  const asked = report.disclosure;
  const disclosable = isDisclosable(report.state);
  const text =
    asked === null
      ? words.disclosure_none
      : asked.published_at !== null
        ? words.disclosure_published.replace('{date}', date(asked.published_at))
        : asked.researcher_agreed_at !== null && asked.team_agreed_at !== null
          ? words.disclosure_agreed
          : (asked.researcher_agreed_at !== null ? words.disclosure_you_asked : words.disclosure_team_asked).replace('{deadline}', date(asked.deadline_at));
  return {
    award,
    disclosure: {
      shown: disclosable || asked !== null,
      text,
      can_ask: disclosable && (asked === null || (asked.published_at === null && asked.researcher_agreed_at === null)),
      button: asked === null ? words.disclosure_ask : words.disclosure_agree,
      published: asked?.published_at ? `${disclosurePath(report.reference)}?lang=${locale}` : null,
    },
  };
}
