/**
 * An upload's memory and speed, side by side with a bare Node.js server, in one run:
 *
 *   npm run bench:upload [-- --size 5GiB --runs 3] [-- --clean]
 *
 * A file of `--size` bytes (random blocks) is generated once into bench/.cache/upload/ (6 GB
 * free are needed for the default, twice that while it is being uploaded; `--clean` deletes the
 * cached files and exits). Each run, in turn:
 *
 * - reference: `curl -F file=@…` to a bare `node:http` server that pipes the request, unparsed,
 *   to a file (bench/upload-sink.ts): what the machine's loopback and disk allow;
 * - tocsin: `curl -F file=@…` to `POST /api/incidents/ID/uploads` of `tocsin serve` on SQLite in
 *   a temporary data directory: multipart parsing, SHA-256, the file, the audit trail. The
 *   upload is deleted (DELETE …/uploads/ID) before the next run.
 *
 * Each server is a fresh child process; its peak RSS is the kernel's high-water mark (VmHWM)
 * after the upload, its idle RSS the one before. Prints medians of `--runs` runs: MB/s, the
 * ratio of Tocsin's to the reference's, and peak RSS. Target: Tocsin's peak RSS under 200 MB.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createApiToken } from '../src/accounts/index.ts';
import { configWith } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import { DEMO_INCIDENT } from '../src/demo/index.ts';
import { createIncident } from '../src/incidents/index.ts';
import { startServer } from './serve.ts';

const { values: args } = parseArgs({
  options: { size: { type: 'string', default: '5GiB' }, runs: { type: 'string', default: '3' }, clean: { type: 'boolean', default: false } },
});
const cache = fileURLToPath(new URL('./.cache/upload/', import.meta.url));
const sink = fileURLToPath(new URL('./upload-sink.ts', import.meta.url));
if (args.clean) {
  rmSync(cache, { recursive: true, force: true });
  console.log(`deleted ${cache}`);
  process.exit(0);
}
// The size as the configuration takes upload_limit: 5GiB, 512MiB, bytes.
const SIZE = configWith({ upload_limit: args.size }).upload_limit;
const RUNS = Number(args.runs);
if (!(Number.isInteger(RUNS) && RUNS >= 1)) throw new Error('--runs takes a whole number from 1');
const TARGET_MB = 200;
const MB = 1e6;
const run = promisify(execFile);

/** The cached file of SIZE bytes: 16 MiB random blocks, each a new one, written once. */
async function payload(): Promise<string> {
  const file = join(cache, `${SIZE}.bin`);
  if (existsSync(file) && statSync(file).size === SIZE) return file;
  mkdirSync(cache, { recursive: true });
  console.error(`generating ${(SIZE / 2 ** 30).toFixed(2)} GiB into ${file} (kept for the next runs; --clean deletes it)…`);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  for (let written = 0; written < SIZE; ) {
    const block = randomBytes(Math.min(16 * 2 ** 20, SIZE - written));
    written += block.length;
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(partial, file);
  return file;
}

/** Resident memory of a process, in MB: `VmRSS` now or `VmHWM`, its peak so far. */
function memory(child: ChildProcess, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)![1]) / 1024;
}

interface Measured {
  mbPerSecond: number;
  idleMb: number;
  peakMb: number;
}

/** Uploads `file` with curl as a multipart form; its wall time and the server's answer. */
async function curlUpload(url: string, file: string, headers: string[] = []): Promise<{ seconds: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--fail-with-body', ...headers.flatMap((header) => ['-H', header]), '-F', `file=@${file}`, '-w', '\n%{time_total}', url], { maxBuffer: 2 ** 20 });
  const lines = stdout.trimEnd().split('\n');
  return { seconds: Number(lines.at(-1)), body: lines.slice(0, -1).join('\n') };
}

async function reference(file: string, out: string): Promise<Measured> {
  const child = spawn(process.execPath, [sink, out], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').once('data', (line: string) => resolve(line.trim()));
      child.once('exit', (code) => reject(new Error(`the reference server exited ${code}`)));
    });
    const idleMb = memory(child, 'VmRSS');
    const { seconds } = await curlUpload(url, file);
    if (statSync(out).size < SIZE) throw new Error('the reference server wrote less than was sent');
    return { mbPerSecond: SIZE / MB / seconds, idleMb, peakMb: memory(child, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    rmSync(out, { force: true });
  }
}

async function tocsin(file: string, dataDir: string, incidentId: string, token: string): Promise<Measured> {
  // The limit a little over the file: the form's own bytes do not count against it.
  const { url, child } = await startServer(dataDir, { flags: ['--upload-limit', String(SIZE + 2 ** 20)] });
  try {
    const idleMb = memory(child, 'VmRSS');
    const auth = `Authorization: Bearer ${token}`;
    const { seconds, body } = await curlUpload(`${url}/api/incidents/${incidentId}/uploads`, file, [auth]);
    const peakMb = memory(child, 'VmHWM');
    const stored = JSON.parse(body) as { upload_id: string; bytes: number };
    if (stored.bytes !== SIZE) throw new Error(`tocsin stored ${stored.bytes} bytes of ${SIZE}`);
    await run('curl', ['-sS', '--fail-with-body', '-X', 'DELETE', '-H', auth, `${url}/api/incidents/${incidentId}/uploads/${stored.upload_id}`]);
    return { mbPerSecond: SIZE / MB / seconds, idleMb, peakMb };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medianOf = (runs: Measured[]): Measured => ({
  mbPerSecond: median(runs.map((r) => r.mbPerSecond)),
  idleMb: median(runs.map((r) => r.idleMb)),
  peakMb: median(runs.map((r) => r.peakMb)),
});

async function main(): Promise<void> {
  const file = await payload();
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-upload-'));
  try {
    const ctx = await openContext({ config: configWith({ data_dir: dataDir }), actor: 'bench' });
    const incident = await createIncident(ctx, DEMO_INCIDENT);
    const { token } = await createApiToken(ctx, { name: 'bench', role: 'responder' });
    await ctx.close();

    const runs = { reference: [] as Measured[], tocsin: [] as Measured[] };
    for (let n = 1; n <= RUNS; n++) {
      console.error(`run ${n} of ${RUNS}…`);
      // In turn, so that other work on the machine slows both alike.
      runs.reference.push(await reference(file, join(dataDir, 'reference.out')));
      runs.tocsin.push(await tocsin(file, dataDir, incident.id, token));
    }
    const ref = medianOf(runs.reference);
    const ours = medianOf(runs.tocsin);
    const worstPeak = Math.max(...runs.tocsin.map((r) => r.peakMb));
    const row = (name: string, m: Measured, ratio: string) =>
      `${name.padEnd(52)}  ${m.mbPerSecond.toFixed(0).padStart(6)}  ${ratio.padStart(6)}  ${m.idleMb.toFixed(0).padStart(8)}  ${m.peakMb.toFixed(0).padStart(8)}`;
    console.log(`\nupload benchmark: ${(SIZE / 2 ** 30).toFixed(2)} GiB with curl -F over loopback, ${RUNS} runs, medians\n`);
    console.log(`${'server'.padEnd(52)}  ${'MB/s'.padStart(6)}  ${'ratio'.padStart(6)}  ${'idle MB'.padStart(8)}  ${'peak MB'.padStart(8)}`);
    console.log(row('reference: node:http piping the body to a file', ref, '1.00'));
    console.log(row('tocsin serve: POST …/uploads (multipart, SHA-256)', ours, (ours.mbPerSecond / ref.mbPerSecond).toFixed(2)));
    console.log(`\ntarget: tocsin's peak RSS under ${TARGET_MB} MB: ${worstPeak < TARGET_MB ? 'met' : 'NOT met'} (highest of the runs: ${worstPeak.toFixed(0)} MB)`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
