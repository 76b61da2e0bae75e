import nodemailer from 'nodemailer';
import { TocsinError } from '../lib/errors.ts';
import { classifySmtpError, type SmtpError } from './smtp-reply.ts';
import type { TransportSpec } from './transport-url.ts';
import type { Transport } from './transport.ts';

/**
 * A pool of `connections` SMTP connections (Nodemailer), each pipelining its commands. The
 * messages arrive signed and complete: Nodemailer only carries them. It never re-sends on its
 * own (maxRequeues 0): every retry goes through the notice's state, so attempts are counted.
 */
export function smtpTransport(spec: Extract<TransportSpec, { kind: 'smtp' }>, description: string, connections: number): Transport {
  const pool = nodemailer.createTransport({
    pool: true,
    host: spec.host,
    port: spec.port,
    secure: spec.secure,
    auth: spec.user ? { user: spec.user, pass: spec.password ?? '' } : undefined,
    maxConnections: connections,
    maxMessages: Infinity,
    maxRequeues: 0,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
  });
  return {
    description,
    async verify() {
      try {
        await pool.verify();
      } catch (error) {
        const result = classifySmtpError(error as SmtpError);
        throw new TocsinError('SMTP_UNREACHABLE', `cannot send through ${description}: ${result.reply}; check --transport (host, port, user and password) and that the server is running`);
      }
    },
    async deliver(message) {
      try {
        const info = await pool.sendMail({ envelope: { from: message.from, to: [message.to] }, raw: message.raw });
        return { kind: 'accepted', reply: String(info.response ?? '250') };
      } catch (error) {
        return classifySmtpError(error as SmtpError);
      }
    },
    async close() {
      pool.close();
    },
  };
}
