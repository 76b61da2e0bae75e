import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Context } from '../context.ts';
import type { NoticeVariant } from '../db/schema.ts';
import { getIncident } from '../incidents/incidents.ts';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { writePrivateFile } from '../lib/private-file.ts';
import { TocsinError } from '../lib/errors.ts';
import { normalizeEmail } from '../records/subject.ts';
import { composeNotice } from './compose.ts';
import { loadSecret } from './secret.ts';
import { incidentTemplates } from './templates.ts';

export interface PreviewOptions {
  /** One customer's notice; else one notice per variant and locale, or of `locale` only. */
  email?: string;
  locale?: string;
  outDir?: string;
  from?: string;
}

export interface PreviewFile {
  subject: string;
  variant: NoticeVariant;
  locale: string;
  eml: string;
  html: string;
}

/** Writes notices as they would be sent, `.eml` and `.html`, for review before anything goes out. */
export async function previewNotices(ctx: Context, incidentId: string, options: PreviewOptions): Promise<{ dir: string; files: PreviewFile[] }> {
  const incident = await getIncident(ctx, incidentId);
  let query = ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', incident.id).orderBy('seq');
  if (options.email) {
    const subject = normalizeEmail(options.email);
    if (!subject) throw new TocsinError('BAD_EMAIL', `'${options.email}' is not an email address`, { exitCode: 2 });
    query = query.where('subject', '=', subject);
  }
  if (options.locale) query = query.where('locale', '=', options.locale);
  const notices = await query.execute();
  const firstOfKind = new Map<string, (typeof notices)[number]>();
  for (const notice of notices) {
    const kind = `${notice.variant} ${notice.locale}`;
    if (!firstOfKind.has(kind)) firstOfKind.set(kind, notice);
  }
  const chosen = options.email ? notices : [...firstOfKind.values()];
  if (chosen.length === 0) {
    throw new TocsinError('NO_NOTICE', `no notice matches; 'tocsin notices build ${incident.id}' makes them, 'tocsin affected ${incident.id}' lists who gets one`);
  }
  const templates = incidentTemplates(ctx.dataDir, incident.id);
  const secret = loadSecret(ctx.dataDir);
  const dir = options.outDir ?? join(ctx.dataDir, 'preview', incident.id);
  ensureWritableDirectory(dir, 'the preview directory', 'choose another with --out');
  const files: PreviewFile[] = [];
  for (const notice of chosen.sort((a, b) => a.seq - b.seq)) {
    const rendered = composeNotice(notice, templates, secret);
    const base = join(dir, `${notice.seq}-${notice.variant}-${notice.locale}`);
    const mail = new MailComposer({
      from: options.from ?? incident.contact_email ?? undefined,
      to: notice.email,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
    writePrivateFile(`${base}.eml`, await mail.compile().build());
    writePrivateFile(`${base}.html`, rendered.html);
    files.push({ subject: notice.subject, variant: notice.variant, locale: notice.locale, eml: `${base}.eml`, html: `${base}.html` });
  }
  return { dir, files };
}
