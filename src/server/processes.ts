import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.ts';
import { servingPool } from '../db/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { answerMetricsRequests } from './metrics.ts';

/** How the first process starts a serving process: a command line of the same program (`tocsin serve`). */
export interface ServingCommand {
  exec: string;
  args: string[];
}

/** Where the serving processes listen, all on the same sockets. */
export interface ServingProcesses {
  staffUrl: string;
  publicUrl: string;
  /** Stops every serving process (each finishes its requests in flight) and resolves once all have exited. */
  close(): Promise<void>;
}

type ToServing = { type: 'tocsin:config'; config: Config };
type FromServing = { type: 'tocsin:listening'; staffUrl: string; publicUrl: string };
/** A serving process asks for the configuration once it listens for the answer: a message sent earlier would be lost. */
type AskConfig = { type: 'tocsin:config?' };

/** A serving process's young generation: two semi-spaces of this many MB (see forkServingProcesses). */
const SEMI_SPACE_MB = 16;

/** Whether this process is one that forkServingProcesses started. */
export const isServingProcess = (): boolean => cluster.isWorker;

/**
 * Forks `config.processes` processes of `command`, each serving both listeners with `config`
 * (node:cluster: the first process holds the sockets and hands each connection to one of them),
 * and answers their /metrics with the sum of all (answerMetricsRequests). Resolves once every
 * one listens. One that exits before it listens fails the start, its own message on stderr
 * saying why, and the others are stopped. Afterwards one that dies is replaced (told to `say`);
 * should its replacement not listen either, `failed` is called, as a job runner thread's death is.
 */
export async function forkServingProcesses(command: ServingCommand, config: Config, say: (message: string) => void, failed: () => void): Promise<ServingProcesses> {
  // The configuration goes over IPC, whole, as `advanced` serialization keeps it. A serving
  // process's young generation starts at 16 MB semi-spaces (V8 takes that only on the command
  // line; bin/tocsin.js then holds it there): fifty 35 KB pages in flight outgrew smaller ones,
  // were promoted and collected again as old objects. bench:api's PostgreSQL page, two serving
  // processes, by turns: each Node process's CPU a page 0.54–0.56 ms at 4 MB → 0.46–0.49 ms at 16 MB,
  // p99 60–66 → 47–56 ms (at 1 MB it had cost 1.17 ms of CPU, all told, against 0.85–1.03 at 4 MB).
  cluster.setupPrimary({ exec: command.exec, args: command.args, execArgv: [...process.execArgv, `--min-semi-space-size=${SEMI_SPACE_MB}`], serialization: 'advanced' });
  const serving = new Set<Worker>();
  let closing = false;
  const stopAnswering = answerMetricsRequests();

  const start = () =>
    new Promise<FromServing>((resolve, reject) => {
      const worker = cluster.fork();
      serving.add(worker);
      let listening = false;
      worker.on('message', (message: FromServing | AskConfig) => {
        if (message?.type === 'tocsin:config?') worker.send({ type: 'tocsin:config', config } satisfies ToServing);
        if (message?.type !== 'tocsin:listening') return;
        listening = true;
        resolve(message);
      });
      worker.on('exit', (code, signal) => {
        serving.delete(worker);
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        if (!listening) return reject(new TocsinError('SERVING_PROCESS_FAILED', `a serving process stopped before it listened (${how}); its message above says why`, { kind: 'unavailable' }));
        if (closing) return;
        say(`tocsin: a serving process stopped (${how}); starting another`);
        start().catch((error: unknown) => {
          // Stopped while it started: that is the server stopping, not failing.
          if (closing) return;
          say(`tocsin: ${(error as Error).message}`);
          failed();
        });
      });
    });

  const stopAll = async () => {
    closing = true;
    const exits = [...serving].map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))));
    for (const worker of serving) worker.process.kill('SIGTERM');
    await Promise.all(exits);
    stopAnswering();
  };

  const started = await Promise.allSettled(Array.from({ length: config.processes }, start));
  const refused = started.find((result) => result.status === 'rejected');
  if (refused) {
    await stopAll();
    throw refused.reason;
  }
  const [{ staffUrl, publicUrl }] = started.map((result) => (result as PromiseFulfilledResult<FromServing>).value);
  return { staffUrl, publicUrl, close: stopAll };
}

/** In a serving process: the configuration, asked of the first process, with this process's share of PostgreSQL connections unless database_pool says (servingPool). */
export function configFromFirstProcess(): Promise<Config> {
  return new Promise((resolve) => {
    const take = (message: ToServing) => {
      if (message?.type !== 'tocsin:config') return;
      process.off('message', take);
      const { config } = message;
      resolve({ ...config, database_pool: config.database_pool ?? servingPool(config.database_url, config.processes) });
    };
    process.on('message', take);
    process.send!({ type: 'tocsin:config?' } satisfies AskConfig);
  });
}

/** In a serving process: tells the first process where it listens. */
export function reportListening({ staffUrl, publicUrl }: Omit<FromServing, 'type'>): void {
  process.send!({ type: 'tocsin:listening', staffUrl, publicUrl } satisfies FromServing);
}

/** In a serving process, once it has stopped serving: lets the first process go, so that this one can exit (the IPC channel holds it). */
export function leaveFirstProcess(): void {
  // cluster's own disconnect: process.disconnect() would make node:cluster exit at once, with 0 whatever happened.
  if (process.connected) cluster.worker!.disconnect();
}
