/**
 * The reporting mailbox's own SMTP listener (tocsin serve --smtp-listen): customers forward
 * suspicious mail to an address like phishing@shop…, and each message it accepts is kept as a
 * report and analysed by a `phishing_analysis` job, as the portal's uploads are. No AUTH (anyone
 * may report), STARTTLS when a certificate is configured, a size limit announced and enforced,
 * only the configured recipients, at most phishing.smtp.max_clients connections at once and
 * portal.report_address reports per client address, as on the portal. A message to
 * bounty.report_address becomes a bug bounty report instead. Nothing of a message or an address is logged.
 */
import type { AddressInfo } from 'node:net';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Context } from '../context.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { reasonOf, TocsinError } from '../lib/errors.ts';
import { listenAddressOf } from './listen-address.ts';
import { keepMailboxMessage } from './report-intake.ts';
import { tlsFiles } from './tls-files.ts';

export interface SmtpIntake {
  /** smtp://HOST:PORT, the port as bound. */
  url: string;
  close(): Promise<void>;
}

/** An SMTP reply with its code: smtp-server sends `responseCode` and the message to the client. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A name or address as it may stand in a header line: no line breaks, no brackets, nothing a header reader takes for syntax. */
function headerToken(value: string): string {
  return value.replace(/[^A-Za-z0-9.:@+_=-]/g, '').slice(0, 255);
}

/**
 * The trace an MTA adds on arrival, before the message's own header: the envelope sender as
 * Return-Path and the connecting host as Received, which the desk's SPF check reads.
 */
function traceHeaders(session: SMTPServerSession, now: Date): Buffer {
  const mailFrom = session.envelope.mailFrom ? headerToken(session.envelope.mailFrom.address) : '';
  const helo = headerToken(session.hostNameAppearsAs ?? '') || 'unknown';
  const address = headerToken(session.remoteAddress);
  return Buffer.from(`Return-Path: <${mailFrom}>\r\nReceived: from ${helo} ([${address}])\r\n by tocsin.phishing-desk with ${session.transmissionType || 'SMTP'};\r\n ${now.toUTCString().replace('GMT', '+0000')}\r\n`, 'latin1');
}

/** Starts the listener on phishing.smtp.listen; null when it is not configured. */
export async function startSmtpIntake(ctx: Context): Promise<SmtpIntake | null> {
  const settings = ctx.config.phishing.smtp;
  if (settings.listen === undefined) return null;
  const tls = tlsFiles({ cert_file: settings.cert_file, key_file: settings.key_file }, 'phishing.smtp');
  // bounty.report_address is taken too: its messages become bug bounty reports.
  const bountyAddress = ctx.config.bounty?.report_address;
  const recipients = new Set([...settings.recipients, ...(settings.recipients.length > 0 && bountyAddress ? [bountyAddress] : [])].map((address) => normalizeEmail(address) ?? address));
  // Loaded by a server that listens for mail, not by every one.
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    banner: 'Tocsin phishing desk: forward suspicious mail here, as an attachment if you can',
    size: settings.size_limit,
    maxClients: settings.max_clients,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    logger: false,
    onRcptTo(address, _session, callback) {
      const wanted = normalizeEmail(address.address);
      if (recipients.size > 0 && (wanted === null || !recipients.has(wanted))) return callback(smtpError(550, 'no such mailbox here'));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.once('error', (error) => callback(error));
      stream.once('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, `message larger than ${settings.size_limit} bytes; nothing was kept`));
        const message = Buffer.concat([traceHeaders(session, ctx.now()), ...chunks]);
        const intake = {
          received_as: 'smtp' as const,
          recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
          client: session.remoteAddress,
          envelopeSender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        };
        keepMailboxMessage(ctx, message, intake).then(
          ({ reference }) => callback(null, `kept as report ${reference}`),
          (error: unknown) => {
            if (error instanceof TocsinError && error.kind === 'throttled') return callback(smtpError(450, `too many reports from your address; try again in ${error.retry_after ?? 60} s`));
            ctx.logger.error({ error: reasonOf(error) }, 'a reported message could not be kept');
            callback(smtpError(451, 'the report could not be kept; try again later'));
          },
        );
      });
    },
  });
  const address = listenAddressOf(settings.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new TocsinError('LISTEN_FAILED', `cannot listen on ${settings.listen} (${reasonOf(error)}); choose another address as phishing.smtp.listen (--smtp-listen)`, { kind: 'unavailable' })));
    server.listen(address.port, address.host, () => resolve());
  });
  // Later errors are a client's (a dropped connection, a bad TLS handshake): the listener goes on.
  server.on('error', (error) => ctx.logger.warn({ error: reasonOf(error) }, 'reporting mailbox connection error'));
  const bound = server.server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return { url: `smtp://${host}:${bound.port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
