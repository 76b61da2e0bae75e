import { createHmac } from 'node:crypto';

/**
 * The Message-ID of a notice: `<{incident}.{seq}.{check}@{from domain}>`, the same every time
 * the notice is sent. A resend after a crash therefore carries the same id (mail systems drop
 * the second copy by it), and a bounce names the notice exactly. The check, keyed with the
 * installation's secret, makes ids unguessable from the sequence number alone.
 */
export function noticeMessageId(secret: Uint8Array, notice: { incident_id: string; seq: number; subject: string }, fromDomain: string): string {
  const check = createHmac('sha256', secret).update(`tocsin/message-id\0${notice.incident_id}\0${notice.subject}`).digest('hex').slice(0, 10);
  return `<${notice.incident_id}.${notice.seq}.${check}@${fromDomain}>`;
}
