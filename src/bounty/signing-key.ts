import { hkdfSync } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { Context } from '../context.ts';
import { CONTROL_CHARACTERS } from '../lib/control-characters.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { loadSecret } from '../lib/secret.ts';
import { bountyOf } from './programme.ts';

const SLOT = 'current';

/** What is shown of the key: never its private half. */
export interface SigningKeyView {
  fingerprint: string;
  algorithm: string;
  user_ids: string[];
  created_at: string;
  source: 'generated' | 'imported';
  /** The armored public key, as served at the Encryption URL. */
  public_key: string;
}

/**
 * The passphrase the stored private key is encrypted with: derived from the installation's secret
 * (never the secret itself), so the key opens wherever the secret is, and the database alone does
 * not give it away. Every process that serves a shared PostgreSQL database has the secret already.
 */
function storagePassphrase(ctx: Context): string {
  return Buffer.from(hkdfSync('sha256', loadSecret(ctx.dataDir, ctx.config), new Uint8Array(0), 'tocsin/bounty/signing-key/v1', 32)).toString('hex');
}

/** Makes a new Ed25519 signing key for security.txt and stores it, replacing the one before (whose signature then goes too). */
export async function generateSigningKey(ctx: Context): Promise<SigningKeyView> {
  const bounty = bountyOf(ctx.config);
  const name = `${(ctx.config.shop.name ?? ctx.config.shop.domains[0] ?? 'Security team').replace(CONTROL_CHARACTERS, ' ').slice(0, 100)} security`;
  const email = bounty.contacts.find((contact) => contact.startsWith('mailto:'))?.slice('mailto:'.length);
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [email ? { name, email } : { name }], date: ctx.now(), format: 'object' });
  return storeKey(ctx, privateKey, 'generated');
}

/**
 * Stores an armored OpenPGP private key of the shop's own (`passphrase` opens it when it is
 * protected) as the key that signs security.txt. It must be able to sign, now.
 */
export async function importSigningKey(ctx: Context, armored: string, passphrase?: string): Promise<SigningKeyView> {
  bountyOf(ctx.config);
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw invalidInput('KEY_UNREADABLE', `not an armored OpenPGP private key (${reasonOf(error)}); export one with \`gpg --armor --export-secret-keys FINGERPRINT\``);
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw invalidInput('KEY_PASSPHRASE_NEEDED', 'the key is protected by a passphrase; give a file holding it with --passphrase-file');
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw invalidInput('KEY_PASSPHRASE_WRONG', 'the passphrase does not open the key; check the file given with --passphrase-file');
    }
  }
  try {
    await key.getSigningKey(undefined, ctx.now());
  } catch (error) {
    throw invalidInput('KEY_CANNOT_SIGN', `the key cannot sign now (${reasonOf(error)}); import a key with a valid signing (sub)key, or generate one`, { next: { action: 'generate_bounty_key' } });
  }
  return storeKey(ctx, key, 'imported');
}

async function storeKey(ctx: Context, key: openpgp.PrivateKey, source: 'generated' | 'imported'): Promise<SigningKeyView> {
  const encrypted = await openpgp.encryptKey({ privateKey: key, passphrase: storagePassphrase(ctx) });
  const row = {
    slot: SLOT,
    fingerprint: key.getFingerprint().toUpperCase(),
    public_key: key.toPublic().armor(),
    private_key: encrypted.armor(),
    source,
    created_at: ctx.now().toISOString(),
  };
  await ctx.db
    .insertInto('bounty_signing_keys')
    .values(row)
    .onConflict((conflict) => conflict.column('slot').doUpdateSet({ fingerprint: row.fingerprint, public_key: row.public_key, private_key: row.private_key, source, created_at: row.created_at }))
    .execute();
  ctx.logger.info({ fingerprint: row.fingerprint, source }, 'bounty signing key stored');
  return viewOf(key, row);
}

/** The key that signs security.txt, without its private half; null when there is none yet. */
export async function signingKey(ctx: Context): Promise<SigningKeyView | null> {
  const row = await ctx.db.selectFrom('bounty_signing_keys').selectAll().where('slot', '=', SLOT).executeTakeFirst();
  if (!row) return null;
  return viewOf(await openpgp.readKey({ armoredKey: row.public_key }), row);
}

/**
 * The stored key's fingerprint and armored public half, as the public listener serves them:
 * read without parsing the key, which every security.txt and bounty page request would pay.
 */
export async function storedPublicKey(ctx: Pick<Context, 'db'>): Promise<{ fingerprint: string; public_key: string } | null> {
  return (await ctx.db.selectFrom('bounty_signing_keys').select(['fingerprint', 'public_key']).where('slot', '=', SLOT).executeTakeFirst()) ?? null;
}

/** The stored private key, opened to sign; null when there is none. */
export async function openSigningKey(ctx: Context): Promise<openpgp.PrivateKey | null> {
  const row = await ctx.db.selectFrom('bounty_signing_keys').select(['private_key']).where('slot', '=', SLOT).executeTakeFirst();
  if (!row) return null;
  try {
    return await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: row.private_key }), passphrase: storagePassphrase(ctx) });
  } catch (error) {
    throw new TocsinError(
      'BOUNTY_KEY_UNREADABLE',
      "the stored security.txt signing key does not open with this installation's secret; run with the secret it was stored under, or generate a new key",
      { kind: 'failed', cause: error, next: { action: 'generate_bounty_key' } },
    );
  }
}

function viewOf(key: openpgp.Key, row: { fingerprint: string; public_key: string; source: 'generated' | 'imported'; created_at: string }): SigningKeyView {
  const info = key.getAlgorithmInfo();
  return {
    fingerprint: row.fingerprint,
    algorithm: 'curve' in info && info.curve ? `${info.algorithm} ${info.curve}` : `${info.algorithm}${'bits' in info && info.bits ? ` ${info.bits}` : ''}`,
    user_ids: key.getUserIDs(),
    created_at: key.getCreationTime().toISOString(),
    source: row.source,
    public_key: row.public_key,
  };
}
