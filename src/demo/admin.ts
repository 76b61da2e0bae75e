import { randomBytes } from 'node:crypto';
import { addAccount } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import { approveNotices, type NoticeApproval } from '../notices/index.ts';
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

/** The demo shop's privacy officer, who approves the notices the demo builds (the four-eyes rule). */
const DEMO_PRIVACY_OFFICER_EMAIL = `privacy@${DEMO_SHOP_ADDRESS}`;

/**
 * Adds the demo's privacy officer, with no password (nobody signs in as them; an admin may give
 * them one with a set-password link), and approves the incident's notices in their name.
 */
export async function approveAsDemoPrivacyOfficer(ctx: Context, incidentId: string): Promise<NoticeApproval> {
  const { account } = await addAccount(ctx, { email: DEMO_PRIVACY_OFFICER_EMAIL, role: 'privacy' });
  return approveNotices({ ...ctx, actor: account.email }, incidentId, account);
}
