import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { recipientAddress } from '../src/mail/recipient.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { campaignOfDemoShop, dsn, spawnTocsin, startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-delivery-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEachDatabase('tocsin send, delivery and bounces', (database) => {
  let ctx: OpenContext;
  let id: string;
  let notices: { seq: number; subject: string; email: string }[];
  const run = (...args: string[]) => tocsinMain(args, { database: database().config });
  const outbox = () => join(dir, `outbox-${database().dialect}`);

  beforeAll(async () => {
    ctx = await database().context();
    id = await campaignOfDemoShop(ctx, join(dir, `shop-${database().dialect}`), 3000);
    notices = await ctx.db.selectFrom('notices').select(['seq', 'subject', 'email']).where('incident_id', '=', id).orderBy('seq').execute();
  });
  afterAll(() => ctx?.close());

  it('sends into an outbox and shows each notice as a table, CSV and JSON', async () => {
    const sent = await run('send', id, '--from', 'notices@shop.example.com', '--transport', `file:${outbox()}`, '--json');
    expect(sent.status, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ completed: true, run: { sent: notices.length }, transport: `file:${outbox()}` });
    expect(readdirSync(outbox())).toHaveLength(notices.length);

    const csv = await run('delivery', id, '--format', 'csv');
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,email,locale,state,attempts,sent_at,last_reply,message_id');
    expect(lines).toHaveLength(notices.length + 1);
    expect(lines[1]).toMatch(new RegExp(`^1,${notices[0].email.replace(/[.+]/g, '\\$&')},[a-zA-Z-]+,sent,1,\\d{4}-\\d\\d-\\d\\dT[^,]+,written to [^,]+\\.eml,<${id}\\.1\\.`));

    const json = JSON.parse((await run('delivery', id, '--json')).stdout);
    expect(json).toMatchObject({ incident_id: id, total: notices.length, done: notices.length, states: { sent: notices.length }, senders: [] });
    expect(json.notices).toHaveLength(notices.length);
    // The proof carries the audit head it was made at: a copy kept elsewhere checks the trail later.
    const { audit_seq } = await ctx.db.selectFrom('incidents').select('audit_seq').where('id', '=', id).executeTakeFirstOrThrow();
    expect(json.audit_checkpoint).toMatch(new RegExp(`^tocsin-audit-checkpoint/1 incident=${id} seq=${audit_seq} `));
    const proof = join(dir, `delivery-${database().dialect}.json`);
    expect((await run('delivery', id, '--json', '--out', proof)).status).toBe(0);
    expect(await run('audit', id, '--verify', '--against', proof)).toMatchObject({ status: 0 });

    const table = await run('delivery', id);
    expect(table.stdout).toContain(`done:        ${notices.length} of ${notices.length} (100%)`);
    expect(table.stdout).toMatch(/^SEQ +EMAIL +LOCALE +STATE +ATTEMPTS +SENT_AT +LAST_REPLY +MESSAGE_ID$/m);
  });

  it('takes the sender and the transport from tocsin.yml in the data directory, its flags winning', async () => {
    const settings = join(database().config.dataDir, 'tocsin.yml');
    const configured = join(dir, `configured-outbox-${database().dialect}`);
    writeFileSync(settings, `sender:\n  from: "Configured Shop <configured@shop.example.com>"\nsmtp:\n  url: file:${configured}\n`);
    try {
      expect(JSON.parse((await run('send', id, '--json')).stdout)).toMatchObject({ completed: true, transport: `file:${configured}` });
      expect(JSON.parse((await run('send', id, '--transport', `file:${outbox()}`, '--json')).stdout)).toMatchObject({ transport: `file:${outbox()}` });
      const previews = join(dir, `previews-${database().dialect}`);
      expect((await run('notices', 'preview', id, '--email', notices[0].email, '--out', previews)).status).toBe(0);
      const eml = readdirSync(previews).find((name) => name.endsWith('.eml'))!;
      expect(readFileSync(join(previews, eml), 'utf8')).toMatch(/^From: Configured Shop <configured@shop\.example\.com>\r$/m);
      const shown = JSON.parse((await run('config', 'show', '--json')).stdout);
      expect(shown.file).toBe(settings);
      expect(shown.settings).toContainEqual({ key: 'sender.from', value: 'Configured Shop <configured@shop.example.com>', source: 'file' });
      expect(shown.settings).toContainEqual({ key: 'data_dir', value: database().config.dataDir, source: 'env' });

      writeFileSync(settings, 'sender:\n  form: typo@shop.example.com\n');
      const refused = await run('send', id, '--json');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe(`tocsin: ${settings}, line 2: sender.form: unknown key; the keys are sender.from, sender.dkim\n`);
      expect(JSON.parse(refused.stdout)).toEqual({ error: { code: 'CONFIG_INVALID', kind: 'invalid', message: refused.stderr.slice('tocsin: '.length, -1) } });
    } finally {
      rmSync(settings);
    }
  });

  it('marks notices bounced from a report file and an mbox of two, and lists who to reach by letter', async () => {
    const [byMessageId, byHeaders, byRecipient] = await Promise.all(
      notices.slice(0, 3).map((notice) => ctx.db.selectFrom('notices').select(['subject', 'email', 'message_id']).where('incident_id', '=', id).where('seq', '=', notice.seq).executeTakeFirstOrThrow()),
    );
    const single = join(dir, `bounce-${database().dialect}.eml`);
    // Forwarded on: the report names another address, the returned message names the notice.
    writeFileSync(single, dsn({ recipient: 'forwarded@elsewhere.example', status: '5.1.1', diagnostic: '550 5.1.1 User unknown', messageId: byMessageId.message_id!, returned: 'message' }));
    const mbox = join(dir, `bounces-${database().dialect}.mbox`);
    writeFileSync(
      mbox,
      [
        'From MAILER-DAEMON Fri Nov 15 10:02:03 2019',
        dsn({ recipient: byHeaders.email, status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full', messageId: byHeaders.message_id!, returned: 'headers' }),
        'From MAILER-DAEMON Fri Nov 15 10:05:00 2019',
        dsn({ recipient: byRecipient.email.toUpperCase(), status: '5.1.1', diagnostic: '550 5.1.1 No such user', returned: 'none' }),
      ].join('\r\n'),
    );
    const stranger = join(dir, `stranger-${database().dialect}.eml`);
    writeFileSync(stranger, dsn({ recipient: 'nobody@nowhere.example', status: '5.1.1', diagnostic: '550 5.1.1 No such user', returned: 'none' }));

    const imported = await run('bounces', id, single, mbox, stranger, '--json');
    expect(imported.status, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout);
    expect(result).toMatchObject({ bounced: 3, already_bounced: 0, not_reports: 0, unmatched: [{ file: stranger, message: 1, recipient: 'nobody@nowhere.example' }] });
    expect(result.files.map((file: { messages: number }) => file.messages)).toEqual([1, 2, 1]);
    const bounced = await ctx.db.selectFrom('notices').select(['subject', 'last_reply', 'sent_at']).where('incident_id', '=', id).where('state', '=', 'bounced').orderBy('seq').execute();
    expect(bounced.map((notice) => [notice.subject, notice.last_reply])).toEqual([
      [byMessageId.subject, 'bounce report: 5.1.1 smtp; 550 5.1.1 User unknown'],
      [byHeaders.subject, 'bounce report: 5.2.2 smtp; 552 5.2.2 Mailbox full'],
      [byRecipient.subject, 'bounce report: 5.1.1 smtp; 550 5.1.1 No such user'],
    ]);
    for (const notice of bounced) expect(notice.sent_at).not.toBeNull();
    expect(JSON.parse((await run('bounces', id, single, mbox, '--json')).stdout)).toMatchObject({ bounced: 0, already_bounced: 3 });

    const unreached = await run('delivery', id, '--unreached', '--format', 'csv');
    const rows = unreached.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toBe('email,name,postal_address,state,last_reply');
    expect(rows).toHaveLength(4);
    for (const notice of [byMessageId, byHeaders, byRecipient]) {
      const record = await ctx.db.selectFrom('records').select('fields').where('incident_id', '=', id).where('subject', '=', notice.subject).executeTakeFirstOrThrow();
      const { postal_address } = JSON.parse(record.fields);
      expect(postal_address).toBeTruthy();
      expect(rows.find((row) => row.startsWith(`${notice.email},`))).toContain(postal_address.split('\n')[0]);
    }

    // An address of several lines in one cell keeps the table one line per person, and CSV's quoting.
    const lines = 'Na Příkopě 1\r\nbyt 4\nPraha';
    await ctx.db.updateTable('records').set({ fields: JSON.stringify({ name: 'Antonín Dvořák', postal_address: lines }) }).where('incident_id', '=', id).where('subject', '=', byHeaders.subject).execute();
    const table = await run('delivery', id, '--unreached');
    expect(table.status, table.stderr).toBe(0);
    const [count, header, ...people] = table.stdout.trimEnd().split('\n');
    expect(count).toBe('3 people not reached');
    expect(header).toMatch(/^EMAIL +NAME +POSTAL_ADDRESS +STATE +LAST_REPLY$/);
    expect(people).toHaveLength(3);
    expect(people.find((row) => row.startsWith(`${byHeaders.email} `))).toMatch(/ Antonín Dvořák +Na Příkopě 1, byt 4, Praha +bounced +bounce report/);
    // On the terminal a cell's control characters are replaced; a file keeps the data exactly.
    const csv = join(dir, `unreached-${database().dialect}.csv`);
    expect((await run('delivery', id, '--unreached', '--format', 'csv', '--out', csv)).status).toBe(0);
    expect(readFileSync(csv, 'utf8')).toContain(`"Na Příkopě 1\r\nbyt 4\nPraha"`);
  });

  it('stops cleanly on SIGTERM, leaving nothing in sending, and resumes to the end', async () => {
    await ctx.db.updateTable('notices').set({ state: 'queued', attempts: 0, sent_at: null, last_reply: null }).where('incident_id', '=', id).execute();
    let server: TestSmtpServer | undefined;
    try {
      server = await startSmtpServer();
      const args = ['send', id, '--from', 'notices@shop.example.com', '--transport', `smtp://127.0.0.1:${server.port}`, '--per-domain', '0'];
      const slow = spawnTocsin([...args, '--rate', '20'], database().config);
      while (server.received.length < 30) await new Promise((resolve) => setTimeout(resolve, 10));
      slow.kill('SIGTERM');
      const stopped = await slow.exited;
      expect(stopped.code, stopped.stderr).toBe(143);
      expect(stopped.stderr).toContain('SIGTERM: stopping');
      const states = await ctx.db.selectFrom('notices').select('state').where('incident_id', '=', id).execute();
      expect(states.filter((notice) => notice.state === 'sending')).toHaveLength(0);
      expect(states.filter((notice) => notice.state === 'sent')).toHaveLength(server.received.length);
      expect(server.received.length).toBeLessThan(notices.length);

      const resumed = await spawnTocsin([...args, '--rate', '0'], database().config).exited;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(server.received.map((message) => message.to).sort()).toEqual(notices.map((notice) => recipientAddress(notice.email)!).sort());
    } finally {
      await server?.close();
    }
  });

  it('logs in to SMTP with a password from a file or the environment, never from the command line', async () => {
    await ctx.db.updateTable('notices').set({ state: 'queued', attempts: 0, sent_at: null, last_reply: null }).where('incident_id', '=', id).execute();
    let server: TestSmtpServer | undefined;
    try {
      server = await startSmtpServer({}, { login: { user: 'mailer@shop', password: 's3cret pass' } });
      const send = (args: string[], env: Record<string, string> = {}) => tocsinMain(args, { database: database().config, env });
      const args = ['send', id, '--from', 'notices@shop.example.com', '--transport', `smtp://mailer%40shop@127.0.0.1:${server.port}`, '--rate', '0', '--per-domain', '0'];
      // As `echo 's3cret pass' > file` writes it: the newline is not part of the password.
      const file = join(dir, `smtp-password-${database().dialect}`);
      writeFileSync(file, 's3cret pass\n', { mode: 0o600 });

      const sent = await send([...args, '--smtp-password-file', file]);
      expect(sent.status, sent.stderr).toBe(0);
      expect(sent.stderr).not.toContain('warning');
      expect(server.received).toHaveLength(notices.length);
      expect(server.logins.length).toBeGreaterThan(0);
      expect(server.logins.every((login) => login.accepted)).toBe(true);

      chmodSync(file, 0o644);
      expect((await send([...args, '--smtp-password-file', file])).stderr).toContain(`tocsin: warning: ${file} holds the SMTP password and other users may read it (mode 644); chmod 600 ${file}\n`);

      const logins = server.logins.length;
      const fromEnv = await send(args, { TOCSIN_SMTP_PASSWORD: 's3cret pass' });
      expect(fromEnv.status, fromEnv.stderr).toBe(0);
      expect(server.logins.slice(logins)).toContainEqual({ user: 'mailer@shop', password: 's3cret pass', accepted: true });
      const wrong = await send(args, { TOCSIN_SMTP_PASSWORD: 'wrong' });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/^tocsin: cannot send through smtp:\/\/mailer%40shop@127\.0\.0\.1:\d+: .*535.*; check --transport \(host, port, user and password\)[^\n]*\n$/);

      chmodSync(file, 0o600);
      const twice = await run('send', id, '--from', 'notices@shop.example.com', '--transport', `smtp://mailer:inline@127.0.0.1:${server.port}`, '--smtp-password-file', file);
      expect(twice).toMatchObject({ status: 2, stderr: `tocsin: the SMTP password is both in --transport and in --smtp-password-file ${file}; keep only --smtp-password-file ${file}, which ps does not show\n` });
      const noUser = await tocsinMain(['send', id, '--from', 'notices@shop.example.com', '--transport', `smtp://127.0.0.1:${server.port}`], { database: database().config, env: { TOCSIN_SMTP_PASSWORD: 'x' } });
      expect(noUser).toMatchObject({ status: 2, stderr: 'tocsin: TOCSIN_SMTP_PASSWORD gives an SMTP password, but --transport names no user; write smtp://user@host\n' });
      const missing = await run(...args, '--smtp-password-file', join(dir, 'no-such-file'));
      expect(missing).toMatchObject({ status: 2, stderr: `tocsin: cannot read ${join(dir, 'no-such-file')} (ENOENT); give --smtp-password-file a file that holds the SMTP password\n` });
    } finally {
      await server?.close();
    }
  });

  it('answers a wrong transport, an incomplete DKIM setting and an unknown incident with one line each', async () => {
    const badTransport = await run('send', id, '--from', 'notices@shop.example.com', '--transport', 'http://mail.example.com');
    expect(badTransport).toMatchObject({ status: 2, stderr: "tocsin: --transport 'http://mail.example.com' is not an SMTP URL; use smtp://[user:password@]host[:port], smtps://… or file:DIR\n" });
    const noKey = await run('send', id, '--from', 'notices@shop.example.com', '--dkim-domain', 'shop.example.com');
    expect(noKey).toMatchObject({ status: 2, stderr: 'tocsin: DKIM signing needs --dkim-domain, --dkim-selector and --dkim-key together\n' });
    const refused = await run('send', id, '--from', 'notices@shop.example.com', '--transport', 'smtp://127.0.0.1:1');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^tocsin: cannot send through smtp:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1 \(ESOCKET\); check --transport/);
    expect((await run('delivery', 'zzzzzz')).stderr).toBe("tocsin: no incident 'zzzzzz'; the list of incidents shows the ids ('tocsin incident list')\n");
  });
});
