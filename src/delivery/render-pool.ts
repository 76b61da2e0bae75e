import { Worker } from 'node:worker_threads';
import type { NoticesTable } from '../db/index.ts';
import { TocsinError, type ErrorData } from '../lib/errors.ts';
import type { DkimKey } from '../mail/index.ts';
import type { MessageSender } from './notice-message.ts';

export interface RenderSetup extends MessageSender {
  dataDir: string;
  /** The installation's secret, which the codes are derived from (loaded once, by the main thread). */
  secret: Uint8Array;
  incidentId: string;
  /** Of the templates the campaign checked the notices against; a thread that reads others refuses. */
  templatesSha256: string;
  dkim: DkimKey | null;
}

/** What a thread needs of a notice row. */
export type NoticeToRender = Pick<NoticesTable, 'subject' | 'seq' | 'email' | 'locale' | 'variant' | 'vars'>;

export type SignedMessage =
  | {
      subject: string;
      /** The envelope's recipient: the address the message's To holds. */
      to: string;
      messageId: string;
      /** The whole message, signed: transferred between threads, not copied. */
      raw: ArrayBuffer;
    }
  /** The notice's address is not a mailbox: it is not sent (see recipientAddress). */
  | { subject: string; refused: true };

export interface RenderTask {
  id: number;
  notices: NoticeToRender[];
}

export type FromRenderWorker =
  | { kind: 'ready' }
  | { kind: 'rendered'; id: number; messages: SignedMessage[] }
  | { kind: 'failed'; id?: number; error: ErrorData };

interface Pending {
  resolve(messages: SignedMessage[]): void;
  reject(error: Error): void;
}

/** Rendering threads; each batch goes to the thread with the fewest batches waiting. */
export class RenderPool {
  readonly #workers: { worker: Worker; waiting: number }[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #broken: Error | null = null;

  private constructor() {}

  /** Starts `threads` threads and waits until each has read the templates and the keys. */
  static async start(setup: RenderSetup, threads: number): Promise<RenderPool> {
    const pool = new RenderPool();
    try {
      await Promise.all(Array.from({ length: threads }, () => pool.#spawn(setup)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  render(notices: NoticeToRender[]): Promise<SignedMessage[]> {
    if (this.#broken) return Promise.reject(this.#broken);
    const id = this.#nextId++;
    const target = this.#workers.reduce((least, candidate) => (candidate.waiting < least.waiting ? candidate : least));
    target.waiting++;
    return new Promise<SignedMessage[]>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (messages) => {
          target.waiting--;
          resolve(messages);
        },
        reject,
      });
      target.worker.postMessage({ id, notices } satisfies RenderTask);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }

  #spawn(setup: RenderSetup): Promise<void> {
    const worker = new Worker(new URL('./render-worker.ts', import.meta.url), { workerData: setup });
    const entry = { worker, waiting: 0 };
    this.#workers.push(entry);
    return new Promise<void>((ready, failed) => {
      worker.on('message', (message: FromRenderWorker) => {
        if (message.kind === 'ready') return ready();
        if (message.kind === 'rendered') {
          const pending = this.#pending.get(message.id);
          this.#pending.delete(message.id);
          return pending?.resolve(message.messages);
        }
        const error = TocsinError.fromData(message.error);
        if (message.id === undefined) return failed(error);
        this.#fail(error);
      });
      worker.on('error', (error) => {
        failed(error);
        this.#fail(error);
      });
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`a rendering thread stopped with code ${code}`));
      });
    });
  }

  /** A failure in one batch stops the campaign: every batch still waiting fails with it. */
  #fail(error: Error): void {
    this.#broken ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#broken);
    this.#pending.clear();
  }
}
