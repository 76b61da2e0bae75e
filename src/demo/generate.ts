import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { PRIVATE_FILE_MODE } from '../lib/private-file.ts';
import { invalidInput } from '../lib/errors.ts';
import { attackLine, planAttack, type Attack } from './attack.ts';
import { jobSize, type Job } from './jobs.ts';
import { buildOrderTable, CSV_HEADER, type OrderTable } from './orders.ts';
import { openOutput } from './output.ts';
import { runInOrder } from './pool.ts';
import { scopeYaml } from './rules.ts';
import type { HourOfAttack, TrafficSetup } from './traffic.ts';
import { LOG_FROM, LOG_HOURS, linesPerHour } from './timeline.ts';
import { groundTruth } from './truth.ts';

export interface DemoOptions {
  outDir: string;
  orders: number;
  logLines: number;
  seed: number;
  /** Called after each slice of output is written; `total` is orders + log lines. */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoSummary {
  outDir: string;
  files: { path: string; bytes: number }[];
  orders: number;
  customers: number;
  logLines: number;
  attackRequests: number;
  affectedSubjects: number;
  affectedRecords: number;
}

interface Part {
  file: string;
  header: string;
  jobs: Job[];
}

const ORDERS_PER_JOB = 20_000;
/** Oldest first: the rotated logs of a month, then the current one. */
const LOG_FILES = ['access.log.2.gz', 'access.log.1', 'access.log'];
const LIMITS = { orders: [20, 10_000_000], logLines: [200, 100_000_000], seed: [0, 0xffffffff] } as const;

/**
 * Writes a demo shop that went through the late-2019 breach: its orders, a month of access
 * logs with the attack in them, the rules file a responder would write, and the ground
 * truth scoping must reproduce. The same options always give the same bytes.
 */
export async function generateDemoShop(options: DemoOptions): Promise<DemoSummary> {
  validate(options);
  const { outDir, orders, logLines, seed } = options;
  ensureWritableDirectory(outDir, 'the output directory', 'choose another with --out');
  const table = buildOrderTable(seed, orders);
  const { logFiles, ...story } = await writeStory(outDir, seed, table, logLines);
  const parts = [
    { file: 'orders.csv', header: CSV_HEADER, jobs: orderJobs(orders) },
    ...logFiles.map((jobs, i) => ({ file: LOG_FILES[i], header: '', jobs })),
  ];
  const setup: TrafficSetup = { seed, table, anonymousVisitors: Math.max(1000, Math.round(logLines / 10)) };
  await writeParts(outDir, parts, setup, (done) => options.onProgress?.(done, orders + logLines));
  const files = await Promise.all(
    [...parts.map((part) => part.file), 'scope.yml', 'truth.json'].map(async (file) => {
      const path = join(outDir, file);
      return { path, bytes: (await stat(path)).size };
    }),
  );
  return { outDir, files, orders, customers: table.customers, logLines, ...story };
}

/**
 * Plans the attack and writes what is known of it — truth.json and scope.yml — returning the
 * attack's log lines hour by hour. The plan itself is dropped before the bulk of the work: a
 * small heap keeps the main thread's garbage collections short while gigabytes pass through.
 */
async function writeStory(outDir: string, seed: number, table: OrderTable, logLines: number) {
  const attack = planAttack(seed, table, logLines);
  const truth = groundTruth(seed, table, logLines, attack);
  await writeFile(join(outDir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  await writeFile(join(outDir, 'scope.yml'), scopeYaml(attack.indicators), { mode: PRIVATE_FILE_MODE });
  return {
    logFiles: hourJobs(attack, logLines),
    attackRequests: truth.attack_requests,
    affectedSubjects: truth.affected.length,
    affectedRecords: truth.affected.reduce((sum, subject) => sum + subject.records.length, 0),
  };
}

/**
 * Generates the parts' jobs on worker threads and writes each part's results in order. The
 * jobs of orders.csv alternate with those of the gzipped log, so that zlib's single thread
 * compresses while the workers generate orders instead of holding them up.
 */
async function writeParts(outDir: string, parts: readonly Part[], setup: TrafficSetup, onProgress: (done: number) => void): Promise<void> {
  const [orders, oldestLog, ...newerLogs] = parts.map((part, index) => part.jobs.map((job) => ({ part: index, job })));
  const scheduled = [...interleave(orders, oldestLog), ...newerLogs.flat()];
  const threads = availableParallelism();
  const options = { script: new URL('./worker.ts', import.meta.url), workerData: setup, threads, window: 4 * threads };
  const outputs = parts.map((part) => openOutput(join(outDir, part.file), { gzip: part.file.endsWith('.gz') }));
  let done = 0;
  try {
    await Promise.all(parts.map((part, i) => part.header && outputs[i].write(Buffer.from(part.header))));
    await runInOrder(
      scheduled.map(({ job }) => job),
      options,
      async (bytes, index) => {
        const { part, job } = scheduled[index];
        await outputs[part].write(bytes);
        done += jobSize(job);
        onProgress(done);
      },
    );
  } catch (error) {
    await Promise.allSettled(outputs.map((output) => output.close()));
    throw error;
  }
  await Promise.all(outputs.map((output) => output.close()));
}

/** Both lists merged evenly, each keeping its order. */
function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const merged: T[] = [];
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    if (j === b.length || (i < a.length && i * b.length <= j * a.length)) merged.push(a[i++]);
    else merged.push(b[j++]);
  }
  return merged;
}

function validate(options: DemoOptions): void {
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const value = options[name as keyof typeof LIMITS];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw invalidInput('DEMO_OPTION', `${name}: ${value} is out of range; use a whole number from ${min} to ${max}`);
    }
  }
}

function orderJobs(orders: number): Job[] {
  return Array.from({ length: Math.ceil(orders / ORDERS_PER_JOB) }, (_, i) => ({
    kind: 'orders' as const,
    first: i * ORDERS_PER_JOB,
    count: Math.min(ORDERS_PER_JOB, orders - i * ORDERS_PER_JOB),
  }));
}

/** One job per hour of log, grouped into the three log files by thirds of the lines. */
function hourJobs(attack: Attack, logLines: number): Job[][] {
  const attackHours: HourOfAttack[] = Array.from({ length: LOG_HOURS }, () => ({ seconds: [], lines: [] }));
  for (const request of attack.requests) {
    const sinceStart = request.time - LOG_FROM;
    const hour = attackHours[Math.floor(sinceStart / 3600)];
    hour.seconds.push(sinceStart % 3600);
    hour.lines.push(attackLine(request));
  }
  const ordinary = linesPerHour(logLines - attack.requests.length);
  const files: Job[][] = LOG_FILES.map(() => []);
  let before = 0;
  for (let hour = 0; hour < LOG_HOURS; hour++) {
    const job: Job = { kind: 'hour', hour, ordinary: ordinary[hour], attack: attackHours[hour] };
    files[Math.min(LOG_FILES.length - 1, Math.floor((before * LOG_FILES.length) / logLines))].push(job);
    before += jobSize(job);
  }
  return files;
}
