import { Command, Option } from 'commander';
import { cancelJob, checkKind, listJobs, requireJob, startJobRunner, type JobView } from '../jobs/index.ts';
import { JOB_KINDS, JOB_STATES, type JobKind } from '../domain/index.ts';
import { invalidInput } from '../lib/errors.ts';
import { formatFields, formatTable, printJson, printLine, say } from './io.ts';
import { wholeNumber, withContext } from './options.ts';

/** `--kinds import,scope`: known kinds only, or a usage error listing them. */
function jobKinds(value: string): JobKind[] {
  return value.split(',').map((kind) => checkKind(kind.trim()));
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('run queued jobs (imports, scope runs, detection, notice builds, campaigns) until SIGTERM or Ctrl-C; with PostgreSQL, start any number, on any machines')
    .option('--concurrency <n>', 'jobs run at once', wholeNumber('--concurrency'), 1)
    .option('--lease <seconds>', "PostgreSQL: how long a job stays this worker's without a renewal; a job whose worker died is taken over after it", wholeNumber('--lease'), 30)
    .option('--kinds <kinds>', `only jobs of these kinds, comma-separated (${JOB_KINDS.join(', ')}); e.g. portal_answer for a worker that answers the portal at once whatever else runs`, jobKinds)
    .action(async (options, cmd: Command) => {
      if (options.lease < 1) throw invalidInput('BAD_LEASE', `--lease ${options.lease}: give 1 second or more`);
      await withContext(cmd, async (ctx) => {
        if (ctx.dialect === 'sqlite') say("tocsin: on SQLite 'tocsin serve' runs the jobs itself; run one worker only when no server runs");
        const runner = startJobRunner(ctx, {
          concurrency: options.concurrency,
          leaseMs: options.lease * 1000,
          kinds: options.kinds,
        });
        say(`worker ${runner.worker} waiting for jobs (SIGTERM or Ctrl-C stops it)`);
        await new Promise<void>((resolve) => {
          let stopping = false;
          const onSignal = (signal: NodeJS.Signals) => {
            if (stopping) {
              say(`${signal} again: quitting at once; the jobs it held are taken over once their lease runs out`);
              process.exit(signal === 'SIGINT' ? 130 : 143);
            }
            stopping = true;
            say(`${signal}: stopping; the running jobs finish their current step and go back to the queue (again to quit at once)`);
            runner.stop().then(resolve, resolve);
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
        });
        say('worker stopped');
      });
    });
}

export function jobsCommand(): Command {
  const command = new Command('jobs').description('the jobs started through the API: list them, show one, cancel one');
  command
    .command('list')
    .description('the jobs, the newest first')
    .option('--incident <id>', "only this incident's")
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES))
    .option('--limit <n>', 'at most this many', wholeNumber('--limit'), 100)
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const jobs = await listJobs(ctx, { incident_id: options.incident, state: options.state, limit: options.limit });
        if (options.json) return printJson(jobs);
        if (jobs.length === 0) return say('no jobs');
        printLine(
          formatTable(
            ['ID', 'KIND', 'INCIDENT', 'STATE', 'PROGRESS', 'CREATED', 'ACTOR', 'ERROR'],
            jobs.map((job) => [job.id, job.kind, job.incident_id ?? '-', job.state, describeProgress(job), job.created_at, job.actor, job.error?.code ?? '']),
          ),
        );
      });
    });
  command
    .command('show')
    .description('one job: its state, progress, and its result or error')
    .argument('<id>', 'job id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const job = await requireJob(ctx, id);
        if (options.json) return printJson(job);
        printJob(job);
        if (job.result !== null) {
          printLine();
          printJson(job.result);
        }
      });
    });
  command
    .command('cancel')
    .description('cancel a job: a queued one at once, a running one at its next step (what it committed stays)')
    .argument('<id>', 'job id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const job = await cancelJob(ctx, id);
        if (options.json) return printJson(job);
        say(job.state === 'cancelled' ? `job ${job.id} cancelled` : `job ${job.id} asked to stop; its worker stops it at its next step ('tocsin jobs show ${job.id}' tells when)`);
      });
    });
  return command;
}

function printJob(job: JobView): void {
  printLine(
    formatFields([
      ['job', job.id],
      ['kind', job.kind],
      ['incident', job.incident_id],
      ['state', job.cancel_requested_at ? `${job.state} (cancel asked at ${job.cancel_requested_at})` : job.state],
      ['progress', describeProgress(job)],
      ['created', job.created_at],
      ['started', job.started_at],
      ['finished', job.finished_at],
      ['actor', job.actor],
      ['worker', job.worker],
      ['attempts', job.attempts],
      ['error', job.error ? `${job.error.code}: ${job.error.message}` : null],
    ]),
  );
}

function describeProgress({ progress }: JobView): string {
  if (progress === null) return '-';
  const stage = progress.stage ? `${progress.stage} ` : '';
  return progress.total ? `${stage}${progress.done}/${progress.total} (${Math.floor((100 * progress.done) / progress.total)}%)` : `${stage}${progress.done}`;
}
