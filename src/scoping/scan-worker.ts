/** Thread entry of the log scanner: runs the tasks it is sent — scan a piece, hash a file — one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { hashFile } from '../evidence/index.ts';
import { reasonOf } from '../lib/errors.ts';
import type { HitBatch } from './hit-batch.ts';
import { createScanner, PROGRESS_EVERY_BYTES, scanPiece, type Piece, type PieceStats, type ScanSetup } from './scan-piece.ts';

export type ScanTask = { kind: 'scan'; piece: Piece } | { kind: 'hash'; file: number; path: string };

export type FromScanWorker =
  | { kind: 'hits'; piece: number; batch: HitBatch }
  /** Bytes of the piece, or of the file being hashed, done so far. */
  | { kind: 'progress'; task: ScanTask; bytes: number }
  | { kind: 'scanned'; piece: number; stats: PieceStats }
  | { kind: 'hashed'; file: number; sha256: string | null; error: string | null };

const port = parentPort;
if (!port) throw new Error('src/scoping/scan-worker.ts runs as a worker thread');
const scanner = createScanner(workerData as ScanSetup);
const send = (message: FromScanWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function hash(task: Extract<ScanTask, { kind: 'hash' }>): Promise<void> {
  let reported = 0;
  try {
    const onBytes = (bytes: number) => {
      if (bytes - reported < PROGRESS_EVERY_BYTES) return;
      reported = bytes;
      send({ kind: 'progress', task, bytes });
    };
    const { sha256 } = await hashFile(task.path, { onBytes, blocking: true });
    send({ kind: 'hashed', file: task.file, sha256, error: null });
  } catch (error) {
    send({ kind: 'hashed', file: task.file, sha256: null, error: reasonOf(error) });
  }
}

async function scan(task: Extract<ScanTask, { kind: 'scan' }>): Promise<void> {
  const { piece } = task;
  const stats = await scanPiece(piece, scanner, {
    hits: (batch) => send({ kind: 'hits', piece: piece.id, batch }, [batch.numbers.buffer, batch.texts.buffer]),
    progress: (bytes) => send({ kind: 'progress', task, bytes }),
  });
  send({ kind: 'scanned', piece: piece.id, stats });
}

port.on('message', (task: ScanTask) => (task.kind === 'hash' ? hash(task) : scan(task)));
