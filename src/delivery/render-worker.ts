/**
 * A rendering thread: composes notices from their templates, builds the messages and signs
 * them, so the main thread only moves bytes between the database and the SMTP connections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { composeNotice } from '../notices/compose.ts';
import { loadSecret } from '../notices/secret.ts';
import { incidentTemplates } from '../notices/templates.ts';
import { dkimSigner } from './dkim.ts';
import { noticeMessageId } from './message-id.ts';
import { buildMessage } from './mime.ts';
import { recipientAddress } from './recipient.ts';
import { templatesChanged } from './templates-changed.ts';
import type { FromRenderWorker, RenderSetup, RenderTask, SignedMessage } from './render-pool.ts';

const setup = workerData as RenderSetup;
const port = parentPort!;

try {
  const templates = incidentTemplates(setup.dataDir, setup.incidentId);
  if (templates.sha256 !== setup.templatesSha256) throw templatesChanged(setup.incidentId);
  const secret = loadSecret(setup.dataDir);
  const sign = setup.dkim ? dkimSigner(setup.dkim) : null;

  port.on('message', (task: RenderTask) => {
    try {
      const messages = task.notices.map((notice): SignedMessage => {
        const rendered = composeNotice({ ...notice, incident_id: setup.incidentId }, templates, secret);
        const messageId = noticeMessageId(secret, { ...notice, incident_id: setup.incidentId }, setup.fromDomain);
        const date = new Date();
        const message = buildMessage({ ...rendered, from: setup.from, replyTo: setup.replyTo, to: recipientAddress(notice.email, notice.subject), messageId, date, locale: notice.locale });
        const raw = sign ? sign(message, date) : message;
        return { subject: notice.subject, messageId, raw: raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer };
      });
      const reply: FromRenderWorker = { kind: 'rendered', id: task.id, messages };
      port.postMessage(reply, messages.map((message) => message.raw));
    } catch (error) {
      port.postMessage(failure(error, task.id));
    }
  });
  port.postMessage({ kind: 'ready' } satisfies FromRenderWorker);
} catch (error) {
  port.postMessage(failure(error));
}

function failure(error: unknown, id?: number): FromRenderWorker {
  // A TocsinError does not cross threads as itself: its code, message and exit status do.
  const { code, message, exitCode } = error as { code?: unknown; message?: string; exitCode?: unknown };
  return { kind: 'failed', id, code: typeof code === 'string' ? code : 'RENDER_FAILED', message: message ?? String(error), exitCode: exitCode === 2 ? 2 : 1 };
}
