/**
 * Micro-benchmark of the evidence readers on one core, page-cached data:
 *
 *   npx node src/evidence/parse.bench.ts [megabytes=512]
 *
 * Builds a file by repeating the fixture log (kept in bench/.cache), then reports the
 * median of 3 runs for the line reader alone and for the reader with a full combined parse:
 * per second of wall time, and per second of this process's CPU time, which other load on
 * the machine disturbs less.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseCombinedLine } from './combined.ts';
import { readLines } from './lines.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/logs/elastic-apache-combined-10k.log', import.meta.url));
const megabytes = Number(process.argv[2] ?? 512);
const path = new URL(`../../bench/.cache/combined-${megabytes}mb.log`, import.meta.url).pathname;

async function buildInput(): Promise<void> {
  if (existsSync(path) && statSync(path).size >= megabytes * 1e6) return;
  await mkdir(new URL('../../bench/.cache/', import.meta.url), { recursive: true });
  const fixture = readFileSync(FIXTURE);
  const out = createWriteStream(path);
  for (let written = 0; written < megabytes * 1e6; written += fixture.length) {
    if (!out.write(fixture)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

type Run = { lines: number; seconds: number; cpuSeconds: number };

async function timed(work: () => Promise<number>): Promise<Run> {
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const lines = await work();
  const used = process.cpuUsage(cpu);
  return { lines, seconds: Number(process.hrtime.bigint() - began) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

function readerOnly(): Promise<Run> {
  return timed(async () => {
    let lines = 0;
    for await (const event of readLines(path)) if (event.type === 'lines') lines += event.count;
    return lines;
  });
}

function readerAndParse(): Promise<Run> {
  return timed(async () => {
    let lines = 0;
    let failed = 0;
    for await (const event of readLines(path)) {
      if (event.type !== 'lines') continue;
      for (let k = 0; k < event.count; k++) {
        if (!parseCombinedLine(event.buf, event.starts[k], event.ends[k]).ok) failed++;
      }
      lines += event.count;
    }
    if (failed > 0) throw new Error(`${failed} lines failed to parse`);
    return lines;
  });
}

async function report(name: string, run: () => Promise<Run>): Promise<void> {
  await run(); // warm-up: page cache and JIT
  const runs: Run[] = [];
  for (let k = 0; k < 3; k++) runs.push(await run());
  const median = (rate: (run: Run) => number) => runs.map(rate).sort((a, b) => a - b)[1];
  const bytes = statSync(path).size;
  const wallLines = median((run) => run.lines / run.seconds);
  const cpuLines = median((run) => run.lines / run.cpuSeconds);
  const bytesPerLine = bytes / runs[0].lines;
  const figures = (linesPerSecond: number) =>
    `${(linesPerSecond / 1e6).toFixed(2)} M lines/s ${((linesPerSecond * bytesPerLine) / 1e6).toFixed(0).padStart(5)} MB/s`;
  console.log(`${name.padEnd(24)} wall: ${figures(wallLines)}   cpu: ${figures(cpuLines)}`);
}

await buildInput();
await report('reader', readerOnly);
await report('reader + combined parse', readerAndParse);
