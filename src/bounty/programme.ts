import { BOUNTY_SEVERITIES, BOUNTY_TIERS, type BountyConfig, type Config } from '../config.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';

/** Where the public listener publishes the programme. */
export const BOUNTY_PATHS = {
  policy: '/bounty',
  policy_json: '/bounty/policy.json',
  hall_of_fame: '/bounty/hall-of-fame',
  response_times: '/bounty/response-times',
  response_times_json: '/bounty/response-times.json',
  disclosures: '/bounty/disclosures',
  disclosures_json: '/bounty/disclosures.json',
  public_key: '/bounty/pgp-key.txt',
  security_txt: '/.well-known/security.txt',
} as const;

/** The configured programme, or an error that says how to configure one. */
export function bountyOf(config: Pick<Config, 'bounty'>): BountyConfig {
  if (config.bounty === undefined) {
    throw new TocsinError('NO_BOUNTY', 'no bug bounty programme is configured; add a bounty: section to tocsin.yml (contacts, assets, policy, rewards, response_targets; see the README)', { kind: 'not_found' });
  }
  return config.bounty;
}

/** The programme's public addresses, absolute: they go into security.txt and the JSON policy, which are read away from the site. */
export function bountyUrls(config: Pick<Config, 'public_url'>): Record<keyof typeof BOUNTY_PATHS, string> {
  if (config.public_url === undefined) {
    throw invalidInput('NO_PUBLIC_URL', 'public_url is not set: security.txt and the published policy name the public site; set public_url (TOCSIN_PUBLIC_URL), e.g. https://help.shop.example.com');
  }
  const base = config.public_url.replace(/\/+$/, '');
  return Object.fromEntries(Object.entries(BOUNTY_PATHS).map(([name, path]) => [name, `${base}${path}`])) as Record<keyof typeof BOUNTY_PATHS, string>;
}

/** The policy as published (GET /bounty/policy.json, `tocsin bounty policy --json`): everything a researcher reads, in every language it is written in. */
export function policyView(config: Pick<Config, 'bounty' | 'public_url'>) {
  const bounty = bountyOf(config);
  return {
    contacts: bounty.contacts,
    assets: bounty.assets,
    policy: bounty.policy,
    languages: Object.keys(bounty.policy),
    rewards: {
      currency: bounty.rewards.currency,
      table: Object.fromEntries(BOUNTY_TIERS.map((tier) => [tier, Object.fromEntries(BOUNTY_SEVERITIES.map((severity) => [severity, bounty.rewards[tier][severity]]))])),
    },
    response_targets: bounty.response_targets,
    hall_of_fame: bounty.hall_of_fame,
    urls: config.public_url === undefined ? null : bountyUrls(config),
  };
}

export type PolicyView = ReturnType<typeof policyView>;

/** The policy's words in `locale`, else in the first language it is written in; and which that is. */
export function policyText(bounty: BountyConfig, locale: string): { locale: string; text: BountyConfig['policy'][string] } {
  const chosen = locale in bounty.policy ? locale : Object.keys(bounty.policy)[0];
  return { locale: chosen, text: bounty.policy[chosen] };
}
