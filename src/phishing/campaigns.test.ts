import { describe, expect, it } from 'vitest';
import { analyzeMessage, type Analysis } from './analyze.ts';
import { campaignKeys } from './campaigns.ts';
import { lookalikeIndex } from './lookalike.ts';

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

describe('the evidence a report keeps', () => {
  it('replaces every recipient\'s address in links and headers, however many the message lists', async () => {
    const recipients = Array.from({ length: 5_000 }, (_, i) => `person${i}@example.org`);
    const message = Buffer.from(
      `Received: from mx.attacker.example by mx.reporter.example for <person7@example.org>; Fri, 04 Dec 2026 09:00:00 +0000\r\nFrom: service@gadgetshop-secure.com\r\nTo: ${recipients.join(', ')}\r\nSubject: Pay now\r\n\r\n` +
        'Pay at https://gadgetshop-secure.com/pay?u=person4999%40example.org&v=PERSON12@EXAMPLE.ORG today\r\n',
    );
    const desk = {
      resolver: async () => Promise.reject(Object.assign(new Error('offline'), { code: 'ENOTFOUND' })),
      now: () => new Date('2026-12-04T12:00:00Z'),
      shopDomains: ['gadgetshop.de'],
      lookalikes: lookalikeIndex(['gadgetshop.de']),
      trustedAuthservIds: [],
      isNoticeCode: async () => false,
      findLeaked: async () => [],
      phoneCountries: [],
    };
    const analysis = await analyzeMessage(message, desk);
    expect(analysis.links).toEqual(['https://gadgetshop-secure.com/pay?u=[recipient]&v=[recipient]']);
    expect(analysis.headers.find((header) => header.name === 'Received')?.value).toContain('for [recipient]');
    // What leaves the desk in a takedown pack (the preview stays with staff, as the message does).
    expect(JSON.stringify([analysis.links, analysis.headers, analysis.subject])).not.toMatch(/person\d+(@|%40)/i);
  });
});
