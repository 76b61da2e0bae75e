import { randomBytes } from 'node:crypto';
import { addAccount } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import { DEMO_SHOP_ADDRESS } from './story.ts';

/** The demo shop's staff account: an admin, to sign in to the console and the API with. */
const DEMO_ADMIN_EMAIL = `admin@${DEMO_SHOP_ADDRESS}`;

/**
 * Adds the demo's admin with a password made now: 128 random bits as 32 hex digits (which can
 * never spell the email's name, as the password policy forbids). The caller shows it once; only
 * its argon2id hash is stored.
 */
export async function addDemoAdmin(ctx: Context): Promise<{ email: string; password: string }> {
  const password = randomBytes(16).toString('hex');
  await addAccount(ctx, { email: DEMO_ADMIN_EMAIL, role: 'admin', password });
  return { email: DEMO_ADMIN_EMAIL, password };
}
