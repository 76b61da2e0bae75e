import { bountyOf, BOUNTY_PATHS, policyText } from '../bounty/index.ts';
import { BOUNTY_SEVERITIES, BOUNTY_TIERS, type Config } from '../config.ts';
import { renderPage } from './pages.ts';
import { BOUNTY_WORDS } from './words.ts';

/** A contact as a link: the address or number itself shown, not its scheme. */
function contactLink(contact: string): { href: string; text: string } {
  return { href: contact, text: contact.replace(/^(mailto|tel):/, '') };
}

/**
 * The programme's page in `locale`: where to report, the scope by tier, the rules, the safe
 * harbour, the reward table and the response targets. The policy's own words are the
 * configuration's in this language, else in its first (and the page says which, with `lang`).
 */
export function renderBountyPage(locale: string, config: Pick<Config, 'shop' | 'bounty'>, options: { hasKey: boolean }): string {
  const bounty = bountyOf(config);
  const words = BOUNTY_WORDS.get(locale)!;
  const { locale: textLocale, text } = policyText(bounty, locale);
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: bounty.rewards.currency, maximumFractionDigits: 0 });
  const days = new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' });
  const targets = bounty.response_targets;
  return renderPage('bounty', locale, config, {
    contacts: bounty.contacts.map(contactLink),
    public_key: options.hasKey ? BOUNTY_PATHS.public_key : null,
    text_lang: textLocale,
    intro: text.intro ?? null,
    assets: bounty.assets.map((asset) => ({ name: asset.name, tier: words.tiers[asset.tier] })),
    out_of_scope: text.out_of_scope,
    rules: text.rules,
    safe_harbour: text.safe_harbour,
    severities: BOUNTY_SEVERITIES.map((severity) => words.severities[severity]),
    rewards: BOUNTY_TIERS.map((tier) => ({ tier: words.tiers[tier], amounts: BOUNTY_SEVERITIES.map((severity) => money.format(bounty.rewards[tier][severity])) })),
    targets: [
      { label: words.policy.first_response, value: days.format(targets.first_response_days) },
      { label: words.policy.triage, value: days.format(targets.triage_days) },
      { label: words.policy.bounty, value: days.format(targets.bounty_days) },
      { label: words.policy.resolution, value: days.format(targets.resolution_days) },
    ],
    paths: BOUNTY_PATHS,
  });
}

/** The hall of fame in `locale`: the researchers who agreed to be named, the latest first. */
export function renderHallOfFame(locale: string, config: Pick<Config, 'shop' | 'bounty'>): string {
  const bounty = bountyOf(config);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const entries = [...bounty.hall_of_fame]
    .sort((a, b) => b.date.localeCompare(a.date))
    .map((entry) => ({ name: entry.name, url: entry.url ?? null, date: date.format(new Date(`${entry.date}T00:00:00Z`)), iso_date: entry.date }));
  return renderPage('hall-of-fame', locale, config, { entries, paths: BOUNTY_PATHS });
}
