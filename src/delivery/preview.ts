import { join } from 'node:path';
import type { Context } from '../context.ts';
import type { NoticeVariant } from '../db/index.ts';
import { noticeMessage } from './notice-message.ts';
import { messageSender } from './send-settings.ts';
import { getIncident } from '../incidents/index.ts';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { writePrivateFile } from '../lib/private-file.ts';
import { TocsinError, invalidInput } from '../lib/errors.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { loadSecret } from '../lib/secret.ts';
import { incidentTemplates } from '../notices/index.ts';

export interface PreviewOptions {
  /** One customer's notice; else one notice per variant and locale, or of `locale` only. */
  email?: string;
  locale?: string;
  outDir?: string;
  /** The sender, as `send --from` takes it; the configuration's sender.from, else the incident's contact point, by default. */
  from?: string;
}

export interface PreviewFile {
  subject: string;
  variant: NoticeVariant;
  locale: string;
  eml: string;
  html: string;
}

/** A notice as it would be sent: the message `send` makes (but for its DKIM signature and date), its Subject line, and its plain text and HTML parts. */
export interface RenderedPreview {
  seq: number;
  subject: string;
  variant: NoticeVariant;
  locale: string;
  raw: Buffer;
  subject_line: string;
  text: string;
  html: string;
}

/**
 * The notices to review before anything goes out: one per variant and locale, or one person's.
 * The message is made by the code `send` uses, byte for byte, but for the DKIM signature `send`
 * adds in front and the date. A notice `send` would refuse (its address is not a mailbox) is left out.
 */
export async function renderPreviews(ctx: Context, incidentId: string, options: Omit<PreviewOptions, 'outDir'>): Promise<RenderedPreview[]> {
  const incident = await getIncident(ctx, incidentId);
  const from = options.from ?? ctx.config.sender.from ?? incident.contact_email;
  if (!from) throw invalidInput('PREVIEW_FROM', `incident ${incident.id} has no contact email to show as the sender; give --from as for sending, or sender.from in the configuration`);
  const sender = messageSender(from, incident);
  let query = ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', incident.id).orderBy('seq');
  if (options.email) {
    const subject = normalizeEmail(options.email);
    if (!subject) throw invalidInput('BAD_EMAIL', `'${options.email}' is not an email address`);
    query = query.where('subject', '=', subject);
  }
  if (options.locale) query = query.where('locale', '=', options.locale);
  const notices = await query.execute();
  const templates = incidentTemplates(ctx.dataDir, incident.id);
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const previews: RenderedPreview[] = [];
  const kinds = new Set<string>();
  for (const notice of notices) {
    const kind = `${notice.variant} ${notice.locale}`;
    if (!options.email && kinds.has(kind)) continue;
    const message = noticeMessage(notice, templates, secret, sender, ctx.now());
    if ('refused' in message) continue;
    kinds.add(kind);
    previews.push({ seq: notice.seq, subject: notice.subject, variant: notice.variant, locale: notice.locale, raw: message.raw, subject_line: message.subjectLine, text: message.text, html: message.html });
  }
  if (previews.length === 0) {
    throw new TocsinError('NO_NOTICE', 'no notice matches; building the notices makes them, and the list of affected people says who gets one', {
      kind: 'not_found',
      next: { action: 'build_notices', incident_id: incident.id },
    });
  }
  return previews;
}

/** Writes the previews as `.eml` and `.html` files, owner-only, for review in a mail client and a browser. */
export async function previewNotices(ctx: Context, incidentId: string, options: PreviewOptions): Promise<{ dir: string; files: PreviewFile[] }> {
  const previews = await renderPreviews(ctx, incidentId, options);
  const dir = options.outDir ?? join(ctx.dataDir, 'preview', (await getIncident(ctx, incidentId)).id);
  ensureWritableDirectory(dir, 'the preview directory', 'choose another with --out');
  return {
    dir,
    files: previews.map((preview) => {
      const base = join(dir, `${preview.seq}-${preview.variant}-${preview.locale}`);
      writePrivateFile(`${base}.eml`, preview.raw);
      writePrivateFile(`${base}.html`, preview.html);
      return { subject: preview.subject, variant: preview.variant, locale: preview.locale, eml: `${base}.eml`, html: `${base}.html` };
    }),
  };
}
