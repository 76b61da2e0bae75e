import { writeOrderRows } from './orders.ts';
import { TextBuffer } from './text-buffer.ts';
import { writeHour, type HourOfAttack, type TrafficSetup } from './traffic.ts';

/** A slice of the output that one thread writes on its own: rows of orders.csv, or an hour of the access log. */
export type Job =
  | { kind: 'orders'; first: number; count: number }
  | { kind: 'hour'; hour: number; ordinary: number; attack: HourOfAttack };

/** Orders or log lines: what progress counts. */
export function jobSize(job: Job): number {
  return job.kind === 'orders' ? job.count : job.ordinary + job.attack.lines.length;
}

/** Runs a job, writing into `spare` when it is large enough. */
export function runJob(setup: TrafficSetup, job: Job, spare?: ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (job.kind === 'orders') {
    const out = new TextBuffer('utf8', job.count * 200, spare);
    writeOrderRows(setup.seed, setup.table, job.first, job.count, out);
    return out.finish();
  }
  // Log lines are ASCII: paths and queries are percent-encoded, user agents are plain.
  const out = new TextBuffer('latin1', jobSize(job) * 300, spare);
  writeHour(setup, job.hour, job.ordinary, job.attack, out);
  return out.finish();
}
