import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { keyedHash } from '../lib/keyed-hash.ts';
import { loadSecret } from '../lib/secret.ts';
import { secretBoxKey } from './secret-box.ts';

/** What a bearer API token starts with: secret scanners and people recognise it. */
export const API_TOKEN_PREFIX = 'tocsin_';

/** 256 random bits in base64url: session cookies, set-password links, API tokens. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Which kind of secret a hash stands for: a session token's hash never matches a link's. */
export type Credential = 'session' | 'set-password' | 'api-token' | 'recovery-code' | 'throttle' | 'researcher-session' | 'researcher-link' | 'researcher-recovery-code' | 'report-claim' | 'passkey-challenge';

/**
 * The keys accounts use, from the instance secret: keyed hashes of tokens and codes (looked up
 * by hash, so no stored value is compared byte by byte), and the key that seals TOTP secrets.
 */
export interface AccountKeys {
  hash(kind: Credential, value: string): string;
  box: Buffer;
}

/** Derived once per configuration (which names the secret): every request that carries a session or a token needs them. */
const keysByConfig = new WeakMap<Config, AccountKeys>();

export function accountKeys(ctx: Pick<Context, 'dataDir' | 'config'>): AccountKeys {
  let keys = keysByConfig.get(ctx.config);
  if (!keys) {
    const secret = loadSecret(ctx.dataDir, ctx.config);
    keys = { hash: (kind, value) => keyedHash(secret, `accounts/${kind}`, value), box: secretBoxKey(secret) };
    keysByConfig.set(ctx.config, keys);
  }
  return keys;
}
