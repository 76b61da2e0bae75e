import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';
import { buildMessage, dkimSigner, openTransport, recipientAddress } from '../mail/index.ts';
import { retryDelay, type RetryPolicy } from './retry.ts';
import { configuredSending } from './send-settings.ts';

/** A message written for one reader, outside any campaign: the portal's answers. */
export interface SingleMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  locale: string;
  /** What a transport may call the message (a file's name, a log line): no personal data. */
  name: string;
}

/** A reader waits for an answer: a few quick tries, about a minute and a half in all, rather than a campaign's hours. */
export const SINGLE_MESSAGE_RETRY: RetryPolicy = { firstDelayMs: 5_000, maxDelayMs: 40_000, maxAttempts: 5 };

/** SMTP sessions at most for the messages sent together (a batch of the portal's answers). */
const MOST_CONNECTIONS = 4;

/**
 * Sends one message as notices go out: from the configured sender, DKIM-signed with the
 * configured key, through the configured transport, retried with backoff on a transient
 * failure. Resolves once the server accepted it; throws ANSWER_NOT_SENT when it refused it or
 * kept deferring it. Stops between tries when `signal` aborts.
 */
export async function sendSingleMessage(ctx: Pick<Context, 'config'>, message: SingleMessage, options: { signal?: AbortSignal; retry?: RetryPolicy } = {}): Promise<{ messageId: string; sentAt: Date }> {
  const { sends, closed } = sendSingleMessages(ctx, [message], options);
  try {
    return await sends[0];
  } finally {
    await closed;
  }
}

/**
 * The same for several messages at once, through one transport (a few SMTP sessions): each
 * message's own outcome as it comes, in their order (one deferred and tried again holds up no
 * other), and once all are settled, the transport closed.
 */
export function sendSingleMessages(
  ctx: Pick<Context, 'config'>,
  messages: readonly SingleMessage[],
  options: { signal?: AbortSignal; retry?: RetryPolicy } = {},
): { sends: Promise<{ messageId: string; sentAt: Date }>[]; closed: Promise<void> } {
  const sending = configuredSending(ctx.config);
  const sign = sending.dkim ? dkimSigner(sending.dkim) : null;
  const policy = options.retry ?? SINGLE_MESSAGE_RETRY;
  const transport = openTransport(sending.transport, { connections: Math.min(messages.length, MOST_CONNECTIONS) });
  const send = async (message: SingleMessage) => {
    const to = recipientAddress(message.to);
    if (to === null) throw new TocsinError('ANSWER_NOT_SENT', 'the address is not a mailbox a message can be sent to', { kind: 'invalid' });
    const messageId = `<${randomUUID()}@${sending.fromDomain}>`;
    for (let attempt = 1; ; attempt++) {
      const date = new Date();
      const raw = buildMessage({ from: sending.from, replyTo: null, to, subject: message.subject, text: message.text, html: message.html, messageId, date, locale: message.locale });
      const result = await transport.deliver({ from: sending.from.address, to, raw: sign ? sign(raw, date) : raw, name: message.name });
      if (result.kind === 'accepted') return { messageId, sentAt: date };
      if (result.kind !== 'transient' || attempt >= policy.maxAttempts) {
        // Not the server's reply: it may quote the recipient's address, and the error is kept with the job.
        throw new TocsinError('ANSWER_NOT_SENT', `the mail server did not take the message after ${attempt} attempt(s) (${result.kind === 'transient' ? 'deferred every time' : 'refused'}); its log has the reply`, { kind: 'unavailable' });
      }
      await sleep(retryDelay(policy, attempt), undefined, { signal: options.signal });
    }
  };
  const sends = messages.map(send);
  // A transport that fails to close loses nothing sent; its sessions end with the process.
  const closed = Promise.allSettled(sends).then(() => transport.close().catch(() => {}));
  return { sends, closed };
}
