/**
 * The demo shop's bug bounty, opened the morning after the breach: a small programme with a few
 * researchers' reports in different states. One of them finds the IMEI lookup again; another
 * researcher's report of it is closed as its duplicate, with proof; and the first is confirmed as
 * "personal data reachable" and linked to the demo incident through the breach link.
 */
import { randomBytes } from 'node:crypto';
import { signUpResearcher } from '../accounts/index.ts';
import { inCommon, linkBreach, showReport, submitReport, triageReport, type BreachLinkView, type ReportFields, type ReportState } from '../bounty/index.ts';
import type { BountyConfig } from '../config.ts';
import type { Context } from '../context.ts';
import { DEMO_NOW, DEMO_SHOP_ADDRESS } from './story.ts';

const API = `api.${DEMO_SHOP_ADDRESS}`;

export const DEMO_BOUNTY: BountyConfig = {
  contacts: [`mailto:security@${DEMO_SHOP_ADDRESS}`],
  assets: [
    { name: DEMO_SHOP_ADDRESS, tier: 'critical' },
    { name: API, tier: 'critical' },
    { name: `blog.${DEMO_SHOP_ADDRESS}`, tier: 'standard' },
  ],
  policy: {
    'en-GB': {
      intro: 'We were breached through a flaw someone found before us. Find the next one first, tell us, and we will pay you for it.',
      out_of_scope: ['Denial of service', 'Reports from automated scanners without a working proof'],
      rules: ['Test only against your own accounts and orders.', 'Stop at the first record that is not yours, and tell us: never keep it.'],
      safe_harbour: 'We will not take legal action against research done in good faith under this policy.',
    },
  },
  rewards: {
    currency: 'GBP',
    critical: { critical: 5000, high: 2500, medium: 1000, low: 250 },
    high: { critical: 3000, high: 1500, medium: 500, low: 150 },
    standard: { critical: 1000, high: 500, medium: 250, low: 100 },
  },
  response_targets: { first_response_days: 2, triage_days: 5, bounty_days: 14, resolution_days: 90 },
  needs_more_info_days: 14,
  sla_warning_hours: 24,
  disclosure_days: 90,
  hall_of_fame: [],
  security_txt: { valid_days: 180, renew_days: 30 },
};

const IMEI_LOOKUP: ReportFields = {
  asset: API,
  weakness: 'CWE-639',
  title: 'The after-sales IMEI lookup still returns other customers’ orders',
  description:
    'The after-sales lookup answers for any IMEI, not only the signed-in customer’s: `GET /api/aftersales/imei/356938035643809` returns the order with the name, phone number and postal address of whoever bought the phone.',
  steps: '1. Sign in with your own account.\n2. Request the lookup with an IMEI that is not yours.\n3. Read another customer’s order.',
  impact: 'Anyone with an account reads any customer’s name, phone number, address and order.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
};

/** The demo's reports: who sends them, minutes after the programme opened, and what the team does with them. */
const REPORTS: { key: string; researcher: string; minutes: number; fields: ReportFields }[] = [
  { key: 'imei', researcher: 'ada', minutes: 20, fields: IMEI_LOOKUP },
  {
    key: 'xss',
    researcher: 'cy',
    minutes: 50,
    fields: {
      asset: DEMO_SHOP_ADDRESS,
      weakness: 'CWE-79',
      title: 'Stored XSS in product reviews',
      description: 'A review whose title holds markup runs script for every visitor of `/products/galaxy-s10/reviews`.',
      steps: '1. Write a review titled `<svg onload=alert(document.domain)>`.\n2. Open the product page.',
      impact: 'Script in the shop’s origin for every reader of the reviews.',
      cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N',
    },
  },
  {
    key: 'redirect',
    researcher: 'cy',
    minutes: 65,
    fields: {
      asset: DEMO_SHOP_ADDRESS,
      weakness: 'CWE-601',
      title: 'Open redirect after sign-out',
      description: '`/logout?next=https://evil.example` sends the customer anywhere after signing them out.',
      steps: '1. Open /logout?next=https://evil.example while signed in.',
      impact: 'A convincing first step for phishing.',
      cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    },
  },
  {
    key: 'imei_again',
    researcher: 'bob',
    minutes: 100,
    fields: {
      ...IMEI_LOOKUP,
      title: 'IDOR: the IMEI lookup shows anyone’s order',
      description:
        `The after-sales lookup answers for any IMEI, not only the signed-in customer’s: https://${API}/api/aftersales/imei/490154203237518 returns the order with the name, phone number and postal address of whoever bought the phone.`,
    },
  },
  {
    key: 'rate_limit',
    researcher: 'bob',
    minutes: 135,
    fields: {
      asset: `blog.${DEMO_SHOP_ADDRESS}`,
      weakness: 'CWE-307',
      title: 'No rate limit on the blog’s comment form',
      description: 'The comment form at `/comments/new` takes hundreds of posts a minute from one address.',
      steps: '1. Post a comment 500 times in a loop.',
      impact: 'Spam in the comments.',
      cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N',
    },
  },
];

export interface DemoProgramme {
  states: Partial<Record<ReportState, number>>;
  /** The report linked to the demo incident, and its link. */
  breach: BreachLinkView & { incident_aware_at: string };
  duplicate: { reference: string; original: string; in_common: string[] };
}

/**
 * Seeds the programme on the demo's database (ctx.config holds DEMO_BOUNTY): researchers, their
 * reports on the story's clock from DEMO_NOW on, the team's triage, a duplicate closed with its
 * proof and the IMEI lookup's report linked to `incidentId` as its evidence.
 */
export async function seedDemoProgramme(ctx: Context, incidentId: string): Promise<DemoProgramme> {
  let clock = DEMO_NOW;
  const at = (minutes: number) => (clock = new Date(DEMO_NOW.getTime() + minutes * 60_000));
  const timed: Context = { ...ctx, now: () => clock };
  const researchers = new Map<string, string>();
  for (const [index, name] of ['ada', 'bob', 'cy'].entries()) {
    // Made-up researchers who never sign in: a password no one knows.
    const { researcher_id } = await signUpResearcher(timed, { email: `${name}@research.example`, password: randomBytes(18).toString('base64url'), locale: 'en-GB', address: `192.0.2.${10 + index}` });
    researchers.set(name, researcher_id);
  }
  const refs = new Map<string, string>();
  for (const report of REPORTS) {
    at(report.minutes);
    refs.set(report.key, (await submitReport(timed, researchers.get(report.researcher)!, report.fields, [], `192.0.2.${20 + REPORTS.indexOf(report)}`)).reference);
  }
  const ref = (key: string) => refs.get(key)!;

  at(150);
  await triageReport(timed, ref('imei'), { state: 'triaged', cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', comment: 'Confirmed: the lookup still answers for any IMEI. We are fixing it today.' });
  at(155);
  const candidate = (await showReport(timed, ref('imei_again'))).duplicate_candidates.find((found) => found.reference === ref('imei'));
  await triageReport(timed, ref('imei_again'), { state: 'duplicate', duplicate_of: ref('imei'), comment: 'Thank you: another researcher reported this lookup earlier.' });
  at(160);
  const breach = await linkBreach(timed, ref('imei'), { incident_id: incidentId });
  at(200);
  await triageReport(timed, ref('redirect'), { state: 'triaged' });
  at(400);
  await triageReport(timed, ref('redirect'), { state: 'resolved', comment: 'Fixed: sign-out now returns only to the shop’s own pages.' });
  at(420);
  await triageReport(timed, ref('rate_limit'), { state: 'informative', comment: 'The blog is out of the shop’s systems; comments are moderated.' });

  const rows = await ctx.db.selectFrom('bounty_reports').select('state').execute();
  const states: Partial<Record<ReportState, number>> = {};
  for (const row of rows) states[row.state as ReportState] = (states[row.state as ReportState] ?? 0) + 1;
  return { states, breach, duplicate: { reference: ref('imei_again'), original: ref('imei'), in_common: candidate === undefined ? [] : inCommon(candidate) } };
}
