/**
 * Delivery speed beside a bare Nodemailer pool, and a crash campaign, in one run:
 *
 *   npm run bench:notify [-- --notices 100000 --kills 200 --workers 4 --crash-notices N]
 *
 * Into Postfix's smtp-sink (installed from Debian when missing), every message DKIM-signed
 * with a 2048-bit RSA key, through `--workers` SMTP connections:
 *
 * - the bare pool: a Nodemailer SMTP pool (same connections, same DKIM key) sending the same
 *   notices, rendered beforehand and untimed, with no persistence at all: `sendMail` with
 *   subject, text and HTML, as a script would. Rendering 100,000 notices ahead would hold
 *   gigabytes, so it cycles through 2,000 rendered ones, each sent to its own recipient with
 *   its own Message-ID;
 * - `tocsin send` as a child process, on SQLite and on PostgreSQL (TOCSIN_BENCH_DATABASE_URL,
 *   else TOCSIN_TEST_DATABASE_URL): wall time from start to exit, every state change committed;
 * - for scale: Tocsin's SMTP transport alone carrying the messages already built and signed
 *   (the ceiling of what `send` could reach, not a target);
 * - a crash campaign: `tocsin send` killed with SIGKILL `--kills` times at random moments and
 *   restarted, into an SMTP server in this process that counts what it accepts; then no
 *   notice may be missed, and duplicates may not exceed the notices in `sending` at the kills.
 *
 * The notices are synthetic (see notify-data.ts), seeded once into a SQLite database cached
 * in bench/.cache/notify/ and copied for each run; PostgreSQL gets them in a schema of its own.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import nodemailer, { type Transporter } from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { openContext, type OpenContext } from '../src/context.ts';
import { dkimSigner, loadDkimKey } from '../src/mail/dkim.ts';
import { noticeMessageId } from '../src/delivery/message-id.ts';
import { buildMessage } from '../src/mail/mime.ts';
import { openTransport, type OutgoingMessage } from '../src/mail/transport.ts';
import { composeNotice } from '../src/notices/compose.ts';
import { loadSecret } from '../src/lib/secret.ts';
import { incidentTemplates } from '../src/notices/templates.ts';
import { seedCampaign } from './notify-data.ts';
import { configWith } from '../src/config.ts';

const { values: args } = parseArgs({
  options: {
    notices: { type: 'string', default: '100000' },
    kills: { type: 'string', default: '200' },
    workers: { type: 'string', default: '4' },
    'crash-notices': { type: 'string' },
  },
});
const NOTICES = Number(args.notices);
const KILLS = Number(args.kills);
const WORKERS = Number(args.workers);
const CRASH_NOTICES = Number(args['crash-notices'] ?? args.notices);
const RENDERED_AHEAD = 2_000;
const FROM = { name: 'Example Phone Shop Ltd', address: 'notices@shop.example.com' };
const DKIM = { domain: 'shop.example.com', selector: 'bench' };
const POSTGRES_URL = process.env.TOCSIN_BENCH_DATABASE_URL ?? process.env.TOCSIN_TEST_DATABASE_URL;

const cache = fileURLToPath(new URL('./.cache/notify/', import.meta.url));
const tocsin = fileURLToPath(new URL('../bin/tocsin.js', import.meta.url));
const keyFile = join(cache, 'dkim-rsa-2048.pem');

interface Campaign {
  dataDir: string;
  databaseUrl?: string;
  incidentId: string;
  cleanUp(): Promise<void>;
}

function ensureSmtpSink(): void {
  if (existsSync('/usr/sbin/smtp-sink')) return;
  console.error('installing postfix (for smtp-sink) from Debian…');
  execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix'], { stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** smtp-sink takes every message and throws it away: the client's speed is all that is measured. */
async function startSmtpSink(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ['-u', 'postfix'] : [];
  const sink = spawn('/usr/sbin/smtp-sink', [...asRoot, `127.0.0.1:${port}`, '1000'], { stdio: 'ignore' });
  for (let tries = 0; !(await canConnect(port)); tries++) {
    if (tries > 100) throw new Error('smtp-sink did not start');
    await sleep(50);
  }
  return { port, stop: () => sink.kill() };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function ensureKey(): void {
  if (existsSync(keyFile)) return;
  mkdirSync(cache, { recursive: true });
  writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
}

/** A copy of the cached SQLite campaign of `count` notices (seeded the first time, or when the templates changed). */
async function sqliteCampaign(count: number): Promise<Campaign> {
  const seeded = join(cache, `sqlite-${count}`);
  const meta = join(seeded, 'campaign.json');
  const read = () => JSON.parse(readFileSync(meta, 'utf8')) as { incidentId: string; templatesSha256: string };
  const fresh = existsSync(meta) && read().templatesSha256 === incidentTemplates(seeded, read().incidentId).sha256;
  if (!fresh) {
    console.error(`seeding ${count.toLocaleString('en')} synthetic notices into SQLite (cached in ${seeded})…`);
    rmSync(seeded, { recursive: true, force: true });
    const ctx = await openContext({ config: configWith({ data_dir: seeded }), actor: 'bench' });
    try {
      writeFileSync(meta, JSON.stringify(await seedCampaign(ctx, count)));
    } finally {
      await ctx.close();
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-notify-'));
  cpSync(seeded, dataDir, { recursive: true });
  return { dataDir, incidentId: read().incidentId, cleanUp: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** The same campaign in a PostgreSQL schema of its own; the secret key comes along so the codes are the same. */
async function postgresCampaign(count: number): Promise<Campaign> {
  const schema = `tocsin_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-notify-pg-'));
  console.error(`seeding ${count.toLocaleString('en')} synthetic notices into PostgreSQL…`);
  const ctx = await openContext({ config: configWith({ data_dir: dataDir, database_url: url.toString() }), actor: 'bench' });
  const { incidentId } = await seedCampaign(ctx, count).finally(() => ctx.close());
  return {
    dataDir,
    databaseUrl: url.toString(),
    incidentId,
    cleanUp: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

interface Prepared {
  to: string;
  messageId: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  raw: Buffer;
}

/** The first RENDERED_AHEAD notices rendered, and built and signed as tocsin would send them. */
async function renderAhead(campaign: Campaign): Promise<{ prepared: Prepared[]; recipients: { to: string; messageId: string }[] }> {
  const ctx = await openContext({ config: configWith({ data_dir: campaign.dataDir }), actor: 'bench' });
  try {
    const rows = await ctx.db.selectFrom('notices').selectAll().where('incident_id', '=', campaign.incidentId).orderBy('seq').execute();
    const templates = incidentTemplates(ctx.dataDir, campaign.incidentId);
    const secret = loadSecret(ctx.dataDir, ctx.config);
    const sign = dkimSigner(loadDkimKey(DKIM.domain, DKIM.selector, keyFile));
    const recipients = rows.map((row) => ({ to: row.email, messageId: noticeMessageId(secret, row, 'shop.example.com') }));
    const prepared = rows.slice(0, RENDERED_AHEAD).map((row, i): Prepared => {
      const rendered = composeNotice(row, templates, secret);
      const date = new Date();
      const raw = sign(buildMessage({ ...rendered, from: FROM, replyTo: 'dpo@shop.example.com', to: row.email, messageId: recipients[i].messageId, date, locale: row.locale }), date);
      return { ...rendered, ...recipients[i], locale: row.locale, raw };
    });
    return { prepared, recipients };
  } finally {
    await ctx.close();
  }
}

/** Sends through a Nodemailer pool; returns seconds. */
async function barePool(port: number, count: number, send: (pool: Transporter, i: number) => Promise<unknown>): Promise<number> {
  const pool = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    maxConnections: WORKERS,
    maxMessages: Infinity,
    dkim: { domainName: DKIM.domain, keySelector: DKIM.selector, privateKey: readFileSync(keyFile, 'utf8') },
  });
  const seconds = await timedInFlight(count, (i) => send(pool, i));
  pool.close();
  return seconds;
}

/** Tocsin's own SMTP transport with as many messages in flight as `send` keeps: seconds. */
async function transportAlone(port: number, count: number, message: (i: number) => OutgoingMessage): Promise<number> {
  const transport = openTransport({ kind: 'smtp', host: '127.0.0.1', port, secure: false }, { connections: WORKERS });
  await transport.verify();
  const seconds = await timedInFlight(count, async (i) => {
    const result = await transport.deliver(message(i));
    if (result.kind !== 'accepted') throw new Error(`smtp-sink refused a message: ${result.reply}`);
  });
  await transport.close();
  return seconds;
}

/** Sends messages 0…count-1 with two per connection in flight, as tocsin does; returns seconds. */
async function timedInFlight(count: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS * 2 }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

function sendArgs(campaign: Campaign, port: number): string[] {
  return [tocsin, 'send', campaign.incidentId, '--from', `${FROM.name} <${FROM.address}>`, '--transport', `smtp://127.0.0.1:${port}`, '--rate', '0', '--per-domain', '0',
    '--dkim-domain', DKIM.domain, '--dkim-selector', DKIM.selector, '--dkim-key', keyFile, '--workers', String(WORKERS), '--json'];
}

function env(campaign: Campaign): NodeJS.ProcessEnv {
  return { ...process.env, TOCSIN_DATA_DIR: campaign.dataDir, DATABASE_URL: campaign.databaseUrl ?? '', CI: '1' };
}

/** `tocsin send` from start to exit; returns seconds. */
function tocsinSend(campaign: Campaign, port: number, count: number): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, sendArgs(campaign, port), { env: env(campaign), encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`tocsin send failed (${result.status}):\n${result.stderr}`);
  const summary = JSON.parse(result.stdout);
  if (summary.states.sent !== count) throw new Error(`tocsin send left ${count - summary.states.sent} notices unsent`);
  return seconds;
}

/** Kills `tocsin send` at random moments, restarting it each time, then lets it finish. */
async function crashCampaign(campaign: Campaign, count: number, kills: number) {
  const received = new Map<string, number>();
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0].address;
        received.set(to, (received.get(to) ?? 0) + 1);
        accepted++;
        callback();
      });
    },
  });
  server.on('error', () => {}); // a killed sender resets its connections
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const ctx: OpenContext = await openContext({ config: configWith({ data_dir: campaign.dataDir, database_url: campaign.databaseUrl }), actor: 'bench' });
  const started = performance.now();
  let inFlightAtKills = 0;
  let done = 0;
  // Half the campaign on average goes out between the kills, so that every kill comes before the end.
  const between = Math.max(2, Math.round(count / (kills + 1)));
  try {
    for (done = 0; done < kills; done++) {
      const child = spawn(process.execPath, sendArgs(campaign, port), { env: env(campaign), stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let finished = false;
      void exited.then(() => (finished = true));
      const killAt = accepted + randomInt(1, between);
      while (!finished && accepted < killAt) await sleep(1);
      child.kill('SIGKILL');
      if ((await exited) === 0) break;
      const sending = await ctx.db.selectFrom('notices').select((eb) => eb.fn.countAll<number>().as('count')).where('incident_id', '=', campaign.incidentId).where('state', '=', 'sending').executeTakeFirstOrThrow();
      inFlightAtKills += Number(sending.count);
      if ((done + 1) % 20 === 0) console.error(`  ${done + 1} kills, ${accepted.toLocaleString('en')} messages accepted`);
    }
    // Not spawnSync: the server answering it runs in this process.
    const last = spawn(process.execPath, sendArgs(campaign, port), { env: env(campaign), stdio: ['ignore', 'ignore', 'inherit'] });
    const status = await new Promise<number | null>((resolve) => last.on('exit', resolve));
    if (status !== 0) throw new Error(`the last tocsin send failed with status ${status}`);
    const notices = await ctx.db.selectFrom('notices').select(['email', 'state']).where('incident_id', '=', campaign.incidentId).execute();
    const missed = notices.filter((notice) => !received.has(notice.email)).length;
    const unsent = notices.filter((notice) => notice.state !== 'sent').length;
    return { kills: done, inFlightAtKills, missed, unsent, duplicates: accepted - received.size, seconds: (performance.now() - started) / 1000 };
  } finally {
    await ctx.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const perSecond = (count: number, seconds: number) => Math.round(count / seconds);

async function main(): Promise<void> {
  ensureSmtpSink();
  ensureKey();
  const sink = await startSmtpSink();
  const rows: [string, number][] = [];
  try {
    const sqlite = await sqliteCampaign(NOTICES);
    const { prepared, recipients } = await renderAhead(sqlite);
    console.error(`bare Nodemailer pool: ${NOTICES.toLocaleString('en')} messages, ${WORKERS} connections, DKIM…`);
    const bare = await barePool(
      sink.port,
      NOTICES,
      (pool, i) => {
        const { subject, text, html, locale } = prepared[i % prepared.length];
        const { to, messageId } = recipients[i];
        return pool.sendMail({ from: FROM, replyTo: 'dpo@shop.example.com', to, subject, text, html, messageId, headers: { 'Content-Language': locale, 'Auto-Submitted': 'auto-generated' } });
      },
    );
    rows.push(['bare Nodemailer pool (sendMail, DKIM)', bare]);
    console.error('tocsin send, SQLite…');
    rows.push(['tocsin send, SQLite', tocsinSend(sqlite, sink.port, NOTICES)]);
    await sqlite.cleanUp();
    if (POSTGRES_URL) {
      const postgres = await postgresCampaign(NOTICES);
      console.error('tocsin send, PostgreSQL…');
      try {
        rows.push(['tocsin send, PostgreSQL', tocsinSend(postgres, sink.port, NOTICES)]);
      } finally {
        await postgres.cleanUp();
      }
    } else console.error('PostgreSQL skipped: set TOCSIN_BENCH_DATABASE_URL or TOCSIN_TEST_DATABASE_URL');
    console.error("transport ceiling: tocsin's SMTP transport carrying built and signed messages…");
    const ceiling = await transportAlone(sink.port, NOTICES, (i) => ({ from: FROM.address, to: recipients[i].to, raw: prepared[i % prepared.length].raw, name: `bench.${i}` }));

    console.log(`\ndelivery benchmark: ${NOTICES.toLocaleString('en')} notices into smtp-sink, DKIM rsa-sha256 (2048 bits), ${WORKERS} SMTP connections, ${availableParallelism()} cores\n`);
    console.log([''.padEnd(38), 'seconds'.padStart(9), 'notices/s'.padStart(10), '× bare pool'.padStart(12)].join('  '));
    for (const [name, seconds] of rows) {
      console.log([name.padEnd(38), seconds.toFixed(1).padStart(9), String(perSecond(NOTICES, seconds)).padStart(10), (bare / seconds).toFixed(2).padStart(12)].join('  '));
    }
    console.log(`\n(tocsin's SMTP transport alone, built and signed messages, no persistence: ${perSecond(NOTICES, ceiling)} messages/s)`);

    const crashCount = Math.min(CRASH_NOTICES, NOTICES);
    console.error(`\ncrash campaign: ${crashCount.toLocaleString('en')} notices, ${KILLS} kills…`);
    const crashed = await sqliteCampaign(crashCount);
    const crash = await crashCampaign(crashed, crashCount, KILLS).finally(() => crashed.cleanUp());
    console.log(
      `\ncrash campaign (SQLite): ${crashCount.toLocaleString('en')} notices, ${crash.kills} SIGKILLs at random moments, ${crash.seconds.toFixed(0)} s: ` +
        `missed ${crash.missed}, left unsent ${crash.unsent}, duplicates ${crash.duplicates} (bound: ${crash.inFlightAtKills} notices in sending at the kills)`,
    );

    const slowest = Math.max(...rows.slice(1).map(([, seconds]) => seconds));
    const targets = [
      [`≥ 1,000 notices/s (${perSecond(NOTICES, slowest)})`, perSecond(NOTICES, slowest) >= 1000],
      [`≥ 0.8× the bare pool (${(bare / slowest).toFixed(2)})`, bare / slowest >= 0.8],
      [`no missed notice (${crash.missed + crash.unsent})`, crash.missed + crash.unsent === 0],
      [`duplicates within the in-flight bound (${crash.duplicates} ≤ ${crash.inFlightAtKills})`, crash.duplicates <= crash.inFlightAtKills],
    ] as const;
    console.log(`\ntargets: ${targets.map(([what, met]) => `${what} ${met ? 'met' : 'MISSED'}`).join('; ')}`);
    if (targets.some(([, met]) => !met)) process.exitCode = 1;
  } finally {
    sink.stop();
  }
}

await main();
