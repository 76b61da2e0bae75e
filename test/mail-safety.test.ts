import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { sendCampaign } from '../src/delivery/campaign.ts';
import { dkimDnsRecord, loadDkimKey } from '../src/mail/dkim.ts';
import { INVALID_RECIPIENT } from '../src/mail/recipient.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { buildNotices } from '../src/notices/build.ts';
import { importRecords, listQuarantine } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { approveAsPrivacyOfficer, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-mail-safety-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The address: each of U+010D U+010A U+013A U+0120 U+0140 kept only its low byte under latin1: CR LF : space @. */
const INJECTED = 'y\u010d\u010aBcc\u013a\u0120a\u0140ev.il\u010d\u010a\u010d\u010aPay\u0120ev.il@example.com';
/** A name with an OSC 52 clipboard write, a C1 CSI and a right-to-left override: for the operator's terminal. */
const TERMINAL_NAME = 'Ana\x1b]52;c;cHduZWQ=\x07\u009b2J\u202eSmith';
const ORDERS: [order: string, email: string, name: string][] = [
  ['SO1', INJECTED, 'Pay at http://ev.il/'],
  ['SO2', 'bob\r\nBcc: victim@example.org\r\n@example.com', 'Bob'],
  ['SO3', 'jörg@example.de', 'Jörg Müller'],
  ['SO4', 'ana@example.org', TERMINAL_NAME],
  ['SO5', '用户@example.com', '王芳'],
  ['SO6', 'eve\u202e@example.com', 'Eve'],
  ['SO7', 'zoe@example.org', 'Zoé'],
];
const FROM = 'Example Phone Shop <notices@shop.example.com>';
/** Every header a notice has: DKIM-Signature first. */
const HEADERS = ['dkim-signature', 'from', 'reply-to', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-language', 'auto-submitted', 'content-type'];

const csvCell = (value: string) => `"${value.replaceAll('"', '""')}"`;
const orders = join(dir, 'orders.csv');
const log = join(dir, 'access.log');
const rules = join(dir, 'scope.yml');
const keyFile = join(dir, 'dkim.pem');

beforeAll(() => {
  writeFileSync(orders, ['order_id,email,name,locale', ...ORDERS.map(([order, email, name]) => `${order},${csvCell(email)},${csvCell(name)},de`)].join('\r\n'));
  writeFileSync(log, ORDERS.map(([order], i) => `198.51.100.7 - - [05/Nov/2019:10:00:0${i} +0000] "GET /api/orders/${order} HTTP/1.1" 200 512 "-" "python-requests/2.22"\n`).join(''));
  writeFileSync(
    rules,
    ['rules:', '  - name: order-api', '    request: GET /api/orders/:order_id', '    exposes: [name, email]', 'indicators:', '  ips: ["198.51.100.7"]', '  from: 2019-10-30T00:00:00Z', '  until: 2019-11-13T23:59:59Z', ''].join('\n'),
  );
  writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
});

describeEachDatabase('addresses and names on their way to a mail header and a terminal', (database) => {
  let ctx: OpenContext;
  let id: string;
  let server: TestSmtpServer;
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createDemoIncident(ctx));
    server = await startSmtpServer();
  });
  afterAll(async () => {
    await ctx?.close();
    await server?.close();
  });

  it('quarantines the rows whose address holds a control character, with their line, and imports the others', async () => {
    const summary = await importRecords(ctx, id, orders, { key: 'order_id', subject: 'email', locale: 'locale', map: { name: 'name', email: 'email' }, ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    expect(summary).toMatchObject({ imported: 5, quarantined: 2 });
    const quarantined = await listQuarantine(ctx, id);
    // SO2's quoted line breaks take lines 3 to 5.
    expect(quarantined.map((entry) => [entry.line, entry.reason])).toEqual([
      [3, "column 'email' is not an email address"],
      [9, "column 'email' is not an email address"],
    ]);
  });

  it('builds every notice, and stores one whose address a database from before the strict rule holds as failed, never to be sent', async () => {
    await runScope(ctx, id, { rulesPath: rules, logs: [log] });
    expect(await buildNotices(ctx, id, { shopAddress: 'shop.example.com' })).toMatchObject({ added: 5, refused: 0 });
    // As an import made before addresses were checked strictly left it, and a scope run copied it onto the affected row (notices address people from there).
    const hostile = 'mallory\r\nBcc: victim@example.org\r\n@example.com';
    await ctx.db.updateTable('records').set({ email: hostile }).where('incident_id', '=', id).where('key', '=', 'SO5').execute();
    await ctx.db.updateTable('affected').set({ email: hostile }).where('incident_id', '=', id).where('subject', '=', '用户@example.com').execute();
    expect(await buildNotices(ctx, id, { shopAddress: 'shop.example.com' })).toMatchObject({ updated: 5, refused: 1, total: 5 });
    const refused = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('subject', '=', '用户@example.com').executeTakeFirstOrThrow();
    expect(refused).toMatchObject({ state: 'failed', last_reply: INVALID_RECIPIENT, attempts: 0 });
  });

  it('sends each notice to exactly its one recipient, over SMTPUTF8 when the address needs it, signed so that DKIM passes; the refused ones never', async () => {
    // A notice built by an older Tocsin, queued with an address the rule now refuses: send meets it.
    await ctx.db.updateTable('notices').set({ email: 'zoe\u2028@example.org' }).where('incident_id', '=', id).where('subject', '=', 'zoe@example.org').execute();
    await approveAsPrivacyOfficer(ctx, id);
    const summary = await sendCampaign(ctx, id, { from: FROM, transport: `smtp://127.0.0.1:${server.port}`, rate: 0, perDomain: 0, dkim: { domain: 'shop.example.com', selector: 'tocsin', keyFile } });
    expect(summary.run).toMatchObject({ sent: 3, bounced: 0, failed: 1 });
    expect(summary.states).toMatchObject({ sent: 3, failed: 2 });
    const zoe = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', id).where('subject', '=', 'zoe@example.org').executeTakeFirstOrThrow();
    expect(zoe).toMatchObject({ state: 'failed', last_reply: INVALID_RECIPIENT, attempts: 0, sent_at: null });
    const record = dkimDnsRecord(loadDkimKey('shop.example.com', 'tocsin', keyFile));
    const resolver = async (name: string) => (name === record.name ? [[record.value]] : []);
    const expected = [INJECTED, 'jörg@example.de', 'ana@example.org'];
    expect(server.received.map((message) => message.rcptTo)).toEqual(expect.arrayContaining(expected.map((to) => [to])));
    expect(server.received).toHaveLength(3);
    for (const message of server.received) {
      expect(message.smtpUtf8).toBe(/[^\x00-\x7f]/.test(message.to));
      const parsed = await PostalMime.parse(message.raw);
      expect(parsed.to).toEqual([{ address: message.to, name: '' }]);
      expect(parsed.bcc).toBeUndefined();
      expect(parsed.headers.map((header) => header.key)).toEqual(HEADERS);
      expect(parsed.text).not.toMatch(/Pay|ev\.il|\x1b/);
      const { results } = await dkimVerify(message.raw, { resolver } as Parameters<typeof dkimVerify>[1]);
      expect(results.map((result) => result.status.result)).toEqual(['pass']);
    }
    const injected = server.received.find((message) => message.to === INJECTED)!;
    expect((await PostalMime.parse(injected.raw)).text).toContain('\nSehr geehrte Kundin, sehr geehrter Kunde,\n');
  });

  it('previews the bytes send sent: the same message but for the DKIM signature and the date', async () => {
    const out = join(dir, `preview-${database().dialect}`);
    const result = await tocsinMain(['notices', 'preview', id, '--email', 'JÖRG@example.de', '--from', FROM, '--out', out, '--json'], { database: database().config });
    expect(result.status).toBe(0);
    const [file] = JSON.parse(result.stdout).files;
    const sent = server.received.find((message) => message.to === 'jörg@example.de')!.raw;
    const unsigned = sent.subarray(sent.indexOf('\r\nFrom: ') + 2);
    const withoutDate = (raw: Buffer) => raw.toString('utf8').replace(/^Date: .*\r\n/m, '');
    expect(withoutDate(readFileSync(file.eml))).toBe(withoutDate(unsigned));
  });

  it("keeps data's control characters off the operator's terminal, and exact in files", async () => {
    const cli = (...args: string[]) => tocsinMain(args, { database: database().config });
    const raw = /[\x1b\x07\u009b\u202e]/;
    for (const args of [['affected', id], ['affected', id, '--format', 'json'], ['delivery', id], ['delivery', id, '--format', 'csv'], ['delivery', id, '--json'], ['delivery', id, '--unreached']]) {
      const result = await cli(...args);
      expect(result.status, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).not.toMatch(raw);
    }
    expect((await cli('affected', id)).stdout).toContain('Ana\uFFFD]52;c;cHduZWQ=\uFFFD2J\uFFFDSmith');
    const json = (await cli('affected', id, '--format', 'json')).stdout;
    expect(JSON.parse(json).subjects.find((subject: { subject: string }) => subject.subject === 'ana@example.org').name).toBe(TERMINAL_NAME);
    const file = join(dir, `affected-${database().dialect}.csv`);
    expect((await cli('affected', id, '--out', file)).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(TERMINAL_NAME);
    const bad = await cli('explain', id, 'x\x1b]52;c;cHduZWQ=\x07@example.com');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("is not an email address");
    expect(bad.stderr).not.toMatch(raw);
  });
});
