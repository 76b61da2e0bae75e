import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { TocsinError } from '../lib/errors.ts';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The key that encrypts secrets at rest (TOTP seeds), derived from the instance secret: never the secret itself. */
export function secretBoxKey(instanceSecret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', instanceSecret, new Uint8Array(0), 'tocsin/accounts/secret-box/v1', 32));
}

/**
 * AES-256-GCM of `plaintext`, bound to `context` (an account id) as associated data, so a
 * sealed secret copied to another account's row does not open there. `v1.nonce.ciphertext.tag`.
 */
export function seal(key: Uint8Array, context: string, plaintext: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, nonce, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

export function open(key: Uint8Array, context: string, sealed: string): string {
  const [version, nonce, ciphertext, tag] = sealed.split('.');
  if (version !== VERSION || tag === undefined) throw unreadable();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8')).setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw unreadable(error);
  }
}

function unreadable(cause?: unknown): TocsinError {
  return new TocsinError(
    'TWO_FACTOR_SECRET_UNREADABLE',
    "a stored two-factor secret cannot be decrypted with this installation's secret; run with the secret.key or TOCSIN_SECRET it was made with, or have an admin remove the account's two-factor enrolment",
    { kind: 'failed', cause },
  );
}
