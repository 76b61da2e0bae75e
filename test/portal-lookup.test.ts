import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { pino } from 'pino';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configWith } from '../src/config.ts';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { enqueuePortalAnswers, startJobRunner, type JobRunner } from '../src/jobs/index.ts';
import { dkimDnsRecord, loadDkimKey } from '../src/mail/index.ts';
import { buildNotices } from '../src/notices/build.ts';
import { keyedHash } from '../src/lib/keyed-hash.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { answerableIncidents, issueFormToken } from '../src/portal/index.ts';
import { importRecords } from '../src/records/import.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/delivery.ts';
import { kolmogorovSmirnov } from './helpers/kolmogorov-smirnov.ts';
import { startTestListeners } from './helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-lookup-'));
const shop = join(dir, 'shop');
const keyFile = join(dir, 'dkim.pem');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 2000, logLines: 20_000, seed: 5 });
  writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
});

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const CODE = /\b[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}\b/;
/** Requests of the enumeration test for each kind of address. */
const ROUNDS = 60;

describeEachDatabase('"Was I affected?"', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let smtp: TestSmtpServer;
  let runner: JobRunner;
  let logged = '';
  /** A clock the test moves: windows and the one-answer-a-day period pass when it says. */
  let now = new Date('2026-03-02T09:00:00.000Z');
  /** Affected people (their notices' addresses), customers of the shop that nothing exposed, and nobody's addresses. */
  let affected: string[];
  let customers: string[];
  let strangerCount = 0;
  const stranger = () => `stranger-${++strangerCount}@example.org`;
  const takeAffected = () => affected.pop()!;
  const takeCustomer = () => customers.pop()!;

  beforeAll(async () => {
    // Refuses the addresses the batch tests say no mailbox has, and defers twice those they say are slow.
    const deferred = new Map<string, number>();
    smtp = await startSmtpServer({
      rcpt: (address) => (address.startsWith('refused-') ? { responseCode: 550, message: 'no such mailbox' } : undefined),
      data: (to) => {
        if (!to.startsWith('deferred-') || (deferred.get(to) ?? 0) >= 2) return undefined;
        deferred.set(to, (deferred.get(to) ?? 0) + 1);
        return { responseCode: 451, message: 'try again later' };
      },
    });
    const sink = new Writable({ write: (chunk, _encoding, done) => void ((logged += String(chunk)), done()) });
    const config = configWith({
      data_dir: database().config.dataDir,
      database_url: database().config.databaseUrl,
      shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] },
      sender: { from: 'help@shop.example.com', dkim: { domain: 'shop.example.com', selector: 'tocsin', key_file: keyFile } },
      smtp: { url: `smtp://127.0.0.1:${smtp.port}` },
      trust_proxy: ['127.0.0.1'],
      portal: { lookup_address: { requests: 1000, seconds: 3600 }, lookup_global: { requests: 100_000, seconds: 60 } },
    });
    ctx = await database().context({ config, logger: pino({ level: 'trace' }, sink), now: () => now });
    const { id } = await createDemoIncident(ctx);
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name)) });
    await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
    // Before any notice went out, the incident is nobody's answer.
    expect(await answerableIncidents(ctx)).toEqual([]);
    await ctx.db.updateTable('notices').set({ state: 'sent', sent_at: '2026-03-01T10:00:00.000Z' }).where('incident_id', '=', id).where('seq', '=', 1).execute();
    expect(await answerableIncidents(ctx)).toEqual([id]);
    affected = (await ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', id).orderBy('seq', 'desc').execute()).map((row) => row.subject);
    customers = (
      await ctx.db
        .selectFrom('records')
        .select('subject')
        .distinct()
        .where('incident_id', '=', id)
        .where('subject', 'not in', ctx.db.selectFrom('notices').select('subject').where('incident_id', '=', id))
        .orderBy('subject')
        .execute()
    ).map((row) => row.subject);
    expect(affected.length).toBeGreaterThan(ROUNDS + 10);
    expect(customers.length).toBeGreaterThan(ROUNDS + 10);
    listeners = await startTestListeners(ctx);
    // The lane `tocsin serve` gives the answers: a runner that takes portal_answer jobs and nothing else, several at once.
    runner = startJobRunner(ctx, { pollMs: 20, kinds: ['portal_answer'], concurrency: 16 });
  });
  afterAll(async () => {
    await runner?.stop();
    await listeners?.close();
    await smtp?.close();
    await ctx?.close();
  });

  const lookup = (body: unknown, headers: Record<string, string> = {}, client = '198.51.100.7', base = listeners.publicUrl) =>
    fetch(`${base}/api/portal/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client, ...headers }, body: JSON.stringify(body) });

  /** Once every queued answer has been dealt with: the messages received since `before`. */
  async function answered(before: number) {
    for (;;) {
      const waiting = await ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').where('state', 'in', ['queued', 'running']).execute();
      if (waiting.length === 0) break;
      await sleep(25);
    }
    const failed = await ctx.db.selectFrom('jobs').select(['error']).where('kind', '=', 'portal_answer').where('state', '!=', 'succeeded').execute();
    expect(failed).toEqual([]);
    return Promise.all(smtp.received.slice(before).map(async (message) => ({ ...message, parsed: await PostalMime.parse(message.raw) })));
  }

  async function dkimOf(raw: Buffer) {
    const record = dkimDnsRecord(loadDkimKey('shop.example.com', 'tocsin', keyFile));
    const resolver = async (name: string, type: string) => {
      if (name === record.name && type === 'TXT') return [[record.value]];
      throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
    };
    const { results } = await dkimVerify(raw, { resolver } as Parameters<typeof dkimVerify>[1]);
    return results.map((result) => result.status.result);
  }

  const verify = (email: string, code: string) =>
    fetch(`${listeners.publicUrl}/api/portal/verify`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.50' }, body: JSON.stringify({ email, code }) }).then((response) => response.json());

  it('mails the affected what was and was not exposed, everyone else "not affected", signed, each with a code /verify accepts', async () => {
    const before = smtp.received.length;
    const person = takeAffected();
    const customer = takeCustomer();
    const nobody = stranger();
    const french = takeCustomer();
    for (const [email, locale] of [[person, undefined], [customer, 'en-GB'], [nobody, undefined], [french, 'fr']] as const) {
      const response = await lookup({ email: ` ${email.toUpperCase()} `, locale });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ status: 'accepted' });
    }
    const messages = await answered(before);
    expect(messages.map((message) => message.to).sort()).toEqual([person, customer, nobody, french].sort());
    const to = (email: string) => messages.find((message) => message.to === email)!;

    const yes = to(person).parsed.text!;
    expect(yes).toContain('Yes. This address was involved in a security incident that we have told our customers about.');
    expect(yes).toContain('your email address');
    expect(yes).toMatch(/The following information was not involved:\n(\s+- .+\n)+/);
    expect(yes).toContain('dpo@');
    expect(yes).toContain('shop.example.com/verify');
    for (const [email, expected] of [[customer, 'No. This address was not affected'], [nobody, 'No. This address was not affected'], [french, "Non. Cette adresse n'a été concernée par aucun incident"]] as const) {
      const text = to(email).parsed.text!;
      expect(text, email).toContain(expected);
      expect(text).not.toMatch(/Between|Entre le/);
    }
    // One subject for every answer: a lock screen showing it tells nothing.
    expect(new Set([person, customer, nobody].map((email) => to(email).parsed.subject))).toEqual(new Set(['Your question: was your email address affected? – Example Phone Shop']));
    for (const message of messages) {
      expect(message.parsed.from?.address).toBe('help@shop.example.com');
      expect(await dkimOf(message.raw)).toEqual(['pass']);
      expect(message.parsed.html).toContain(message.parsed.text!.match(CODE)![0]);
      const code = message.parsed.text!.match(CODE)![0];
      expect(await verify(message.to, code)).toEqual({ genuine: true, sent_at: now.toISOString(), subject: message.parsed.subject });
      expect(await verify(stranger(), code)).toEqual({ genuine: false, typo: false });
    }
  });

  it('answers an address once a day: a second request is accepted alike and mails nothing, until the day is over', async () => {
    const email = takeCustomer();
    const before = smtp.received.length;
    expect((await lookup({ email })).status).toBe(202);
    expect(await answered(before)).toHaveLength(1);
    const again = await lookup({ email: email.toUpperCase() });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ status: 'accepted' });
    expect(await answered(before + 1)).toHaveLength(0);
    // Nor does a subaddress of the same mailbox: each variant would otherwise be one more letter to it.
    expect((await lookup({ email: email.replace('@', '+again@') })).status).toBe(202);
    expect(await answered(before + 1)).toHaveLength(0);
    const dayBefore = await ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').execute();
    now = new Date(now.getTime() + 25 * 3_600_000);
    expect((await lookup({ email })).status).toBe(202);
    const later = await answered(before + 1);
    expect(later.map((message) => message.to)).toEqual([email]);
    // The day's answers, which hold no address, are dropped once it is over; the new one stays.
    const kept = await ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').execute();
    expect(dayBefore.length).toBeGreaterThan(1);
    expect(kept.filter((job) => dayBefore.some((old) => old.id === job.id))).toEqual([]);
    expect(kept).toHaveLength(1);
  });

  it('sweeps past answers and request counts, skipping on PostgreSQL the rows a request holds rather than waiting on it', async () => {
    const longAgo = new Date(now.getTime() - 3 * 86_400_000).toISOString();
    const held = ['held', 'free'].map((name) => ({ hash: `sweep-test-${name}`, key: `lookup:sweep-test-${name}` }));
    await ctx.db.insertInto('portal_answered').values(held.map(({ hash }) => ({ address_hash: hash, answered_at: longAgo, job_id: 'sweep-test' }))).execute();
    await ctx.db.insertInto('portal_lookup_counts').values(held.map(({ key }) => ({ key, window_start: longAgo, count: 3 }))).execute();
    const left = async () => ({
      answered: (await ctx.db.selectFrom('portal_answered').select('address_hash').where('address_hash', 'like', 'sweep-test-%').orderBy('address_hash').execute()).map((row) => row.address_hash),
      counted: (await ctx.db.selectFrom('portal_lookup_counts').select('key').where('key', 'like', 'lookup:sweep-test-%').orderBy('key').execute()).map((row) => row.key),
    });
    /** A lookup answered over a minute later: its job sweeps first. */
    const sweepWithALookup = async () => {
      now = new Date(now.getTime() + 61_000);
      const before = smtp.received.length;
      expect((await lookup({ email: stranger() })).status).toBe(202);
      expect(await answered(before)).toHaveLength(1);
    };
    if (database().dialect !== 'postgres') {
      await sweepWithALookup();
      expect(await left()).toEqual({ answered: [], counted: [] });
      return;
    }
    // Another request holds one row of each table, as a claim or a count does while it commits.
    let release!: () => void;
    const releasing = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const locking = new Promise<void>((resolve) => (locked = resolve));
    const holding = ctx.db.transaction().execute(async (trx) => {
      await trx.selectFrom('portal_answered').select('address_hash').where('address_hash', '=', held[0].hash).forUpdate().execute();
      await trx.selectFrom('portal_lookup_counts').select('key').where('key', '=', held[0].key).forUpdate().execute();
      locked();
      await releasing;
    });
    await locking;
    try {
      // Answered while the rows are held: the sweep did not wait on them.
      await sweepWithALookup();
      expect(await left()).toEqual({ answered: [held[0].hash], counted: [held[0].key] });
    } finally {
      release();
      await holding;
    }
    await sweepWithALookup();
    expect(await left()).toEqual({ answered: [], counted: [] });
  });

  it('answers while other work waits in the queue: the answers’ runner takes nothing else', async () => {
    const other = { id: '00000000-0000-4000-8000-000000000001', kind: 'scope' as const, incident_id: null, params: '{}', state: 'queued' as const, actor: 'test', created_at: '2000-01-01T00:00:00.000Z', updated_at: '2000-01-01T00:00:00.000Z', attempts: 0 };
    await ctx.db.insertInto('jobs').values(other).execute();
    try {
      const before = smtp.received.length;
      expect((await lookup({ email: stranger() })).status).toBe(202);
      expect(await answered(before)).toHaveLength(1);
      expect((await ctx.db.selectFrom('jobs').select('state').where('id', '=', other.id).executeTakeFirstOrThrow()).state).toBe('queued');
    } finally {
      await ctx.db.deleteFrom('jobs').where('id', '=', other.id).execute();
    }
  });

  it('limits each client address (an IPv6 /64 as one) and everyone together: 429 with Retry-After, as JSON or as a page', async () => {
    // A minute into an hour no request has counted in yet.
    now = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000 + 60_000);
    const limited = await startTestListeners(ctx, { trust_proxy: ['127.0.0.1'], portal: { ...ctx.config.portal, lookup_address: { requests: 2, seconds: 3600 }, lookup_global: { requests: 5, seconds: 600 } } });
    try {
      const base = limited.publicUrl;
      const before = smtp.received.length;
      expect((await lookup({ email: stranger() }, {}, '2001:db8:5:6::1', base)).status).toBe(202);
      expect((await lookup({ email: stranger() }, {}, '2001:db8:5:6:ffff::2', base)).status).toBe(202);
      const refused = await lookup({ email: stranger() }, {}, '2001:db8:5:6::3', base);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBe(3540);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('THROTTLED');
      const page = await lookup({ email: stranger() }, { ...BROWSER, 'accept-language': 'de' }, '2001:db8:5:6::4', base);
      expect(page.status).toBe(429);
      expect(await page.text()).toContain('59 Minuten');
      // Three more clients fill the global window; the sixth request is refused whoever sends it.
      for (const client of ['192.0.2.10', '192.0.2.11', '192.0.2.12']) expect((await lookup({ email: stranger() }, {}, client, base)).status, client).toBe(202);
      const global = await lookup({ email: stranger() }, {}, '192.0.2.13', base);
      expect(global.status).toBe(429);
      expect(Number(global.headers.get('retry-after'))).toBe(540);
      // Refused requests queued nothing.
      expect(await answered(before)).toHaveLength(5);
      const metrics = await (await fetch(`${limited.staffUrl}/metrics`)).text();
      expect(metrics).toMatch(/tocsin_portal_lookups_total\{result="throttled"\} [1-9]/);
      expect(metrics).toMatch(/tocsin_portal_answers \d+/);
    } finally {
      await limited.close();
    }
  });

  it('refuses what is not one address with a 400, as JSON or as the error page', async () => {
    for (const email of ['not an address', 'a@b@c.example', 'x@example.com\r\nBcc: y@example.com', 'a'.repeat(65) + '@example.com', '']) {
      const response = await lookup({ email });
      expect(response.status, email).toBe(400);
      expect(JSON.stringify(await response.json())).not.toContain('example.com\r');
    }
    expect((await lookup({ email: 'a@example.com', extra: 1 })).status).toBe(400);
    const page = await fetch(`${listeners.publicUrl}/api/portal/lookup?lang=it`, {
      method: 'POST',
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.9' },
      body: `email=%3Cscript%3E&form_token=${issueFormToken(loadSecret(ctx.dataDir, ctx.config), '198.51.100.9', ctx.now())}`,
    });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('<html lang="it">');
    expect(html).not.toContain('<script>');
  });

  it('answers every address with the same bytes, and in times no test tells apart (enumeration)', async () => {
    const kinds = { affected: takeAffected, customer: takeCustomer, stranger } as const;
    // Affected people of every variant and language, strangers in any number: the job's work differs, the request's must not.
    const times: Record<keyof typeof kinds, number[]> = { affected: [], customer: [], stranger: [] };
    const seen = new Map<string, string[]>();
    const before = smtp.received.length;
    for (const html of [false, true]) {
      // Every round asks once for each kind, in a shuffled order, so the machine's ups and downs fall on all three alike.
      for (let round = 0; round < ROUNDS / 2; round++) {
        const order = (Object.keys(kinds) as (keyof typeof kinds)[]).sort(() => Math.random() - 0.5);
        for (const kind of order) {
          const email = kinds[kind]();
          const started = performance.now();
          const response = html
            ? await fetch(`${listeners.publicUrl}/api/portal/lookup?lang=fr`, {
                method: 'POST',
                headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.30', origin: listeners.publicUrl },
                body: new URLSearchParams({ email, locale: 'fr', form_token: issueFormToken(loadSecret(ctx.dataDir, ctx.config), '198.51.100.30', ctx.now()) }).toString(),
              })
            : await lookup({ email }, {}, '198.51.100.31');
          const body = await response.text();
          times[kind].push(performance.now() - started);
          const headers = [...response.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id').map(([name, value]) => `${name}: ${value}`);
          const shape = JSON.stringify([response.status, headers, body]);
          seen.set(`${html}`, [...(seen.get(`${html}`) ?? []), shape]);
        }
      }
    }
    for (const [html, shapes] of seen) {
      expect(new Set(shapes).size, `html ${html}`).toBe(1);
      expect(JSON.parse(shapes[0])[0]).toBe(202);
    }
    expect(JSON.parse(seen.get('true')![0])[2]).toContain('Nous avons envoyé la réponse à cette adresse');
    const pairs = [['affected', 'customer'], ['affected', 'stranger'], ['customer', 'stranger']] as const;
    for (const [a, b] of pairs) {
      const { statistic, pValue } = kolmogorovSmirnov(times[a], times[b]);
      const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1].toFixed(2);
      console.log(`[${database().dialect}] ${a} vs ${b}: D = ${statistic.toFixed(3)}, p = ${pValue.toFixed(3)} (medians ${median(times[a])} / ${median(times[b])} ms, n = ${times[a].length})`);
      expect(pValue, `${a} vs ${b}`).toBeGreaterThan(0.01);
    }
    // Every one of them was answered, the affected as affected.
    const messages = await answered(before);
    expect(messages).toHaveLength(ROUNDS * 3);
    expect(messages.filter((message) => message.parsed.text!.includes('Oui.') || message.parsed.text!.includes('Yes.'))).toHaveLength(ROUNDS);
  });

  it('answers lookups queued together as one batch: each job its own outcome, an address asked twice mailed once, a refused one failed alone and free to ask again', async () => {
    const [hit, twice, refused, customer] = [takeAffected(), stranger(), `refused-${stranger()}`, takeCustomer()];
    const asked = [hit, twice, twice, refused, customer];
    const before = smtp.received.length;
    const loggedBefore = logged.length;
    // Queued in one statement, as a group commit of lookups does: the runner claims them together.
    await enqueuePortalAnswers(ctx, asked.map((email) => ({ email, locale: 'en-GB' })));
    const jobs = await ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').where('state', 'in', ['queued', 'running']).orderBy('created_at').orderBy('id').execute();
    expect(jobs).toHaveLength(asked.length);
    let ended: { id: string; state: string; result: string | null; error: string | null }[] = [];
    for (; ended.length < jobs.length || ended.some((job) => job.state === 'queued' || job.state === 'running'); await sleep(25)) {
      ended = await ctx.db.selectFrom('jobs').select(['id', 'state', 'result', 'error']).where('id', 'in', jobs.map((job) => job.id)).execute();
    }
    const failed = ended.filter((job) => job.state === 'failed');
    try {
      // Each job's own outcome (their ids, made in one millisecond, need not sort as queued): the address asked twice answered by one of its two.
      const outcomes = ended.map((job) => (job.state === 'succeeded' ? JSON.parse(job.result!) : { state: job.state, code: JSON.parse(job.error!).code }));
      expect(outcomes.map((outcome) => JSON.stringify(outcome)).sort()).toEqual(
        [{ answered: true }, { answered: true }, { answered: true }, { answered: false }, { state: 'failed', code: 'ANSWER_NOT_SENT' }].map((outcome) => JSON.stringify(outcome)).sort(),
      );
      expect(logged.slice(loggedBefore)).toMatch(/"jobs":5,[^\n]*"msg":"jobs started"/);
      expect(smtp.received.slice(before).map((message) => message.to).sort()).toEqual([hit, twice, customer].sort());
      // The refused address's claim and code are gone with its letter: it may ask again, and no code of it checks out.
      const secret = loadSecret(ctx.dataDir, ctx.config);
      const claimOf = (email: string) => ctx.db.selectFrom('portal_answered').select('job_id').where('address_hash', '=', keyedHash(secret, 'tocsin/portal-lookup-address', email)).executeTakeFirst();
      const answeredBy = ended.filter((job) => job.result === JSON.stringify({ answered: true })).map((job) => job.id);
      for (const email of [hit, twice, customer]) expect(answeredBy).toContain((await claimOf(email))?.job_id);
      expect(await claimOf(refused)).toBeUndefined();
      expect((await ctx.db.selectFrom('portal_answers').select('sent_at').where('sent_at', '=', now.toISOString()).execute()).length).toBeGreaterThanOrEqual(3);
    } finally {
      // The other tests count every answer's job that did not succeed.
      for (const job of failed) await ctx.db.deleteFrom('jobs').where('id', '=', job.id).execute();
    }
  });

  it('ends each job of a batch as its own letter goes: one deferred and sent again holds up no other', async () => {
    const slow = `deferred-${stranger()}`;
    const others = [stranger(), takeCustomer()];
    const before = smtp.received.length;
    await enqueuePortalAnswers(ctx, [slow, ...others].map((email) => ({ email, locale: 'en-GB' })));
    const jobs = await ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'portal_answer').where('state', 'in', ['queued', 'running']).execute();
    expect(jobs).toHaveLength(3);
    const states = () => ctx.db.selectFrom('jobs').select('state').where('id', 'in', jobs.map((job) => job.id)).execute().then((rows) => rows.map((row) => row.state).sort());
    // The slow letter is tried again after 2.5–5 s and then 5–10 s; the two others' jobs end meanwhile.
    while ((await states()).filter((state) => state === 'succeeded').length < 2) await sleep(25);
    expect(await states()).toEqual(['running', 'succeeded', 'succeeded']);
    expect(smtp.received.slice(before).map((message) => message.to).sort()).toEqual([...others].sort());
    while ((await states()).includes('running')) await sleep(100);
    expect(await states()).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(smtp.received.slice(before).map((message) => message.to).sort()).toEqual([slow, ...others].sort());
  }, 60_000);

  it('keeps no address in clear once answered, and logs none', async () => {
    const jobs = await ctx.db.selectFrom('jobs').select(['params', 'result']).where('kind', '=', 'portal_answer').execute();
    expect(jobs.length).toBeGreaterThan(ROUNDS * 3);
    expect(new Set(jobs.map((job) => job.params))).toEqual(new Set(['{}']));
    const stored = JSON.stringify([
      jobs,
      await ctx.db.selectFrom('portal_answered').selectAll().execute(),
      await ctx.db.selectFrom('portal_answers').selectAll().execute(),
      await ctx.db.selectFrom('portal_lookup_counts').selectAll().execute(),
    ]);
    expect(stored).not.toMatch(/@/);
    expect(logged).not.toMatch(/@example\.org|stranger-/);
    for (const email of smtp.received.map((message) => message.to)) expect(logged).not.toContain(email);
  });
});
