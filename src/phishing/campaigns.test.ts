import { describe, expect, it } from 'vitest';
import type { Analysis } from './analyze.ts';
import { campaignKeys } from './campaigns.ts';

const analysis = (fields: Partial<Analysis>): Analysis =>
  ({ verdict: 'phishing', score: 80, reasons: [], auth: null, lookalikes: [], leaked: [], forward: { kind: 'none', forwarder: null }, subject: '', preview: '', link_domains: [], sender_domains: [], links: [], attachments: [], headers: [], text_bands: [], analyzed_at: '2026-12-04T12:00:00.000Z', ...fields }) as Analysis;

describe('the keys a report is clustered by', () => {
  it('takes the attacker\'s domains, never the shop\'s, a free mail provider\'s or a shared platform\'s, and the URLs on them', () => {
    const keys = campaignKeys(
      analysis({
        sender_domains: ['gmail.com', 'evil-mailer.net'],
        link_domains: ['gadgetshop.de', 'facebook.com', 'pay-now.net'],
        lookalikes: [{ domain: 'login.gadgetsh0p.de', imitates: 'gadgetshop.de', kinds: ['replacement'], seen_in: ['link'] }],
        links: ['https://login.gadgetsh0p.de/a', 'https://www.facebook.com/gadgetshop', 'https://gadgetshop.de/help'],
        attachments: ['ab'.repeat(32)],
        text_bands: ['0.00ff'],
      }),
      ['www.gadgetshop.de'],
      ['facebook.com'],
    );
    expect(keys).toEqual([
      { kind: 'domain', value: 'evil-mailer.net' },
      { kind: 'domain', value: 'gadgetsh0p.de' },
      { kind: 'domain', value: 'pay-now.net' },
      { kind: 'url', value: 'https://login.gadgetsh0p.de/a' },
      { kind: 'attachment', value: 'ab'.repeat(32) },
      { kind: 'text', value: '0.00ff' },
    ]);
  });

  it('reads an international sender domain as punycode and drops what is no domain at all', () => {
    const keys = campaignKeys(analysis({ sender_domains: ['gädgetshop.de', 'localhost', '"; rm -rf /', '../../etc'] }), ['gadgetshop.de'], []);
    expect(keys).toEqual([{ kind: 'domain', value: 'xn--gdgetshop-v2a.de' }]);
  });
});
