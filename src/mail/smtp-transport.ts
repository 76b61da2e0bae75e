import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { TocsinError } from '../lib/errors.ts';
import { needsSmtpUtf8 } from './mime.ts';
import { classifySmtpError, type SmtpError } from './smtp-reply.ts';
import type { TransportSpec } from './transport-url.ts';
import type { Transport } from './transport.ts';

/** One SMTP session; `closed` once the server, the network or a timeout ended it. */
interface Session {
  connection: SMTPConnection;
  closed: boolean;
  /** The server carries messages with UTF-8 addresses and headers (RFC 6531). */
  smtpUtf8: boolean;
}

/** Why a message with a UTF-8 address is not handed to a server without SMTPUTF8, which could only refuse or mangle it. */
export const NO_SMTPUTF8 = 'not sent: the address has non-ASCII letters, which need a server with SMTPUTF8 (RFC 6531), and this server does not offer it';

type SmtpSpec = Extract<TransportSpec, { kind: 'smtp' }>;

/**
 * Up to `connections` SMTP sessions (Nodemailer's SMTPConnection), each carrying one message
 * at a time. The messages arrive built, signed and complete, so they go straight to the
 * connection: Nodemailer's mailer and pool would compose each raw message again (new MIME
 * tree, random boundary and Message-ID, stream pipeline), which cost the sending thread a
 * fifth of its time. Nothing is re-sent here: every retry goes through the notice's state,
 * so attempts are counted.
 */
export function smtpTransport(spec: SmtpSpec, description: string, connections: number): Transport {
  const idle: Session[] = [];
  const waiting: (() => void)[] = [];
  let open = 0;
  let closing = false;

  async function acquire(): Promise<Session> {
    for (;;) {
      if (closing) throw Object.assign(new Error('the transport was closed'), { code: 'ECONNECTION' });
      const session = idle.pop();
      if (session && !session.closed) return session;
      if (session) continue; // ended while idle: the slot was given back when it ended
      if (open < connections) {
        open++;
        return await openSession(spec, free);
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  /** A slot is free again: a session ended or could not open. */
  function free(): void {
    open--;
    waiting.shift()?.();
  }

  function release(session: Session): void {
    if (session.closed) return;
    // A message still in flight when the transport closed: its session quits once it is done.
    if (closing) return session.connection.quit();
    idle.push(session);
    waiting.shift()?.();
  }

  return {
    description,
    async verify() {
      try {
        release(await acquire());
      } catch (error) {
        const result = classifySmtpError(error as SmtpError);
        throw new TocsinError('SMTP_UNREACHABLE', `cannot send through ${description}: ${result.reply}; check --transport (host, port, user and password) and that the server is running`, { kind: 'unavailable' });
      }
    },
    async deliver(message) {
      let session: Session;
      try {
        session = await acquire();
      } catch (error) {
        return classifySmtpError(error as SmtpError);
      }
      if (!session.smtpUtf8 && needsSmtpUtf8(message.raw)) {
        release(session);
        return { kind: 'permanent', reply: NO_SMTPUTF8 };
      }
      try {
        // Nodemailer asks for SMTPUTF8 itself when an envelope address is not ASCII.
        const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
          session.connection.send({ from: message.from, to: [message.to] }, message.raw, (error, result) => (error ? reject(error) : resolve(result))),
        );
        release(session);
        return { kind: 'accepted', reply: String(info.response ?? '250') };
      } catch (error) {
        const smtpError = error as SmtpError;
        // The server refused this message or recipient; the session itself is fine for the next one.
        if ((smtpError.code === 'EENVELOPE' || smtpError.code === 'EMESSAGE') && smtpError.responseCode !== 421 && !session.closed) {
          await new Promise<void>((resolve) =>
            session.connection.reset((resetError) => {
              if (resetError) session.connection.close();
              else release(session);
              resolve();
            }),
          );
        } else {
          session.connection.close();
        }
        return classifySmtpError(smtpError);
      }
    },
    async close() {
      closing = true;
      for (const wake of waiting.splice(0)) wake();
      for (const session of idle.splice(0)) session.connection.quit();
    },
  };
}

/**
 * Connects (STARTTLS when the server offers it, unless smtps://) and logs in when the URL has
 * a user. `onEnd` runs once, when the session ends or fails to open.
 */
function openSession(spec: SmtpSpec, onEnd: () => void): Promise<Session> {
  const connection = new SMTPConnection({
    host: spec.host,
    port: spec.port,
    secure: spec.secure,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
  });
  const session: Session = { connection, closed: false, smtpUtf8: false };
  const end = () => {
    if (session.closed) return;
    session.closed = true;
    onEnd();
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      end();
      if (settled) return;
      settled = true;
      connection.close();
      reject(error);
    };
    // Errors during a send reach its callback too; here they only end the session.
    connection.on('error', fail);
    connection.once('end', () => fail(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION', command: 'CONN' })));
    connection.connect((error) => {
      if (error) return fail(error);
      try {
        session.smtpUtf8 = offers(connection, 'SMTPUTF8');
      } catch (offersError) {
        return fail(offersError);
      }
      if (!spec.user) {
        settled = true;
        return resolve(session);
      }
      connection.login({ credentials: { user: spec.user, pass: spec.password ?? '' } }, (loginError) => {
        if (loginError) return fail(loginError);
        settled = true;
        resolve(session);
      });
    });
  });
}

/**
 * Whether the server named an ESMTP extension in its EHLO reply. Nodemailer keeps that list
 * without a public way to read it; should a version stop keeping it, every session fails here
 * (a fatal error, which stops the campaign) rather than guess.
 */
function offers(connection: SMTPConnection, extension: string): boolean {
  const extensions = (connection as unknown as { _supportedExtensions?: unknown })._supportedExtensions;
  if (!Array.isArray(extensions)) throw Object.assign(new Error("Nodemailer's SMTPConnection no longer lists the server's extensions"), { code: 'ECONFIG' });
  return extensions.includes(extension);
}
