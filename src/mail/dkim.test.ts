import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { dkimDnsRecord, dkimSigner, loadDkimKey, type DkimKey } from './dkim.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-dkim-'));

function key(type: 'rsa' | 'ed25519', bits = 2048): string {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ed25519');
  const file = join(dir, `${type}-${bits}.pem`);
  writeFileSync(file, privateKey.export({ type: type === 'rsa' ? 'pkcs1' : 'pkcs8', format: 'pem' }));
  return file;
}

async function verify(message: Buffer, dkim: DkimKey) {
  const record = dkimDnsRecord(dkim);
  const resolver = async (name: string) => (name === record.name ? [[record.value]] : []);
  const { results } = await dkimVerify(message, { resolver } as Parameters<typeof dkimVerify>[1]);
  return results.map((result) => result.status.result);
}

// Whitespace runs, tabs, trailing spaces and blank lines at the end: what relaxed canonicalization rewrites.
const MESSAGE = Buffer.from(
  [
    'From: Shop <notices@shop.example.com>',
    'To: ana@example.org',
    'Subject:   A  folded',
    '\tsubject',
    'Date: Fri, 15 Nov 2019 10:00:00 +0000',
    'Message-ID: <x.1@shop.example.com>',
    'X-Unsigned: anything',
    '',
    'Dear Ana,  \t',
    '',
    '\tindented   text ',
    '',
    '',
  ].join('\r\n'),
  'latin1',
);

describe('DKIM signing', () => {
  for (const type of ['rsa', 'ed25519'] as const) {
    it(`signs so that a verifier passes it (${type}), and not once the message changes`, async () => {
      const dkim = loadDkimKey('Shop.Example.com', 'tocsin', key(type));
      expect(dkim.algorithm).toBe(type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256');
      const signed = dkimSigner(dkim)(MESSAGE, new Date('2019-11-15T10:00:00Z'));
      expect(signed.toString('latin1')).toMatch(/^DKIM-Signature: v=1;\r\n\ta=[a-z0-9-]+;\r\n\tc=relaxed\/relaxed;\r\n\td=shop\.example\.com;\r\n\ts=tocsin;\r\n\tt=1573812000;\r\n\th=from:to:subject:date:message-id;/);
      for (const line of signed.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
      expect(await verify(signed, dkim)).toEqual(['pass']);
      const altered = (from: string, to: string) => verify(Buffer.from(signed.toString('latin1').replace(from, to), 'latin1'), dkim);
      expect(await altered('Dear Ana', 'Dear Bob')).not.toEqual(['pass']);
      expect(await altered('To: ana@example.org', 'To: bob@example.org')).toEqual(['fail']);
      expect(await altered('X-Unsigned: anything', 'X-Unsigned: something else')).toEqual(['pass']);
    });
  }

  it('signs the UTF-8 bytes of a message with UTF-8 headers (RFC 6532), so a verifier passes it', async () => {
    const dkim = loadDkimKey('shop.example.com', 'tocsin', key('rsa'));
    const utf8 = Buffer.from('From: Shop <notices@shop.example.com>\r\nTo: y\u010d\u010abcc@example.com, 用户@example.com\r\nSubject: x\r\n\r\nHello\r\n', 'utf8');
    const signed = dkimSigner(dkim)(utf8, new Date('2019-11-15T10:00:00Z'));
    expect(signed.subarray(signed.length - utf8.length).equals(utf8)).toBe(true);
    expect(await verify(signed, dkim)).toEqual(['pass']);
    // U+010A and U+010B differ only in their UTF-8 bytes' last bit: the signature covers the bytes.
    const altered = Buffer.from(signed.toString('utf8').replace('\u010a', '\u010b'), 'utf8');
    expect(await verify(altered, dkim)).toEqual(['fail']);
  });

  it('publishes an Ed25519 key bare (RFC 8463) and an RSA key as SubjectPublicKeyInfo', () => {
    const ed = dkimDnsRecord(loadDkimKey('shop.example.com', 's1', key('ed25519')));
    expect(ed).toEqual({ name: 's1._domainkey.shop.example.com', value: expect.stringMatching(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/) });
    expect(dkimDnsRecord(loadDkimKey('shop.example.com', 's1', key('rsa'))).value).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjAN/);
  });

  it('refuses keys receivers would ignore, with what to do instead', () => {
    expect(() => loadDkimKey('shop.example.com', 's1', key('rsa', 768))).toThrow('receivers ignore DKIM keys under 1024 bits, use 2048');
    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello');
    expect(() => loadDkimKey('shop.example.com', 's1', notAKey)).toThrow(/is not a PEM private key .*openssl genpkey -algorithm ed25519/);
    expect(() => loadDkimKey('shop.example.com', 's1', join(dir, 'missing.pem'))).toThrow(/cannot read the DKIM key .*missing\.pem \(ENOENT\)/);
    expect(() => loadDkimKey('shop example', 's1', key('ed25519'))).toThrow("--dkim-domain 'shop example' is not a domain name");
  });
});
