import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../context.ts';
import type { NoticeState } from '../domain/index.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { TocsinError, reasonOf } from '../lib/errors.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { parseDeliveryStatus, type RecipientStatus, splitMessages } from '../mail/index.ts';

export interface BounceImport {
  files: { path: string; sha256: string; messages: number; reports: number }[];
  /** Notices marked bounced now. */
  bounced: number;
  /** Notices that were bounced already. */
  alreadyBounced: number;
  /** "Still trying" reports: the notice is left as it is. */
  delayed: number;
  /** Messages that are not delivery status notifications (auto-replies, answers from people). */
  notReports: number;
  /** Failures no notice of the incident matches, with where they are: for a person to look at. */
  unmatched: { file: string; message: number; recipient: string | null; reason: string }[];
}

/** States of notices handed over at least once: a report can be about them. One in `sending` is left to its sender. */
const TRIED: readonly NoticeState[] = ['sent', 'deferred', 'failed', 'bounced'];

interface Failure {
  file: string;
  message: number;
  messageIds: string[];
  status: RecipientStatus;
}

/**
 * Reads delivery status notifications that came back after sending (RFC 3464 `.eml` files or
 * mbox) and marks the notices they report as failed `bounced`, with the report's status and
 * diagnostic. A report names its notice by the returned message's Message-ID (deterministic
 * per notice), else by the recipient address. Importing the same file again changes nothing.
 */
export async function importBounces(ctx: Context, incidentId: string, paths: readonly string[]): Promise<BounceImport> {
  const incident = await getIncident(ctx, incidentId);
  const result: BounceImport = { files: [], bounced: 0, alreadyBounced: 0, delayed: 0, notReports: 0, unmatched: [] };
  const failures: Failure[] = [];
  for (const path of paths.map((p) => resolve(p))) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new TocsinError('BOUNCES_UNREADABLE', `cannot read ${path} (${reasonOf(error)}); give .eml or mbox files`, { kind: 'invalid' });
    }
    const messages = splitMessages(bytes);
    let reports = 0;
    for (const [index, message] of messages.entries()) {
      const report = await parseDeliveryStatus(message);
      if (!report) {
        result.notReports++;
        continue;
      }
      reports++;
      for (const status of report.recipients) {
        if (status.action === 'delayed') result.delayed++;
        if (status.action === 'failed') failures.push({ file: path, message: index + 1, messageIds: report.messageIds, status });
      }
    }
    result.files.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), messages: messages.length, reports });
  }

  await ctx.db.transaction().execute(async (trx) => {
    for (const failure of failures) {
      const notice = await findNotice(trx, incident.id, failure);
      if (!notice || !TRIED.includes(notice.state)) {
        const reason = notice ? `its notice is ${notice.state}, not sent yet` : 'no notice of this incident has its Message-ID or recipient';
        result.unmatched.push({ file: failure.file, message: failure.message, recipient: failure.status.recipient, reason });
        continue;
      }
      if (notice.state === 'bounced') {
        result.alreadyBounced++;
        continue;
      }
      const { status, diagnostic } = failure.status;
      await trx
        .updateTable('notices')
        .set({ state: 'bounced', last_reply: `bounce report: ${status}${diagnostic ? ` ${diagnostic}` : ''}`, next_attempt_at: null, updated_at: ctx.now().toISOString() })
        .where('incident_id', '=', incident.id)
        .where('subject', '=', notice.subject)
        .execute();
      result.bounced++;
    }
    await appendAudit(trx, ctx, incident.id, {
      action: 'delivery.bounces',
      details: { files: result.files.map(({ path, sha256 }) => ({ path, sha256 })), bounced: result.bounced, already_bounced: result.alreadyBounced, delayed: result.delayed, unmatched: result.unmatched.length },
    });
  });
  return result;
}

/** By Message-ID first (exact), then by the address the report names. */
async function findNotice(trx: Context['db'], incidentId: string, failure: Failure) {
  const byId =
    failure.messageIds.length > 0
      ? await trx.selectFrom('notices').select(['subject', 'state']).where('incident_id', '=', incidentId).where('message_id', 'in', failure.messageIds).executeTakeFirst()
      : undefined;
  const subject = failure.status.recipient ? normalizeEmail(failure.status.recipient) : null;
  return byId ?? (subject ? await trx.selectFrom('notices').select(['subject', 'state']).where('incident_id', '=', incidentId).where('subject', '=', subject).executeTakeFirst() : undefined);
}
