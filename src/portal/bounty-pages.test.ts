import { describe, expect, it } from 'vitest';
import { BOUNTY } from '../../test/helpers/bounty.ts';
import { configWith } from '../config.ts';
import { renderBountyPage, renderHallOfFame } from './bounty-pages.ts';
import { BOUNTY_WORDS, DEFAULT_LOCALE, PORTAL_WORDS } from './words.ts';

const config = configWith({
  shop: { name: 'Example <Phone> Shop' },
  bounty: {
    contacts: ['mailto:security@shop.example.com', 'tel:+33-1-23-45-67-89'],
    assets: [{ name: '<img src=x onerror=alert(1)>.shop.example.com', tier: 'critical' }],
    policy: { fr: { rules: ['Pas de <script>alert(1)</script>'], safe_harbour: 'Nous & vous' } },
    rewards: BOUNTY.rewards,
    response_targets: { ...BOUNTY.response_targets, first_response_days: 1 },
    hall_of_fame: [{ name: 'Eve "><script>', url: 'https://eve.example/?a=1&b=2', date: '2026-01-31' }],
  },
});

function keysOf(value: unknown, prefix = ''): string[] {
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => (typeof inner === 'object' ? keysOf(inner, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

describe('bug bounty pages', () => {
  it('speak every locale the portal speaks, each with every word the default has', () => {
    expect([...BOUNTY_WORDS.keys()]).toEqual([...PORTAL_WORDS.keys()]);
    const expected = keysOf(BOUNTY_WORDS.get(DEFAULT_LOCALE)).sort();
    for (const [locale, words] of BOUNTY_WORDS) {
      expect(keysOf(words).sort(), locale).toEqual(expected);
      for (const key of expected) expect(key.split('.').reduce<any>((node, part) => node[part], words).trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it.each([...BOUNTY_WORDS.keys()])('render in %s, every value escaped, the policy text marked with its own language', (locale) => {
    const policy = renderBountyPage(locale, config, { hasKey: true });
    const hall = renderHallOfFame(locale, config);
    for (const html of [policy, hall]) {
      expect(html).toContain(`<html lang="${locale}">`);
      expect(html).not.toMatch(/<script|<img|<[^>]*\s(style|on[a-z]+)=/i);
    }
    expect(policy).toContain('&lt;img src=x onerror=alert(1)&gt;.shop.example.com');
    expect(policy).toContain('<div lang="fr">');
    expect(policy).toContain('<a href="tel:+33-1-23-45-67-89">+33-1-23-45-67-89</a>');
    expect(policy).toContain('href="/bounty/pgp-key.txt"');
    expect(renderBountyPage(locale, config, { hasKey: false })).not.toContain('pgp-key.txt');
    expect(hall).toContain('Eve &#34;&gt;&lt;script&gt;');
    expect(hall).toContain('href="https://eve.example/?a=1&amp;b=2"');
    expect(hall).toContain('<time datetime="2026-01-31">');
  });

  it('writes amounts and days as the page’s language does', () => {
    expect(renderBountyPage('en-GB', config, { hasKey: false })).toContain('€5,000');
    expect(renderBountyPage('de', config, { hasKey: false })).toMatch(/5\.000\s€/u);
    expect(renderBountyPage('en-US', config, { hasKey: false })).toMatch(/>1\sday</u);
    expect(renderBountyPage('fr', config, { hasKey: false })).toMatch(/90\sjours/u);
  });
});
