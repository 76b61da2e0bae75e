import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { buildMessage, formatMailbox } from './mime.ts';

describe('buildMessage', () => {
  it('writes a 7-bit multipart/alternative message that a mail reader reads back as given', async () => {
    const raw = buildMessage({
      from: { name: 'Boutique Éclair, SARL', address: 'notices@eclair.example' },
      replyTo: 'dpo@eclair.example',
      to: 'zoe@example.fr',
      subject: 'Incident de sécurité concernant vos données personnelles – Boutique Éclair',
      text: 'Bonjour Zoé,\n\n.Ligne qui commence par un point\nFrom the shop\n',
      html: '<p>Bonjour Zoé,</p>\n',
      messageId: '<abc123.1.0011223344@eclair.example>',
      date: new Date('2019-11-15T09:30:00Z'),
      locale: 'fr',
    });
    expect(raw.toString('latin1')).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const parsed = await PostalMime.parse(raw);
    expect(parsed).toMatchObject({
      from: { name: 'Boutique Éclair, SARL', address: 'notices@eclair.example' },
      replyTo: [{ name: '', address: 'dpo@eclair.example' }],
      subject: 'Incident de sécurité concernant vos données personnelles – Boutique Éclair',
      messageId: '<abc123.1.0011223344@eclair.example>',
      date: '2019-11-15T09:30:00.000Z',
    });
    // The line break before a boundary belongs to the boundary (RFC 2046); postal-mime keeps it in the part.
    expect(parsed.text?.trimEnd()).toBe('Bonjour Zoé,\n\n.Ligne qui commence par un point\nFrom the shop');
    expect(parsed.html?.trimEnd()).toBe('<p>Bonjour Zoé,</p>');
    expect(parsed.headers.find((header) => header.key === 'content-language')?.value).toBe('fr');
  });
});

describe('formatMailbox', () => {
  it('quotes or encodes a display name only as much as it needs', () => {
    expect(formatMailbox({ name: 'Example Shop', address: 'n@shop.example' })).toBe('Example Shop <n@shop.example>');
    expect(formatMailbox({ name: 'Shop, Inc. "Best"', address: 'n@shop.example' })).toBe('"Shop, Inc. \\"Best\\"" <n@shop.example>');
    expect(formatMailbox({ name: '', address: 'n@shop.example' })).toBe('n@shop.example');
  });
});
