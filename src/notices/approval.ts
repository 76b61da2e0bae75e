import type { Kysely } from 'kysely';
import { can, type Role } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { TocsinError } from '../lib/errors.ts';

/**
 * The four-eyes rule: a notice set built by one account goes out only once a different account
 * with the privacy role has approved that very build. A build replaces the set's row (src/notices/
 * build.ts), so a rebuild clears the approval; the build and the approval are both in the
 * incident's audit trail, each with its actor.
 */

/** Where an incident's notice set stands. */
export interface NoticeApproval {
  incident_id: string;
  /** Who built the set as it is; null for a set built before Tocsin recorded builders. */
  built_by: string | null;
  built_at: string;
  approved_by: string | null;
  approved_at: string | null;
  /** Whether sending waits for the approval (`notices.require_approval`, true unless configured off). */
  required: boolean;
}

/** The account that approves: a person, as the API's session or the CLI's confirmed password names them. */
export interface Approver {
  email: string;
  role: Role;
}

export function noNoticesYet(incidentId: string): TocsinError {
  return new TocsinError('NO_NOTICES', `incident ${incidentId} has no notices yet; build them first`, { kind: 'conflict', next: { action: 'build_notices', incident_id: incidentId } });
}

/** Records a build by `ctx.actor`, clearing any approval: called in the build's own transaction. */
export async function recordNoticeBuild(trx: Kysely<Tables>, ctx: Pick<Context, 'actor'>, incidentId: string, builtAt: string): Promise<void> {
  await trx
    .insertInto('notice_sets')
    .values({ incident_id: incidentId, built_by: ctx.actor, built_at: builtAt, approved_by: null, approved_at: null })
    .onConflict((conflict) => conflict.column('incident_id').doUpdateSet({ built_by: ctx.actor, built_at: builtAt, approved_by: null, approved_at: null }))
    .execute();
}

/** The incident's notice set: who built it, when, and its approval. */
export async function noticeApproval(ctx: Context, incidentId: string): Promise<NoticeApproval> {
  const incident = await getIncident(ctx, incidentId);
  const row = await ctx.db.selectFrom('notice_sets').selectAll().where('incident_id', '=', incident.id).executeTakeFirst();
  if (!row) throw noNoticesYet(incident.id);
  return { ...row, required: ctx.config.notices.require_approval };
}

/**
 * Approves the notice set as built, by `approver`: an account with the privacy role that did not
 * build it. `builtAt`, when given, is the build the approver reviewed: a set rebuilt since is
 * refused, to be reviewed again. Approving an approved set changes nothing.
 */
export async function approveNotices(ctx: Context, incidentId: string, approver: Approver, builtAt?: string): Promise<NoticeApproval> {
  const current = await noticeApproval(ctx, incidentId);
  const { incident_id: id } = current;
  if (!can(approver.role, 'notices:approve')) {
    throw new TocsinError('APPROVER_NOT_PRIVACY', `${approver.email} is ${approver.role === 'admin' ? 'an' : 'a'} ${approver.role}: notices are approved by an account with the privacy role`, { kind: 'forbidden', next: { action: 'list_accounts' } });
  }
  if (current.built_by !== null && current.built_by.toLowerCase() === approver.email.toLowerCase()) {
    throw new TocsinError('APPROVER_IS_BUILDER', `${approver.email} built these notices: another account with the privacy role must approve them (the four-eyes rule)`, { kind: 'forbidden', next: { action: 'list_accounts' } });
  }
  if (builtAt !== undefined && builtAt !== current.built_at) throw rebuilt(id);
  if (current.approved_by !== null) return current;
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('notice_sets').set({ approved_by: approver.email, approved_at: now }).where('incident_id', '=', id).where('built_at', '=', current.built_at).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw rebuilt(id);
    await appendAudit(trx, { ...ctx, actor: approver.email }, id, { action: 'notices.approved', details: { built_by: current.built_by, built_at: current.built_at } });
  });
  return noticeApproval(ctx, id);
}

function rebuilt(incidentId: string): TocsinError {
  return new TocsinError('NOTICES_REBUILT', `the notices of incident ${incidentId} were built again since you reviewed them; review them again before approving`, {
    kind: 'conflict',
    next: { action: 'approve_notices', incident_id: incidentId },
  });
}

/**
 * Refuses to send a notice set that is not approved, unless the configuration says sending needs
 * no approval (`notices.require_approval: false`). Returns what the campaign's audit entry records.
 */
export async function requireApproval(ctx: Context, incidentId: string): Promise<{ approved_by: string | null; approval_required: boolean }> {
  const approval = await noticeApproval(ctx, incidentId);
  if (approval.required && approval.approved_by === null) {
    throw new TocsinError(
      'NOTICES_NOT_APPROVED',
      `the notices of incident ${approval.incident_id}, built by ${approval.built_by ?? 'someone'} at ${approval.built_at}, are not approved: another account with the privacy role must approve them before they are sent (the four-eyes rule)`,
      { kind: 'conflict', next: { action: 'approve_notices', incident_id: approval.incident_id } },
    );
  }
  return { approved_by: approval.approved_by, approval_required: approval.required };
}
