import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { buildMessage, formatMailbox, needsSmtpUtf8, type OutgoingNotice } from './mime.ts';

const NOTICE: OutgoingNotice = {
  from: { name: 'Example Shop', address: 'notices@shop.example' },
  replyTo: null,
  to: 'ana@example.org',
  subject: 'About your order',
  text: 'Dear Ana,\n',
  html: '<p>Dear Ana,</p>\n',
  messageId: '<x.1.0011223344@shop.example>',
  date: new Date('2019-11-15T09:30:00Z'),
  locale: 'en-GB',
};

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

describe('headers', () => {
  it('writes an address with a UTF-8 local part as UTF-8 (RFC 6532), and says the message needs SMTPUTF8', () => {
    const raw = buildMessage({ ...NOTICE, to: 'jörg@example.de' });
    expect(raw.includes(Buffer.from('\r\nTo: j\u00f6rg@example.de\r\n', 'utf8'))).toBe(true);
    expect(raw.includes(Buffer.from('\r\nTo: j\xf6rg', 'latin1'))).toBe(false);
    expect(needsSmtpUtf8(raw)).toBe(true);
    expect(needsSmtpUtf8(buildMessage(NOTICE))).toBe(false);
  });

  it('does not take UTF-8 in the body for UTF-8 in the header', () => {
    expect(needsSmtpUtf8(buildMessage({ ...NOTICE, text: 'Grüße, Jörg\n', subject: 'Ärger' }))).toBe(false);
  });

  it('refuses to write a header value holding a line break or another control character', () => {
    for (const messageId of ['<x@shop.example>\r\nBcc: victim@example.org', '<x@shop.example>\n', '<x\u2028@shop.example>', '<x\x1b@shop.example>']) {
      expect(() => buildMessage({ ...NOTICE, messageId })).toThrow('the Message-ID header would hold a control character');
    }
  });

  it('puts a display name or a subject with line breaks on one line', async () => {
    const raw = buildMessage({ ...NOTICE, from: { name: 'Shop\r\nBcc: victim@example.org', address: 'notices@shop.example' }, subject: 'Hello\r\nBcc: victim@example.org' });
    const parsed = await PostalMime.parse(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.from).toEqual({ name: 'Shop Bcc: victim@example.org', address: 'notices@shop.example' });
    expect(parsed.subject).toBe('Hello Bcc: victim@example.org');
  });

  it('refuses an address normalizeEmail would refuse', () => {
    expect(() => buildMessage({ ...NOTICE, to: 'ana@example.org\r\nBcc: victim@example.org' })).toThrow('not a mailbox');
    expect(() => buildMessage({ ...NOTICE, to: 'a\u202eb@example.org' })).toThrow('not a mailbox');
  });
});

describe('formatMailbox', () => {
  it('quotes or encodes a display name only as much as it needs', () => {
    expect(formatMailbox({ name: 'Example Shop', address: 'n@shop.example' })).toBe('Example Shop <n@shop.example>');
    expect(formatMailbox({ name: 'Shop, Inc. "Best"', address: 'n@shop.example' })).toBe('"Shop, Inc. \\"Best\\"" <n@shop.example>');
    expect(formatMailbox({ name: '', address: 'n@shop.example' })).toBe('n@shop.example');
  });
});
