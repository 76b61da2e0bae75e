import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildMessage } from '../src/mail/mime.ts';
import { NO_SMTPUTF8 } from '../src/mail/smtp-transport.ts';
import { openTransport, type OutgoingMessage, type Transport } from '../src/mail/transport.ts';
import { startSmtpServer } from './helpers/delivery.ts';

const CONNECTIONS = 2;

/** A real SMTP server that counts the sessions opened to it and refuses one recipient. */
async function startServer() {
  const accepted: string[] = [];
  let sessions = 0;
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      sessions++;
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      callback(address.address === 'nobody@example.com' ? Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }) : undefined);
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted.push(session.envelope.rcptTo[0].address);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    accepted,
    sessions: () => sessions,
    /** Ends every open session from the server's side, as an idle timeout does. */
    dropAll: () => {
      for (const connection of server.connections) (connection as unknown as { _socket: Socket })._socket.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const message = (to: string, i = 0): OutgoingMessage => ({
  from: 'notices@shop.example.com',
  to,
  raw: Buffer.from(`From: notices@shop.example.com\r\nTo: ${to}\r\nSubject: notice ${i}\r\n\r\nHello.\r\n`),
  name: `test.${i}`,
});

describe('the SMTP transport', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let transport: Transport;
  beforeEach(async () => {
    server = await startServer();
    transport = openTransport({ kind: 'smtp', host: '127.0.0.1', port: server.port, secure: false }, { connections: CONNECTIONS });
    await transport.verify();
  });
  afterEach(async () => {
    await transport.close();
    await server.close();
  });

  it('carries many messages at once over no more sessions than it may open', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => transport.deliver(message(`reader${i}@example.com`, i))));
    expect(results.every((result) => result.kind === 'accepted')).toBe(true);
    expect(server.accepted).toHaveLength(40);
    expect(server.sessions()).toBe(CONNECTIONS);
  });

  it('bounces a refused recipient with the reply, and the same session carries the next message', async () => {
    const refused = await transport.deliver(message('nobody@example.com'));
    expect(refused).toMatchObject({ kind: 'permanent', reply: expect.stringContaining('550') });
    expect(await transport.deliver(message('reader@example.com'))).toMatchObject({ kind: 'accepted' });
    expect(server.sessions()).toBe(1);
  });

  it('opens a new session when the server ended an idle one', async () => {
    expect(await transport.deliver(message('first@example.com'))).toMatchObject({ kind: 'accepted' });
    server.dropAll();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await transport.deliver(message('second@example.com'))).toMatchObject({ kind: 'accepted' });
    expect(server.accepted).toEqual(['first@example.com', 'second@example.com']);
    expect(server.sessions()).toBe(2);
  });
});

describe('the SMTP transport and international addresses', () => {
  /** A notice to `to`, as buildMessage writes it: with a UTF-8 To header when the address is not ASCII. */
  const notice = (to: string): OutgoingMessage => ({
    from: 'notices@shop.example.com',
    to,
    raw: buildMessage({
      from: { name: 'Shop', address: 'notices@shop.example.com' },
      replyTo: null,
      to,
      subject: 'About your order',
      text: 'Hello.\n',
      html: '<p>Hello.</p>\n',
      messageId: `<${to.length}@shop.example.com>`,
      date: new Date('2019-11-15T10:00:00Z'),
      locale: 'de',
    }),
    name: 'test.1',
  });

  it('asks for SMTPUTF8 for a UTF-8 address, and the server receives the bytes as built, for one recipient', async () => {
    const server = await startSmtpServer();
    const transport = openTransport({ kind: 'smtp', host: '127.0.0.1', port: server.port, secure: false }, { connections: 1 });
    try {
      for (const to of ['jörg@example.de', '用户@example.com', 'ana@example.org']) {
        const message = notice(to);
        expect(await transport.deliver(message)).toMatchObject({ kind: 'accepted' });
        expect(server.received.at(-1)).toMatchObject({ rcptTo: [to], smtpUtf8: to !== 'ana@example.org' });
        expect(server.received.at(-1)!.raw.equals(message.raw)).toBe(true);
      }
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('bounces a UTF-8 address for good, unsent, when the server has no SMTPUTF8, and carries ASCII ones on the same session', async () => {
    const server = await startSmtpServer({}, { smtpUtf8: false });
    const transport = openTransport({ kind: 'smtp', host: '127.0.0.1', port: server.port, secure: false }, { connections: 1 });
    try {
      expect(await transport.deliver(notice('jörg@example.de'))).toEqual({ kind: 'permanent', reply: NO_SMTPUTF8 });
      expect(await transport.deliver(notice('ana@example.org'))).toMatchObject({ kind: 'accepted' });
      expect(server.received.map((received) => received.rcptTo)).toEqual([['ana@example.org']]);
    } finally {
      await transport.close();
      await server.close();
    }
  });
});
