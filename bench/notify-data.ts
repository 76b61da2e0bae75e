/**
 * Synthetic notices for the delivery benchmark. A demo shop large enough to affect 100,000
 * people would need an attack of millions of requests; the benchmark measures sending, so its
 * notices go straight into the notices table, as `tocsin notices build` writes them: valid
 * variables for the built-in templates (each locale rendered once to prove it), codes derived
 * from the secret, every notice queued.
 */
import type { Context } from '../src/context.ts';
import type { Incident } from '../src/db/index.ts';
import { bulkInsert } from '../src/db/bulk-insert.ts';
import { DEMO_INCIDENT } from '../src/demo/story.ts';
import { createIncident } from '../src/incidents/incidents.ts';
import { composeNotice, storedVars } from '../src/notices/compose.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { incidentTemplates } from '../src/notices/templates.ts';
import { codeHash, codeSubjectHash, deriveCode } from '../src/notices/verification-code.ts';

const FIRST = ['Ana', 'Bruno', 'Chloé', 'Dieter', 'Elif', 'François', 'Giulia', 'Hannah', 'Ibrahim', 'Jürgen', 'Léa', 'Mateo', 'Noémie', 'Oliver', 'Priya', 'Søren'];
const LAST = ['Martin', 'Müller', 'García', 'Rossi', 'Dubois', 'Smith', 'Nowak', "O'Brien", 'Lefèvre', 'Schmidt', 'Kowalski', 'Bianchi'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.fr', 'web.de', 'orange.fr', 'gmx.de', 'libero.it', 'hotmail.co.uk', 'icloud.com', 'free.fr', 'yahoo.es', 'wanadoo.fr'];
export const NOTICE_COLUMNS = ['incident_id', 'subject', 'seq', 'run', 'email', 'locale', 'variant', 'vars', 'templates_sha256', 'code_hash', 'code_subject_hash', 'state', 'attempts', 'sent_at', 'created_at', 'updated_at'] as const;

/**
 * Rows for the notices table of `incident`, as `tocsin notices build` writes them: valid
 * variables for the built-in templates (each locale rendered once, to prove it), the locales
 * in turn, codes derived from the secret. A `sent` notice carries `now` as its sending time.
 */
export function noticeRows(ctx: Context, incident: Incident): (n: number, subject: string, state: 'queued' | 'sent') => unknown[] {
  const templates = incidentTemplates(ctx.dataDir, incident.id);
  const locales = [...templates.sets.default.locales.keys()];
  const secret = loadSecret(ctx.dataDir, ctx.config);
  const now = ctx.now().toISOString();
  const proven = new Set<string>();
  return (n, subject, state) => {
    const name = `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`;
    const vars = storedVars({
      incident,
      name,
      exposed: ['name', 'email', 'phone', 'postal_address'],
      notExposed: ['payment_card_number', 'password_hash'],
      shopAddress: 'shop.example.com',
      verifyAddress: 'shop.example.com/verify',
      narrative: { what_happened: ['An unauthorised person read other customers’ orders through our website, including yours.'] },
      reportedTo: [],
      authorityDuty: false,
      noticeDate: now,
    });
    const notice = { incident_id: incident.id, subject, locale: locales[n % locales.length], variant: 'default' as const, vars: JSON.stringify(vars) };
    if (!proven.has(notice.locale)) {
      composeNotice(notice, templates, secret);
      proven.add(notice.locale);
    }
    const code = deriveCode(secret, incident.id, subject);
    return [incident.id, subject, n, 1, subject, notice.locale, notice.variant, notice.vars, templates.sha256, codeHash(code, secret), codeSubjectHash(code, subject, secret), state, state === 'sent' ? 1 : 0, state === 'sent' ? now : null, now, now];
  };
}

/** Creates the demo incident with `count` queued notices, approved; returns its id and the templates' fingerprint. */
export async function seedCampaign(ctx: Context, count: number): Promise<{ incidentId: string; templatesSha256: string }> {
  const incident = await createIncident(ctx, DEMO_INCIDENT);
  const row = noticeRows(ctx, incident);
  const rows: unknown[][] = [];
  for (let n = 1; n <= count; n++) rows.push(row(n, `customer${n}@${DOMAINS[n % DOMAINS.length]}`, 'queued'));
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await bulkInsert(trx, ctx.dialect, 'notices', NOTICE_COLUMNS, rows);
    // Built and approved under the four-eyes rule, as a privacy officer's approval leaves it: sending may start.
    await trx.insertInto('notice_sets').values({ incident_id: incident.id, built_by: ctx.actor, built_at: now, approved_by: 'privacy@shop.example.com', approved_at: now }).execute();
  });
  return { incidentId: incident.id, templatesSha256: incidentTemplates(ctx.dataDir, incident.id).sha256 };
}
