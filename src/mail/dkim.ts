import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { reasonOf, invalidInput } from '../lib/errors.ts';

export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  /** PKCS#8 PEM: plain text, so it crosses into the rendering threads as it is. */
  privateKeyPem: string;
}

const MIN_RSA_BITS = 1024;

/** Reads a DKIM private key (PEM, PKCS#1 or PKCS#8): RSA of 1024 bits or more, or Ed25519 (RFC 8463). */
export function loadDkimKey(domain: string, selector: string, keyFile: string): DkimKey {
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw invalidInput('DKIM_KEY_UNREADABLE', `cannot read the DKIM key ${keyFile} (${reasonOf(error)}); give a PEM private key with --dkim-key`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw invalidInput('DKIM_KEY_INVALID', `${keyFile} is not a PEM private key (${reasonOf(error)}); make one with 'openssl genpkey -algorithm ed25519' or 'openssl genrsa 2048'`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw invalidInput('DKIM_KEY_WEAK', `${keyFile} is an RSA key of ${key.asymmetricKeyDetails?.modulusLength} bits; receivers ignore DKIM keys under ${MIN_RSA_BITS} bits, use 2048`);
  }
  if (type !== 'rsa' && type !== 'ed25519') {
    throw invalidInput('DKIM_KEY_TYPE', `${keyFile} holds a ${type} key; DKIM signs with RSA or Ed25519 keys`);
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(domain)) throw invalidInput('BAD_DKIM_DOMAIN', `--dkim-domain '${domain}' is not a domain name`);
  if (!/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i.test(selector)) throw invalidInput('BAD_DKIM_SELECTOR', `--dkim-selector '${selector}' is not a DNS label like 'tocsin2019'`);
  return {
    domain: domain.toLowerCase(),
    selector,
    algorithm: type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The TXT record to publish at `<selector>._domainkey.<domain>` for receivers to verify the signatures. */
export function dkimDnsRecord(key: DkimKey): { name: string; value: string } {
  const publicKey = createPublicKey(key.privateKeyPem).export({ type: 'spki', format: 'der' });
  // RFC 8463: an Ed25519 record holds the bare 32-byte key, not the SubjectPublicKeyInfo around it.
  const value = key.algorithm === 'rsa-sha256' ? `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}` : `v=DKIM1; k=ed25519; p=${publicKey.subarray(-32).toString('base64')}`;
  return { name: `${key.selector}._domainkey.${key.domain}`, value };
}

/** Header fields the signature covers, when the message has them: what a forger would change. */
const SIGNED_FIELDS = ['from', 'reply-to', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-language', 'auto-submitted'];

export interface DkimSigner {
  (message: Buffer, now: Date): Buffer;
}

/**
 * A DKIM signer (RFC 6376, relaxed/relaxed; RFC 8463 for Ed25519) for messages as buildMessage
 * writes them: CRLF line ends, 7-bit or with UTF-8 headers (RFC 6532). Canonicalization works on
 * the message's bytes, whatever their encoding. Nodemailer's own signer knows RSA only.
 */
export function dkimSigner(key: DkimKey): DkimSigner {
  const privateKey = privateKeyOf(key);
  return (message, now) => {
    const split = message.indexOf('\r\n\r\n');
    // One char per byte (latin1 decoding is lossless for any byte): the header fields are cut
    // and canonicalized as strings, and byteString turns them back into exactly those bytes.
    const head = message.toString('latin1', 0, split + 2);
    const fields = new Map<string, string>();
    for (const field of head.split(/\r\n(?![ \t])/)) {
      const colon = field.indexOf(':');
      if (colon > 0) fields.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1));
    }
    const signed = SIGNED_FIELDS.filter((name) => fields.has(name));
    const tags = [`v=1`, `a=${key.algorithm}`, `c=relaxed/relaxed`, `d=${key.domain}`, `s=${key.selector}`, `t=${Math.floor(now.getTime() / 1000)}`, `h=${signed.join(':')}`, `bh=${bodyHash(message.subarray(split + 4))}`, `b=`];
    const unsigned = tags.join('; ');
    const data = byteString([...signed.map((name) => relaxedHeader(name, fields.get(name)!)), relaxedHeader('dkim-signature', ` ${unsigned}`)].join('\r\n'));
    const signature = key.algorithm === 'rsa-sha256' ? sign('sha256', data, privateKey) : sign(null, createHash('sha256').update(data).digest(), privateKey);
    const header = `DKIM-Signature: ${tags.join(';\r\n\t')}${fold(signature.toString('base64'))}\r\n`;
    return Buffer.concat([byteString(header), message]);
  };
}

/**
 * The bytes of a string made of one char per byte, as latin1 decoding makes it. A char above
 * 0xFF would lose its high bits on the way (U+010A would become LF): refused instead.
 */
function byteString(text: string): Buffer {
  if (/[^\x00-\xff]/.test(text)) throw new Error('a DKIM input is not a byte string');
  return Buffer.from(text, 'latin1');
}

function relaxedHeader(name: string, value: string): string {
  return `${name}:${value.replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim()}`;
}

const CRLF = Buffer.from('\r\n');

/**
 * The body's hash, relaxed (RFC 6376 3.4.4): runs of whitespace become one space, none at line
 * ends, no empty lines at the end. A body without such whitespace (as buildMessage writes them)
 * is hashed as it is, without a copy.
 */
function bodyHash(body: Buffer): string {
  const spaced = body.includes('\t') || body.includes('  ') || body.includes(' \r\n') || body.at(-1) === 0x20;
  const canonical = spaced ? byteString(body.toString('latin1').replace(/[ \t]+/g, ' ').replace(/ \r\n/g, '\r\n').replace(/ $/, '')) : body;
  let end = canonical.length;
  while (end >= 2 && canonical[end - 2] === 0x0d && canonical[end - 1] === 0x0a) end -= 2;
  const hash = createHash('sha256');
  if (end > 0) hash.update(canonical.subarray(0, end)).update(CRLF);
  return hash.digest('base64');
}

/** Base64 in the header, cut into lines that stay under 78 characters; verifiers ignore the folding. */
function fold(base64: string): string {
  return base64.replace(/.{1,72}/g, '$&\r\n\t').replace(/\r\n\t$/, '');
}

/** Each key's PEM parsed once while the key is in use: a portal answer makes a signer for each message, with the configuration's key. */
const privateKeys = new WeakMap<DkimKey, KeyObject>();

function privateKeyOf(key: DkimKey): KeyObject {
  let parsed = privateKeys.get(key);
  if (!parsed) {
    parsed = createPrivateKey(key.privateKeyPem);
    privateKeys.set(key, parsed);
  }
  return parsed;
}
