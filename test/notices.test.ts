import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { DEMO_INCIDENT } from '../src/demo/story.ts';
import { auditTrail } from '../src/incidents/audit.ts';
import { createIncident, updateIncident } from '../src/incidents/incidents.ts';
import { buildNotices } from '../src/notices/build.ts';
import { previewNotices } from '../src/delivery/preview.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { initIncidentTemplates, TEMPLATES_RECHECK_MS } from '../src/notices/templates.ts';
import { deriveCode } from '../src/notices/verification-code.ts';
import { verifyNotice } from '../src/notices/verify.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-notices-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
let affected: { email: string }[];

beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 2000, logLines: 20_000, seed: 5 });
  affected = JSON.parse(readFileSync(join(shop, 'truth.json'), 'utf8')).affected;
});

describeEachDatabase('notices', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createDemoIncident(ctx));
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: logs() });
  });
  afterAll(() => ctx?.close());

  it('builds one notice per affected person, in their language, and again without duplicates', async () => {
    const first = await buildNotices(ctx, id, { shopAddress: 'https://shop.example.com/' });
    expect(first).toMatchObject({ run: 1, added: affected.length, total: affected.length });
    const notices = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).execute();
    expect(notices.map((n) => n.subject).sort()).toEqual(affected.map((a) => a.email));
    const french = notices.filter((n) => n.email.endsWith('.fr'));
    expect(french.length).toBeGreaterThan(0);
    for (const notice of notices) {
      expect(JSON.parse(notice.vars)).toMatchObject({ shopAddress: 'shop.example.com', verifyAddress: 'shop.example.com/verify' });
      expect(notice.vars).not.toMatch(/[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/); // the code is never stored
    }
    expect(new Set(notices.map((n) => n.seq)).size).toBe(notices.length);

    await ctx.db.updateTable('notices').set({ state: 'sent', sent_at: '2019-11-15T10:00:00.000Z' }).where('incident_id', '=', id).where('seq', '<=', 3).execute();
    const again = await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    expect(again).toMatchObject({ added: 0, kept: 3, updated: affected.length - 3, total: affected.length });
  });

  it('says genuine only when the code and the address belong together, and the notice was sent', async () => {
    const [sent] = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('seq', '=', 1).execute();
    const [unsent] = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('seq', '=', 10).execute();
    const secret = loadSecret(database().config.dataDir);
    const code = deriveCode(secret, id, sent.subject);
    expect(await verifyNotice(ctx, code.toLowerCase(), ` ${sent.email.toUpperCase()} `)).toEqual({
      genuine: true,
      email: sent.email,
      sent_at: '2019-11-15T10:00:00.000Z',
      subject: expect.stringContaining(DEMO_INCIDENT.controller!),
      incident_id: id,
      incident_title: DEMO_INCIDENT.title,
    });
    expect(await verifyNotice(ctx, code, unsent.email)).toEqual({ genuine: false, typo: false });
    expect(await verifyNotice(ctx, deriveCode(secret, id, unsent.subject), unsent.email)).toEqual({ genuine: false, typo: false });
    expect(await verifyNotice(ctx, code, 'someone-else@example.com')).toEqual({ genuine: false, typo: false });
    // One symbol changed: the check symbol catches it.
    const typo = code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await verifyNotice(ctx, typo, sent.email)).toEqual({ genuine: false, typo: true });
    expect(await verifyNotice(ctx, code.slice(0, -1), sent.email)).toEqual({ genuine: false, typo: true });
  });

  it('writes a sent notice’s subject from its templates, read again once they changed', async () => {
    const [sent] = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('seq', '=', 1).execute();
    const code = deriveCode(loadSecret(database().config.dataDir), id, sent.subject);
    let now = Date.now();
    const at = { ...ctx, now: () => new Date(now) };
    const before = await verifyNotice(at, code, sent.email);
    const { dir } = initIncidentTemplates(database().config.dataDir, id);
    try {
      const subjectFile = join(dir, sent.locale, 'notice.subject.liquid');
      writeFileSync(subjectFile, `Changed – ${readFileSync(subjectFile, 'utf8')}`);
      // Kept for a moment (a rush of checks reads no file), then read again.
      expect(await verifyNotice(at, code, sent.email)).toEqual(before);
      now += TEMPLATES_RECHECK_MS;
      expect(before).toMatchObject({ genuine: true, subject: expect.not.stringContaining('Changed') });
      expect(await verifyNotice(at, code, sent.email)).toMatchObject({ genuine: true, subject: expect.stringMatching(/^Changed – /) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    now += TEMPLATES_RECHECK_MS;
    expect(await verifyNotice(at, code, sent.email)).toEqual(before);
  });

  it('withdraws unsent notices of people a newer scope run no longer finds affected', async () => {
    const narrowed = join(shop, `narrowed-${database().dialect}.yml`);
    writeFileSync(narrowed, readFileSync(join(shop, 'scope.yml'), 'utf8').replace(/until: .*/, 'until: 2019-11-04T00:00:00Z'));
    const run = await runScope(ctx, id, { rulesPath: narrowed, logs: logs() });
    const rebuilt = await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    const sentCount = 3;
    expect(rebuilt.run).toBe(run.run);
    expect(rebuilt.withdrawn).toBeGreaterThan(0);
    const left = await ctx.db.selectFrom('notices').select(['subject', 'state']).where('incident_id', '=', id).execute();
    expect(left.filter((n) => n.state === 'sent')).toHaveLength(sentCount);
    expect(left.length).toBe(rebuilt.total);
    expect((await auditTrail(ctx, id)).filter((e) => e.action === 'notices.built')).toHaveLength(3);
  });

  it('refuses templates that use an unknown variable, naming it, and stores nothing', async () => {
    const { id: other } = await createDemoIncident(ctx);
    await importRecords(ctx, other, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'] });
    await runScope(ctx, other, { rulesPath: join(shop, 'scope.yml'), logs: logs() });
    const { dir } = initIncidentTemplates(database().config.dataDir, other);
    const subjectFile = join(dir, 'fr', 'notice.subject.liquid');
    writeFileSync(subjectFile, `${readFileSync(subjectFile, 'utf8').trim()} {{ customer_ssn }}\n`);
    await expect(buildNotices(ctx, other, { shopAddress: 'shop.example.com' })).rejects.toMatchObject({ code: 'TEMPLATES_INVALID', message: expect.stringContaining('customer_ssn') });
    const stored = await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', other).execute();
    expect(stored).toEqual([]);
  });

  it('refuses to build without the facts a notice must state', async () => {
    const { id: bare } = await createIncident(ctx, { title: 'Bare', aware_at: '2019-11-14T16:00:00Z' });
    await expect(buildNotices(ctx, bare, { shopAddress: 'shop.example.com' })).rejects.toMatchObject({
      code: 'NOTICE_FACTS_MISSING',
      kind: 'conflict',
      next: { action: 'update_incident', incident_id: bare, fields: ['occurred_from', 'occurred_to', 'controller', 'contact_email'] },
    });
    await updateIncident(ctx, bare, { occurred_from: '2019-10-30T00:00:00Z', occurred_to: '2019-11-13T00:00:00Z', controller: 'Shop', contact_email: 'dpo@shop.example' });
    await expect(buildNotices(ctx, bare, { shopAddress: 'shop.example.com' })).rejects.toMatchObject({ code: 'NO_SCOPE_RUN' });
  });

  it('previews one notice per variant and locale as .eml and .html', async () => {
    const out = join(shop, `preview-${database().dialect}`);
    const { files } = await previewNotices(ctx, id, { outDir: out });
    expect(new Set(files.map((f) => `${f.variant} ${f.locale}`)).size).toBe(files.length);
    const built = await ctx.db.selectFrom('notices').select('variant').distinct().where('incident_id', '=', id).execute();
    expect(new Set(files.map((f) => f.variant))).toEqual(new Set(built.map((row) => row.variant)));
    for (const variant of ['gdpr', 'us-ca', 'us-ma', 'ch-fadp', 'br-lgpd']) expect(files.map((f) => f.variant)).toContain(variant);
    const french = files.find((f) => f.locale === 'fr')!;
    const eml = await PostalMime.parse(readFileSync(french.eml));
    expect(eml.subject).toMatch(/^Incident de sécurité/);
    expect(eml.from).toEqual({ name: DEMO_INCIDENT.controller, address: DEMO_INCIDENT.contact_email });
    expect(readFileSync(french.html, 'utf8')).toContain('<html');
  });
});
