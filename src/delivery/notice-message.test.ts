import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import PostalMime from 'postal-mime';
import { afterAll, describe, expect, it } from 'vitest';
import type { NoticeVariant } from '../db/index.ts';
import { BUILT_IN_TEMPLATES_DIR, loadVariantSets, salutationName, SAMPLE_NOTICE_VARS, type StoredVars } from '../notices/index.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { dkimDnsRecord, dkimSigner, loadDkimKey, recipientAddress } from '../mail/index.ts';
import { noticeMessage, type MessageSender } from './notice-message.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-notice-message-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(dir, 'ed25519.pem');
writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
const dkim = loadDkimKey('shop.example.com', 'tocsin', keyFile);
const sign = dkimSigner(dkim);
const record = dkimDnsRecord(dkim);
const resolver = async (name: string) => (name === record.name ? [[record.value]] : []);

const templates = { sets: loadVariantSets([BUILT_IN_TEMPLATES_DIR]) };
const secret = randomBytes(32);
const sender: MessageSender = { from: { name: 'Example Phone Shop Ltd', address: 'notices@shop.example.com' }, fromDomain: 'shop.example.com', replyTo: 'dpo@shop.example.com' };
const { verificationCode: _code, ...story } = SAMPLE_NOTICE_VARS[0];
const DATE = new Date('2019-11-15T10:00:00Z');
/** Every header a notice has, whatever its customer's data: DKIM-Signature first, as the signer adds it. */
const HEADERS = ['dkim-signature', 'from', 'reply-to', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-language', 'auto-submitted', 'content-type'];
/** The greeting, in each locale, as the templates write it with a name and without one. */
const GREETINGS: Record<string, [RegExp, string]> = {
  'en-GB': [/^Dear (.*),$/, 'Dear customer,'],
  fr: [/^Bonjour (.*),$/, 'Madame, Monsieur,'],
  de: [/^Guten Tag, (.*),$/, 'Sehr geehrte Kundin, sehr geehrter Kunde,'],
};

function notice(email: string, name: string, locale: string, variant: NoticeVariant = 'gdpr') {
  const vars: StoredVars = { ...story, name };
  return { incident_id: 'inc42', subject: normalizeEmail(email) ?? 'refused@example.com', seq: 7, email, locale, variant, vars: JSON.stringify(vars) };
}

/** The text part's lines as the templates write them for this notice with no name, to compare with. */
async function unnamedLines(email: string, locale: string): Promise<string[]> {
  const message = noticeMessage(notice(email, '', locale), templates, secret, sender, DATE);
  if ('refused' in message) throw new Error('the reference notice was refused');
  return lines((await PostalMime.parse(message.raw)).text!);
}

const lines = (text: string) => text.replace(/\r\n/g, '\n').trimEnd().split('\n');

/**
 * Builds and signs the notice of a customer with these fields, reads it back with a real
 * parser and verifier, and checks that their data changed nothing but the recipient and the
 * greeting's name.
 */
async function checkNotice(email: string, name: string, locale: string): Promise<void> {
  const message = noticeMessage(notice(email, name, locale), templates, secret, sender, DATE);
  const to = recipientAddress(email);
  if (to === null) {
    expect(message).toEqual({ refused: true });
    return;
  }
  if ('refused' in message) throw new Error(`${JSON.stringify(email)} was refused, though it is a mailbox`);
  const signed = sign(message.raw, DATE);
  const parsed = await PostalMime.parse(signed);
  expect(parsed.to).toEqual([{ address: to, name: '' }]);
  expect(parsed.cc).toBeUndefined();
  expect(parsed.bcc).toBeUndefined();
  expect(parsed.headers.map((header) => header.key)).toEqual(HEADERS);
  const { results } = await dkimVerify(signed, { resolver } as Parameters<typeof dkimVerify>[1]);
  expect(results.map((result) => result.status.result)).toEqual(['pass']);

  const [greeting, neutral] = GREETINGS[locale];
  const expected = await unnamedLines(email, locale);
  const actual = lines(parsed.text!);
  expect(actual).toHaveLength(expected.length);
  const at = expected.indexOf(neutral);
  const greetedAs = salutationName(name);
  expect(actual[at]).toBe(greetedAs ? greeting.source.slice(1, -1).replace('(.*)', () => greetedAs) : neutral);
  expect(actual.filter((_, i) => i !== at)).toEqual(expected.filter((_, i) => i !== at));
}

describe('a notice as send and preview make it', () => {
  it("carries the issue's injected address as one UTF-8 recipient: no Bcc, no other Subject, no added body, and DKIM passes", async () => {
    // Each of U+010D U+010A U+013A U+0120 U+0140 kept only its low byte under latin1: CR LF : space @
    const injected = 'y\u010d\u010aBcc\u013a\u0120a\u0140ev.il\u010d\u010a\u010d\u010aPay\u0120ev.il@example.com';
    await checkNotice(injected, 'Marie', 'en-GB');
    const message = noticeMessage(notice(injected, 'Marie', 'en-GB'), templates, secret, sender, DATE);
    if ('refused' in message) throw new Error('refused');
    expect(message.raw.includes(Buffer.from(`To: ${normalizeEmail(injected, { caseSensitiveLocalPart: true })}\r\n`, 'utf8'))).toBe(true);
    expect(message.raw.toString('latin1')).not.toMatch(/\r\nBcc|\r\nPay/);
  });

  it('writes international addresses as UTF-8, not one byte per character', async () => {
    for (const email of ['jörg@example.de', '用户@example.com']) {
      const message = noticeMessage(notice(email, 'Jörg', 'de'), templates, secret, sender, DATE);
      if ('refused' in message) throw new Error('refused');
      expect(message.raw.includes(Buffer.from(`\r\nTo: ${email}\r\n`, 'utf8'))).toBe(true);
      await checkNotice(email, 'Jörg', 'de');
    }
  });

  it('refuses an address with a control character rather than write it', () => {
    expect(noticeMessage(notice('y\r\nBcc: x@evil.example\r\n@example.com', 'Marie', 'fr'), templates, secret, sender, DATE)).toEqual({ refused: true });
    expect(noticeMessage(notice('bob\u202e@example.com', 'Marie', 'fr'), templates, secret, sender, DATE)).toEqual({ refused: true });
  });

  it('whatever the customer fields hold: one recipient, the same headers, a signature that verifies, only the lines the templates wrote', async () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('\r\nBcc: x@ev.il', 'Pay at http://ev.il/', '\u010d\u010aBcc\u013a\u0120', '\x1b]52;c;cHdu\x07'));
    const email = fc.oneof(
      fc.tuple(text, fc.constantFrom('example.com', 'Example.COM', 'müller.de', 'ev.il')).map(([local, domain]) => `${local}@${domain}`),
      fc.emailAddress(),
      fc.tuple(fc.emailAddress(), text).map(([address, local]) => `${local.replace(/[@\s]/g, '')}${address}`),
    );
    await fc.assert(
      fc.asyncProperty(email, fc.oneof(text, fc.constant('')), fc.constantFrom('en-GB', 'fr', 'de'), (address, name, locale) => checkNotice(address, name, locale)),
      { numRuns: 100 },
    );
  });
});
