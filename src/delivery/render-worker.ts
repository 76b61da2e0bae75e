/**
 * A rendering thread: composes notices from their templates, builds the messages and signs
 * them, so the main thread only moves bytes between the database and the SMTP connections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TocsinError } from '../lib/errors.ts';
import { incidentTemplates } from '../notices/index.ts';
import { dkimSigner } from '../mail/index.ts';
import { noticeMessage } from './notice-message.ts';
import { templatesChanged } from './templates-changed.ts';
import type { FromRenderWorker, RenderSetup, RenderTask, SignedMessage } from './render-pool.ts';

const setup = workerData as RenderSetup;
const port = parentPort!;

try {
  const templates = incidentTemplates(setup.dataDir, setup.incidentId);
  if (templates.sha256 !== setup.templatesSha256) throw templatesChanged(setup.incidentId);
  const sign = setup.dkim ? dkimSigner(setup.dkim) : null;

  port.on('message', (task: RenderTask) => {
    try {
      const messages = task.notices.map((notice): SignedMessage => {
        const date = new Date();
        const message = noticeMessage({ ...notice, incident_id: setup.incidentId }, templates, setup.secret, setup, date);
        if ('refused' in message) return { subject: notice.subject, refused: true };
        const raw = sign ? sign(message.raw, date) : message.raw;
        return { subject: notice.subject, to: message.to, messageId: message.messageId, raw: raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer };
      });
      const reply: FromRenderWorker = { kind: 'rendered', id: task.id, messages };
      port.postMessage(reply, messages.flatMap((message) => ('raw' in message ? [message.raw] : [])));
    } catch (error) {
      port.postMessage(failure(error, task.id));
    }
  });
  port.postMessage({ kind: 'ready' } satisfies FromRenderWorker);
} catch (error) {
  port.postMessage(failure(error));
}

function failure(error: unknown, id?: number): FromRenderWorker {
  // A TocsinError does not cross threads as itself: its data does.
  const data = error instanceof TocsinError ? error.toData() : { code: 'RENDER_FAILED', kind: 'failed' as const, message: error instanceof Error ? error.message : String(error) };
  return { kind: 'failed', id, error: data };
}
