import { createServer } from 'node:net';
import type { Config } from '../../src/config.ts';

/** A small programme as a shop would configure it, in two languages, with hostile bytes where text reaches a page. */
export const BOUNTY: NonNullable<Config['bounty']> = {
  contacts: ['mailto:security@shop.example.com', 'https://shop.example.com/security'],
  assets: [
    { name: 'shop.example.com', tier: 'critical' },
    { name: 'api.shop.example.com', tier: 'high' },
    { name: '*.cdn.shop.example.com <script>', tier: 'standard' },
  ],
  policy: {
    'en-GB': {
      intro: 'Help us keep our customers’ orders safe.',
      out_of_scope: ['Denial of service', 'Reports from automated scanners without a working proof'],
      rules: ['Test only against your own accounts and orders.', 'Stop at the first record that is not yours & tell us: <b>never</b> keep it.'],
      safe_harbour: 'We will not take legal action against research done in good faith under this policy.',
    },
    fr: {
      out_of_scope: ['Déni de service'],
      rules: ['Testez uniquement avec vos propres comptes et commandes.'],
      safe_harbour: 'Nous n’engagerons aucune poursuite contre une recherche de bonne foi menée selon cette politique.',
    },
  },
  rewards: {
    currency: 'EUR',
    critical: { critical: 5000, high: 2500, medium: 1000, low: 250 },
    high: { critical: 3000, high: 1500, medium: 500, low: 150 },
    standard: { critical: 1000, high: 500, medium: 250, low: 100 },
  },
  response_targets: { first_response_days: 2, triage_days: 5, bounty_days: 14, resolution_days: 90 },
  needs_more_info_days: 14,
  sla_warning_hours: 24,
  disclosure_days: 90,
  hall_of_fame: [
    { name: 'Ada <img src=x onerror=alert(1)>', url: 'https://ada.example', date: '2026-11-02' },
    { name: 'Grace H.', date: '2026-09-15' },
  ],
  security_txt: { valid_days: 180, renew_days: 30 },
};

/** A port of 127.0.0.1 free now: for a listener whose public_url must name its port before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
