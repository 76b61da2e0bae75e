import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { OpenContext } from '../../src/context.ts';
import type { DatabaseConfig } from '../../src/db/connect.ts';
import { generateDemoShop } from '../../src/demo/generate.ts';
import { createDemoIncident } from '../../src/demo/narratives.ts';
import { approveNotices, buildNotices } from '../../src/notices/index.ts';
import { importRecords } from '../../src/records/import.ts';
import { ruleColumns } from '../../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../../src/scoping/scope-run.ts';

/** A message the test server accepted: its envelope and its bytes as they arrived. */
export interface Received {
  from: string;
  to: string;
  /** Every RCPT TO of the message's envelope. */
  rcptTo: string[];
  /** Whether MAIL FROM asked for SMTPUTF8. */
  smtpUtf8: boolean;
  raw: Buffer;
}

/** What the server does with one recipient or one message; nothing for the normal 250. */
export interface SmtpFaults {
  /** At RCPT TO: an error with a responseCode (4xx, 5xx) to refuse the recipient. */
  rcpt?(address: string): { responseCode: number; message: string } | undefined;
  /** After the whole message: refuse it with a code, or drop the connection without a reply. */
  data?(to: string): { responseCode: number; message: string } | 'drop' | undefined;
}

export interface TestSmtpServer {
  port: number;
  /** Every message accepted, in order. */
  received: Received[];
  /** Every AUTH a client tried, in order, when the server requires a login. */
  logins: { user: string; password: string; accepted: boolean }[];
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) on a free local port, keeping what it accepts, failing as
 * told. It offers SMTPUTF8 unless `smtpUtf8` is false. With `login`, it lets in only that user
 * with that password (AUTH without TLS: a test on localhost).
 */
export async function startSmtpServer(
  faults: SmtpFaults = {},
  options: { smtpUtf8?: boolean; login?: { user: string; password: string } } = {},
): Promise<TestSmtpServer> {
  const { login } = options;
  const received: Received[] = [];
  const logins: TestSmtpServer['logins'] = [];
  const server: SMTPServer = new SMTPServer({
    hideSMTPUTF8: options.smtpUtf8 === false,
    authOptional: !login,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const accepted = auth.username === login?.user && auth.password === login?.password;
      logins.push({ user: auth.username ?? '', password: auth.password ?? '', accepted });
      callback(accepted ? null : Object.assign(new Error('Invalid username or password'), { responseCode: 535 }), accepted ? { user: auth.username } : undefined);
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const refusal = faults.rcpt?.(address.address);
      callback(refusal ? Object.assign(new Error(refusal.message), { responseCode: refusal.responseCode }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0].address;
        const fault = faults.data?.(to);
        if (fault === 'drop') {
          const connection = [...server.connections].find((c) => (c as unknown as { session: SMTPServerSession }).session.id === session.id);
          return (connection as unknown as { _socket: Socket })._socket.destroy();
        }
        if (fault) return callback(Object.assign(new Error(fault.message), { responseCode: fault.responseCode }));
        const { mailFrom, rcptTo, smtpUtf8 } = session.envelope as typeof session.envelope & { smtpUtf8?: boolean };
        received.push({ from: mailFrom ? mailFrom.address : '', to, rcptTo: rcptTo.map((rcpt) => rcpt.address), smtpUtf8: smtpUtf8 === true, raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  // A client killed mid-session resets its connection; the server reports it, and tests do that on purpose.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, received, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * An incident of a generated demo shop, imported, scoped and with its notices built and approved: what
 * `tocsin send` starts from. `orders` sets the size (3,000 orders give about 230 notices).
 */
export async function campaignOfDemoShop(ctx: OpenContext, shopDir: string, orders: number): Promise<string> {
  await generateDemoShop({ outDir: shopDir, orders, logLines: orders * 10, seed: 7 });
  const { id } = await createDemoIncident(ctx);
  const rules = join(shopDir, 'scope.yml');
  await importRecords(ctx, id, join(shopDir, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
  await runScope(ctx, id, { rulesPath: rules, logs: ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shopDir, name)) });
  await buildNotices(ctx, id, { shopAddress: 'shop.example.com' });
  await approveAsPrivacyOfficer(ctx, id);
  return id;
}

/**
 * Approves the notices as built, as a privacy officer other than the builder (the four-eyes rule):
 * what sending waits for. The service takes the approver as the adapters authenticated them; no
 * account is added, so tests that count accounts or security events are not disturbed.
 */
export async function approveAsPrivacyOfficer(ctx: OpenContext, incidentId: string): Promise<void> {
  const officer = { email: 'officer@privacy.example', role: 'privacy' as const };
  await approveNotices({ ...ctx, actor: officer.email }, incidentId, officer);
}

const BIN = fileURLToPath(new URL('../../bin/tocsin.js', import.meta.url));

/** `tocsin` as a child process that keeps running, for tests that signal or kill it. */
export function spawnTocsin(
  args: string[],
  database: DatabaseConfig,
  extraEnv: Record<string, string> = {},
): ChildProcess & { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl, CI: '1', ...extraEnv };
  if (!database.databaseUrl) delete env.DATABASE_URL;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return Object.assign(child, { exited });
}

export interface Bounce {
  recipient: string;
  status: string;
  diagnostic: string;
  /** The Message-ID of the message that bounced, in the part that returns it. */
  messageId?: string;
  /** How the bounced message comes back: whole, its headers only, or not at all. */
  returned: 'message' | 'headers' | 'none';
}

/** A delivery status notification as Postfix writes them (RFC 3464 multipart/report). */
export function dsn(bounce: Bounce): string {
  const returned =
    bounce.returned === 'none'
      ? []
      : [
          '--REPORT',
          `Content-Type: ${bounce.returned === 'message' ? 'message/rfc822' : 'text/rfc822-headers'}`,
          '',
          'From: Example Phone Shop Ltd <notices@shop.example.com>',
          `To: ${bounce.recipient}`,
          'Subject: Security incident involving your personal data',
          `Message-ID: ${bounce.messageId}`,
          '',
          ...(bounce.returned === 'message' ? ['Dear customer,', ''] : []),
        ];
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    'To: notices@shop.example.com',
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Fri, 15 Nov 2019 10:02:03 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"',
    '',
    '--REPORT',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    "I'm sorry to have to inform you that your message could not be delivered.",
    '',
    '--REPORT',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'Arrival-Date: Fri, 15 Nov 2019 10:02:01 +0000',
    '',
    `Final-Recipient: rfc822; ${bounce.recipient}`,
    'Action: failed',
    `Status: ${bounce.status}`,
    'Remote-MTA: dns; mx.example.org',
    `Diagnostic-Code: smtp; ${bounce.diagnostic}`,
    '',
    ...returned,
    '--REPORT--',
    '',
  ].join('\r\n');
}
