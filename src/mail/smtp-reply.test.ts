import { describe, expect, it } from 'vitest';
import { classifySmtpError, replyCodes } from './smtp-reply.ts';

describe('classifySmtpError', () => {
  it('bounces a 5xx about the recipient or the message, with the server words', () => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 <bob@example.com>: User unknown' })).toEqual({
      kind: 'permanent',
      reply: '550 5.1.1 <bob@example.com>: User unknown',
    });
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 5.7.1 Message rejected as spam' }).kind).toBe('permanent');
  });

  it('retries a 4xx (slowing the domain down), a dropped connection and a timeout', () => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 4.7.1 Greylisted' })).toEqual({ kind: 'transient', reply: '451 4.7.1 Greylisted', deferredByServer: true });
    expect(classifySmtpError({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' })).toEqual({
      kind: 'transient',
      reply: 'Connection closed unexpectedly (ECONNECTION)',
      deferredByServer: false,
    });
    expect(classifySmtpError({ code: 'ETIMEDOUT', command: 'DATA', message: 'Timeout' })).toMatchObject({ kind: 'transient', reply: 'Timeout (ETIMEDOUT at DATA)' });
  });

  it('stops the campaign when the sender itself is refused: a login, TLS, or a 5xx to MAIL FROM', () => {
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 5.7.8 Authentication failed' }).kind).toBe('fatal');
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', response: '553 5.7.1 Sender address rejected' }).kind).toBe('fatal');
    expect(classifySmtpError({ code: 'ETLS', message: 'self-signed certificate' }).kind).toBe('fatal');
  });
});

describe('replyCodes', () => {
  it('keeps the reply code and the enhanced status, never the words that may name the recipient', () => {
    expect(replyCodes('451 4.7.1 <bob@example.com>: Greylisted')).toBe('451 4.7.1');
    expect(replyCodes('421-4.7.0 Try again later')).toBe('421 4.7.0');
    expect(replyCodes('421 Service not available, bob@example.com')).toBe('421');
    expect(replyCodes('452 4.3.10')).toBe('452 4.3.10');
    expect(replyCodes('450 4.2.1234 odd')).toBe('450');
    expect(replyCodes('Connection closed unexpectedly (ECONNECTION)')).toBeNull();
    expect(replyCodes('4511 nonsense')).toBeNull();
    expect(replyCodes('421')).toBe('421');
  });
});
